/// A label or annotation template that does not parse, or a failure while expanding one.
/// Parse errors stop loading (like `promtool check rules`); expansion errors are written into
/// the text as Prometheus does (`<error expanding template: …>`).
struct TemplateError: Error, Equatable, CustomStringConvertible {
    var message: String
    var description: String { message }
}
