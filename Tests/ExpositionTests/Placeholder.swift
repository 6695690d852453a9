import Testing

@Test func placeholderExpositionTests() { #expect(Bool(true)) }
