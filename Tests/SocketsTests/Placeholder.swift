import Testing

@Test func placeholderSocketsTests() { #expect(Bool(true)) }
