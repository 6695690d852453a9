import Testing

@Test func placeholderExporterTests() { #expect(Bool(true)) }
