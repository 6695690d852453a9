import Testing

@Test func placeholderNotifyTests() { #expect(Bool(true)) }
