import Testing

@testable import Alerting

@Suite struct AlertTemplateTests {
    private func expand(
        _ text: String, labels: [String: String] = ["queue": "celery", "__name__": "m"], value: Double = 1500
    ) throws -> String {
        try AlertTemplate(text).expand(
            AlertTemplate.Data(
                labels: labels, externalLabels: ["cluster": "eu-1"], externalURL: "http://x", value: value))
    }

    @Test func variablesAndFields() throws {
        #expect(try expand("Queue {{ $labels.queue }} has {{ $value }}") == "Queue celery has 1500")
        #expect(try expand("{{ .Labels.queue }}/{{ .Value }}") == "celery/1500")
        #expect(
            try expand("{{ $externalLabels.cluster }} {{ .ExternalLabels.cluster }} {{ $externalURL }}")
                == "eu-1 eu-1 http://x")
        #expect(try expand("{{$labels.__name__}}") == "m")
        #expect(try expand("no actions") == "no actions")
        #expect(try expand("{{ index $labels \"queue\" }}") == "celery")
        #expect(try expand("a {{- \" b \" -}} c") == "a b c")
        #expect(try expand("x{{/* a comment */}}y") == "xy")
        #expect(try expand("{{ ($value) | humanize }}") == "1.5k")
    }

    /// Prometheus runs templates with missingkey=zero: a missing label is empty, not "<no value>".
    @Test func missingLabelIsEmpty() throws {
        #expect(try expand("[{{ $labels.worker }}]") == "[]")
        #expect(try expand("[{{ .Labels.worker }}]") == "[]")
        #expect(try expand("[{{ $externalLabels.nothing }}]") == "[]")
    }

    /// `{{ $value }}` prints like Go's `%v` for a float64.
    @Test(arguments: [
        (3.0, "3"), (1500.0, "1500"), (1_500_000.0, "1.5e+06"), (100_000.0, "100000"), (0.0001, "0.0001"),
        (0.00001, "1e-05"), (0.1 + 0.2, "0.30000000000000004"), (-2.5, "-2.5"), (Double.infinity, "+Inf"),
        (Double.nan, "NaN"), (0.0, "0"), (123_456_789.0, "1.23456789e+08"),
    ])
    func valuePrintsLikeGo(_ value: Double, _ expected: String) throws {
        #expect(try expand("{{ $value }}", value: value) == expected)
    }

    @Test(arguments: [
        ("{{ $value | humanize }}", 1_234_567.0, "1.235M"),
        ("{{ $value | humanize }}", 0.00123, "1.23m"),
        ("{{ $value | humanize }}", 0, "0"),
        ("{{ $value | humanize }}", 999, "999"),
        ("{{ $value | humanize }}", 12345, "12.35k"),
        ("{{ humanize $value }}", 1e-9, "1n"),
        ("{{ $value | humanize1024 }}", 2048, "2ki"),
        ("{{ $value | humanize1024 }}", 1_073_741_824, "1Gi"),
        ("{{ $value | humanize1024 }}", 0.5, "0.5"),
        ("{{ $value | humanizeDuration }}", 90061, "1d 1h 1m 1s"),
        ("{{ $value | humanizeDuration }}", 3600, "1h 0m 0s"),
        ("{{ $value | humanizeDuration }}", 1000, "16m 40s"),
        ("{{ $value | humanizeDuration }}", 59.5, "59.5s"),
        ("{{ $value | humanizeDuration }}", 0.0015, "1.5ms"),
        ("{{ $value | humanizeDuration }}", 0, "0s"),
        ("{{ $value | humanizeDuration }}", -75, "-1m 15s"),
        ("{{ $value | humanizePercentage }}", 0.1234, "12.34%"),
        ("{{ $value | humanizePercentage }}", 1, "100%"),
        ("{{ printf \"%.2f\" $value }}", 3.14159, "3.14"),
        ("{{ $value | printf \"%.1f%%\" }}", 99.95, "100.0%"),
        ("{{ printf \"%d tasks\" $value }}", 7, "7 tasks"),
        ("{{ printf \"%5.1f|%-4s|\" $value \"ab\" }}", 2.25, "  2.2|ab  |"),
        ("{{ printf \"%e\" $value }}", 1234.5, "1.234500e+03"),
        ("{{ printf \"%g\" $value }}", 1e21, "1e+21"),
        ("{{ printf \"%s\" $labels.queue | toUpper }}", 0, "CELERY"),
        ("{{ \"Hello WORLD\" | toLower }}", 0, "hello world"),
        ("{{ \"celery queue-backlog\" | title }}", 0, "Celery Queue-Backlog"),
        ("{{ \"1e3\" | humanize }}", 0, "1k"),
    ])
    func functions(_ text: String, _ value: Double, _ expected: String) throws {
        #expect(try expand(text, value: value) == expected)
    }

    @Test func executionErrorsAreWrittenIntoTheText() throws {
        let text = try expand("{{ $labels.queue | humanize }}")
        #expect(text.hasPrefix("<error expanding template: "))
        #expect(text.contains("strconv.ParseFloat: parsing \"celery\": invalid syntax"))
    }

    @Test(arguments: [
        ("{{ $labels.queue ", "unclosed action"),
        ("{{ nosuch $value }}", "function \"nosuch\" not defined"),
        ("{{ query \"up\" }}", "function \"query\" is not supported"),
        ("{{ if $value }}x{{ end }}", "{{if}} actions are not supported"),
        ("{{ $foo }}", "undefined variable \"$foo\""),
        ("{{ $x := 1 }}", "variable declarations"),
        ("{{ .Nope }}", "can't evaluate field Nope"),
        ("{{ \"x }}", "unclosed action"),
        ("{{ }}", "missing value for command"),
        ("{{ $value | }}", "missing command after"),
        // Found by the rule-file fuzzer: a ")" right after "|" trapped on an empty command.
        ("{{ $value | )humanizeDuration }}", "missing command after"),
        ("{{ ($value | ) }}", "missing command after"),
        ("{{ (1 | (2 |)) }}", "missing command after"),
        ("{{ $value 1 }}", "can't give argument to non-function"),
    ])
    func parseErrors(_ text: String, _ fragment: String) {
        let message = errorMessage { _ = try AlertTemplate(text) }
        #expect(message?.contains(fragment) == true, "\(text): \(message ?? "no error")")
    }

    @Test func parseErrorsAreWholeValues() {
        #expect(throws: TemplateError.unsupportedAction("if")) { try AlertTemplate("{{ if $value }}x{{ end }}") }
        #expect(throws: TemplateError.unclosedAction(offset: 2)) { try AlertTemplate("a {{ $value") }
        // A control character from the template is escaped in the message (on main it was copied raw).
        #expect(throws: TemplateError.argumentToNonFunction(#""a\x07b""#)) { try AlertTemplate("{{ \"a\u{7}b\" 1 }}") }
    }

    @Test func expansionErrorsQuoteLabelValuesAsExcerpts() throws {
        let template = try AlertTemplate("{{ $labels.queue | humanize }}")
        let data = AlertTemplate.Data(
            labels: ["queue": "q\u{1B}" + String(repeating: "x", count: 200)], externalLabels: [:], externalURL: "",
            value: 0)
        let text = template.expand(data)
        #expect(
            text.hasPrefix("<error expanding template: error calling humanize: strconv.ParseFloat: parsing \"q\\x1b"))
        #expect(!text.unicodeScalars.contains { $0.value < 0x20 })
        #expect(text.count < 200)
    }
}

