import Testing

@Test func placeholderAlertingTests() { #expect(Bool(true)) }
