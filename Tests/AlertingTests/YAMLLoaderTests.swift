import Testing

@testable import Alerting

/// Configuration YAML errors name a place, never the text (issue 9: a webhook URL sat on the
/// offending line), and hostile shapes end in an error, not a hang or a crash.
@Suite struct YAMLLoaderTests {
    private func failure(_ text: String) -> YAMLLoadError? {
        do {
            _ = try YAMLLoader.compose(text)
            return nil
        } catch {
            return error
        }
    }

    static let secret = "https://hooks.example/SECRET-T0KEN"

    @Test(arguments: [
        // A key indented one column too far under the URL line.
        ("receivers:\n  - name: hook\n    webhook_configs:\n      - url: \(secret)\n         send_resolved: true\n", 5),
        // A tab where indentation is expected, on the URL line itself.
        ("receivers:\n  - name: hook\n    webhook_configs:\n\t- url: \(secret)\n", 4),
        // An unterminated quote starting on the URL line.
        ("route:\n  receiver: hook\nurl: \"\(secret)\n", 4),
        // The same key twice: Yams' text would carry the key names and the whole document.
        ("url: \(secret)\nurl: \(secret)\n", 1),
        // A control character: Yams' reader error quotes the line with a caret under it.
        ("url: \(secret)\u{1}\n", 1),
    ])
    func errorsNamePlaceNotText(_ text: String, _ line: Int) throws {
        let error = try #require(failure(text))
        #expect(error.line == line, "\(error)")
        #expect(error.column != nil, "\(error)")
        #expect(!error.description.contains("SECRET"), "\(error)")
        #expect(!error.description.contains("hooks.example"), "\(error)")
        #expect(!error.description.contains("\n"), "one line: \(error)")
    }

    @Test(arguments: [
        String(repeating: "[", count: 100_000),
        String(repeating: "{a: ", count: 100_000),
        String(repeating: "- ", count: 100_000) + "x",
        // Block mappings by indentation, 1200 deep (0.7 MiB, under the size limit).
        (0..<1_200).map { String(repeating: " ", count: $0) + "k:\n" }.joined() + String(repeating: " ", count: 1_200)
            + "v",
    ])
    func deepNestingIsAnError(_ text: String) throws {
        let error = try #require(failure(text))
        #expect(error.line != nil)
        #expect(error.reason == "YAML nested deeper than 1000 levels", "\(error)")
    }

    /// Nine anchors of ten aliases each: 10⁹ nodes if expanded.
    static let laughs: String = {
        var text = "a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
        for level in 1...9 {
            text +=
                "a\(level): &a\(level) [" + Array(repeating: "*a\(level - 1)", count: 10).joined(separator: ", ")
                + "]\n"
        }
        return text
    }()

    @Test(arguments: [
        (laughs + "*a9 : boom\n", 11),
        (laughs + "*a9: boom\n", 11),
        (laughs + "? *a9\n: boom\n", 11),
        (laughs + "?\n  - *a9\n: boom\n", 11),
        (laughs + "? - *a9\n: boom\n", 11),
        (laughs + "[*a9, *a9]: boom\n", 11),
        (laughs + "nested: {*a9 : boom}\n", 11),
        (laughs + "list:\n  - *a9: boom\n", 12),
    ])
    func aliasedOrCollectionKeysAreRefused(_ text: String, _ line: Int) throws {
        let error = try #require(failure(text))
        #expect(error.reason.contains("key that is an alias or a collection"), "\(error)")
        #expect(error.line == line, "\(error)")
    }

    @Test func aliasesAsValuesStillWork() throws {
        // Yams shares the aliased node, so even the laughs as a value cost nothing to compose.
        let root = try #require(try YAMLLoader.compose(Self.laughs + "value: *a9\n"))
        #expect(root.mapping?["value"]?.sequence?.count == 10)
        let rules = """
            common: &common {severity: page, team: 'ops'}
            base: &base
              for: 5m
            rules:
              - alert: A
                <<: *base
                labels: *common
            """
        let parsed = try #require(try YAMLLoader.compose(rules))
        #expect(parsed.mapping?["rules"]?.sequence?.first?.mapping?["labels"]?.mapping?["team"]?.string == "ops")
    }

    @Test(arguments: [
        // Apostrophes in plain scalars, stars and brackets in expressions and text.
        "summary: Queue's backlog isn't draining\nexpr: a * b > 0 and c{x=\"[y]\"}\n",
        // Key-like text inside block scalars is text.
        "description: |\n  ? not a key\n  *nor: this\n  [docs]: https://example.com\n- |\n  [x]: y\nnext: 1\n",
        "items:\n  - |\n    [a]: b\n  - key: >\n      *c: d\n    other: 2\n",
        // Inside quotes and comments.
        "a: \"[x]: *y\"\nb: '? z'  # *c: d\n# [e]: f\n",
        // An explicit key that is a scalar (YAML needs one for keys over 1024 characters).
        "? a_very_long_key\n: value\n? 'quoted'\n: v\n",
        // Flow mappings with plain and quoted keys; alias values.
        "x: &x 1\nm: {a: *x, \"b\": [1, 2], c: {d: *x}}\n",
    ])
    func ordinaryDocumentsAreNotRefused(_ text: String) throws {
        #expect(YAMLKeyScan.firstComplexKey(in: text) == nil)
    }

    @Test func sizeIsBounded() throws {
        let big = "a: " + String(repeating: "x", count: YAMLLoader.maximumBytes) + "\n"
        #expect(failure(big)?.reason.contains("larger than 1 MiB") == true)
    }
}