/// Generated templates with deep parentheses fail to load instead of overflowing the stack (issue 9).
@Suite struct AlertTemplateNestingLimitTests {
    @Test func deepParenthesesAreAnError() {
        let deep = "{{ " + String(repeating: "(", count: 100_000) + "1" + String(repeating: ")", count: 100_000) + " }}"
        let message = errorMessage { _ = try AlertTemplate(deep) }
        #expect(message?.contains("nested too deep") == true, "\(message ?? "parsed")")
    }

    /// A value past 2^63 seconds (a hostile timestamp makes an age like that) trapped in Int64().
    @Test(arguments: [(1e19, "1e+19s"), (-1e300, "-1e+300s"), (Double.infinity, "+Inf")])
    func humanizeDurationOfHugeValuesDoesNotTrap(_ value: Double, _ expected: String) throws {
        let template = try AlertTemplate("{{ $value | humanizeDuration }}")
        #expect(template.expand(AlertTemplate.Data(labels: [:], value: value)) == expected)
    }

    @Test func theLimitItselfExpands() throws {
        // Inside the action, pipeline 1 is the action itself; each "(" opens one more.
        let inner = AlertTemplate.maximumDepth - 1
        let atLimit =
            "{{ " + String(repeating: "(", count: inner) + "printf \"%d\" 7" + String(repeating: ")", count: inner)
            + " }}"
        #expect(try AlertTemplate(atLimit).expand(AlertTemplate.Data(labels: [:], value: 0)) == "7")
        let over = "{{ (" + String(atLimit.dropFirst(3))
        #expect(errorMessage { _ = try AlertTemplate(over) }?.contains("nested too deep") == true)
    }
}
