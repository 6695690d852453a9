import Testing

@Test func placeholderCeleryTests() { #expect(Bool(true)) }
