import Testing

@Test func placeholderCeleryIntegrationTests() { #expect(Bool(true)) }
