import Testing

@testable import Alerting

/// The one YAML reader (libyaml's events composed by ``YAMLLoader``): errors name a place, never
/// the text (issue 9: a webhook URL sat on the offending line), hostile shapes end in an error,
/// not a hang or a crash, and the YAML the configuration files rely on reads as it always has.
@Suite struct YAMLLoaderTests {
    static let document = ConfigDocument(file: "t.yml", flag: nil)

    private func failure(_ text: String) -> ConfigError? {
        do {
            _ = try YAMLLoader.compose(text, document: Self.document)
            return nil
        } catch {
            return error
        }
    }

    private func root(_ text: String) throws -> ConfigValue {
        try #require(try Self.document.root(yaml: text))
    }

    static let secret = "https://hooks.example/SECRET-T0KEN"

    @Test(arguments: [
        // A key indented one column too far under the URL line.
        ("receivers:\n  - name: hook\n    webhook_configs:\n      - url: \(secret)\n         send_resolved: true\n", 5),
        // A tab where indentation is expected, on the URL line itself.
        ("receivers:\n  - name: hook\n    webhook_configs:\n\t- url: \(secret)\n", 4),
        // A tab before a key in a block mapping.
        ("route:\n  receiver: hook\n\turl: \(secret)\n", 3),
        // An unterminated quote starting on the URL line.
        ("route:\n  receiver: hook\nurl: \"\(secret)\n", 4),
        // The same key twice: the first one's place is named, not the keys or the document.
        ("url: \(secret)\nurl: \(secret)\n", 1),
        // A control character: libyaml's reader stops at it.
        ("url: \(secret)\u{1}\n", 1),
        ("a: 1\nurl: \(secret)\u{0}\n", 2),
        // A second document.
        ("url: \(secret)\n---\nurl: \(secret)\n", 2),
        // An alias to no anchor.
        ("a: 1\nurl: *\(secret.filter(\.isLetter))\n", 2),
    ])
    func errorsNamePlaceNotText(_ text: String, _ line: Int) throws {
        let error = try #require(failure(text))
        #expect(error.line == line, "\(error)")
        #expect(error.column != nil, "\(error)")
        #expect(!error.description.contains("SECRET"), "\(error)")
        #expect(!error.description.contains("hooks.example"), "\(error)")
        #expect(!error.description.contains("\n"), "one line: \(error)")
    }

    @Test func syntaxErrorsKeepTheirPlace() throws {
        let error = try #require(failure("a: 1\nb: [1, 2\nc: 3\n"))
        // libyaml's place and its fixed words, with the context it names.
        #expect(error.description.hasPrefix("t.yml:3:2: YAML syntax error: "), "\(error)")
        #expect(error.description.hasSuffix("(while parsing a flow sequence at line 2, column 4)"), "\(error)")
        let tab = try #require(failure("a:\n\t- 1\n"))
        #expect(tab.line == 2 && tab.column == 1, "\(tab)")
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
        #expect(error.line != nil && error.column != nil)
        #expect(error.message == "YAML nested deeper than 1000 levels", "\(error)")
    }

    @Test func nestingUpToTheLimitIsRead() throws {
        let depth = YAMLLoader.maximumDepth
        var node = try root(String(repeating: "[", count: depth) + String(repeating: "]", count: depth)).node
        var levels = 1
        while let inner = node.sequence?.first {
            node = inner
            levels += 1
        }
        #expect(levels == depth)
    }

    /// The same nine levels as block mappings of ten aliases each.
    static let blockLaughs: String = {
        var text = "a0: &a0\n  k: v\n"
        for level in 1...9 {
            text += "a\(level): &a\(level)\n"
            for i in 0..<10 { text += "  k\(i): *a\(level - 1)\n" }
        }
        return text
    }()

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

    /// The laughs are refused where the expansion crosses the cap (a5: 10⁶ lols and their lists),
    /// before any reader walks them; the same in block style and with mappings.
    @Test(arguments: [
        (laughs + "value: *a9\n", 6),
        (blockLaughs, 3 + 5 * 11 + 3),
    ])
    func aliasBombsAreRefused(_ text: String, _ line: Int) throws {
        let error = try #require(failure(text))
        #expect(error.message.contains("aliases expand to more than 1000000 nodes"), "\(error)")
        #expect(error.line == line, "\(error)")
    }

    @Test func aliasesWithinTheCapAreRead() throws {
        // 100 aliases of a 1001-node list: about 100k nodes expanded.
        let list = "[" + Array(repeating: "x", count: 1_000).joined(separator: ", ") + "]"
        let text = "base: &b \(list)\nuses: [" + Array(repeating: "*b", count: 100).joined(separator: ", ") + "]\n"
        let uses = try #require(try root(text).mapping(allowed: nil)["uses"]?.items)
        #expect(uses.count == 100)
        #expect(uses.allSatisfy { $0.items?.count == 1_000 })
    }

    static let small = "a: &a {k: v}\ns: &s x\n"

    @Test(arguments: [
        (small + "*s : boom\n", 3),
        (small + "*a: boom\n", 3),
        (small + "? *a\n: boom\n", 3),
        (small + "?\n  - *a\n: boom\n", 4),
        (small + "? - *a\n: boom\n", 3),
        (small + "[*a, *a]: boom\n", 3),
        (small + "{k: v}: boom\n", 3),
        (small + "nested: {*a : boom}\n", 3),
        (small + "list:\n  - *s: boom\n", 4),
    ])
    func aliasedOrCollectionKeysAreRefused(_ text: String, _ line: Int) throws {
        let error = try #require(failure(text))
        #expect(error.message.contains("key that is an alias or a collection"), "\(error)")
        #expect(error.line == line, "\(error)")
    }

    @Test func aliasesAsValuesStillWork() throws {
        let rules = """
            common: &common {severity: page, team: 'ops'}
            base: &base
              for: 5m
            rules:
              - alert: A
                <<: *base
                labels: *common
            """
        let rule = try #require(try root(rules).mapping(allowed: nil)["rules"]?.items?.first)
        let fields = try rule.mapping(allowed: nil)
        #expect(try fields["labels"]?.mapping(allowed: nil)["team"]?.string() == "ops")
        // `<<` is an ordinary key (no merging), as before: the rule loader names it as unknown.
        #expect(fields["<<"]?.isMapping == true)
        #expect(fields["for"] == nil)
    }

    @Test(arguments: [
        // Apostrophes in plain scalars, stars and brackets in expressions and text.
        "summary: Queue's backlog isn't draining\nexpr: a * b > 0 and c{x=\"[y]\"}\n",
        // Key-like text inside block scalars is text.
        "description: |\n  ? not a key\n  *nor: this\n  [docs]: https://example.com\nnext: 1\n",
        "items:\n  - |\n    [a]: b\n  - key: >\n      *c: d\n    other: 2\n",
        // Inside quotes and comments.
        "a: \"[x]: *y\"\nb: '? z'  # *c: d\n# [e]: f\n",
        // An explicit key that is a scalar (YAML needs one for keys over 1024 characters).
        "? a_very_long_key\n: value\n? 'quoted'\n: v\n",
        // Flow mappings with plain and quoted keys; alias values.
        "x: &x 1\nm: {a: *x, \"b\": [1, 2], c: {d: *x}}\n",
        // A byte order mark, CRLF line ends, a comment-only tail.
        "\u{FEFF}a: 1\r\nb: 2\r\n# end\r\n",
    ])
    func ordinaryDocumentsAreRead(_ text: String) throws {
        #expect(failure(text) == nil, "\(failure(text).map { "\($0)" } ?? "")")
    }

    @Test func duplicateKeysAreRefusedWhereverTheyAre() throws {
        for (text, line, column) in [
            ("a: 1\nb:\n  c: 1\n  d: 2\n  c: 3\n", 3, 3),
            ("m: {x: 1, y: 2, x: 3}\n", 1, 5),
            // Quoting does not make a key different.
            ("k: 1\n'k': 2\n", 1, 1),
            ("list:\n  - name: a\n    \"name\": b\n", 2, 5),
        ] {
            let error = try #require(failure(text), "\(text)")
            #expect(error.message == "a key is given twice in one mapping", "\(error)")
            #expect(error.line == line && error.column == column, "\(text) → \(error)")
        }
        // The same key in two mappings is not a duplicate.
        #expect(failure("a: {k: 1}\nb: {k: 2}\n") == nil)
    }

    @Test func multiLineStringsForTemplates() throws {
        let text = """
            literal: |
              {{ $labels.queue }} has
                {{ $value }} waiting
            folded: >
              one
              two

              three
            strip: |-
              x
            keep: |+
              y

            quoted: "a\\tb \\u00e9 \\
              c"
            single: 'it''s'
            plain: several
              words
            """
        let m = try root(text).mapping(allowed: nil)
        #expect(try m["literal"]?.string() == "{{ $labels.queue }} has\n  {{ $value }} waiting\n")
        #expect(try m["folded"]?.string() == "one two\nthree\n")
        #expect(try m["strip"]?.string() == "x")
        #expect(try m["keep"]?.string() == "y\n\n")
        #expect(try m["quoted"]?.string() == "a\tb é c")
        #expect(try m["single"]?.string() == "it's")
        #expect(try m["plain"]?.string() == "several words")
    }

    @Test func nullsBooleansAndIntegers() throws {
        let m = try root(
            """
            e:
            tilde: ~
            word: null
            tagged: !!null ""
            quoted: "null"
            yes: true
            no: False
            word2: yes
            n: 42
            neg: -7
            sep: 1_000
            hex: 0x1F
            oct: 010
            sixty: 1:30
            q: "5"
            f: 1.5
            big: 99999999999999999999
            """
        ).mapping(allowed: nil)
        for key in ["e", "tilde", "word", "tagged"] { #expect(m[key]?.isNull == true, "\(key)") }
        #expect(m["quoted"]?.isNull == false)
        #expect(try m["yes"]?.bool() == true)
        #expect(try m["no"]?.bool() == false)
        #expect(throws: ConfigError.self) { try m["word2"]?.bool() }  // YAML 1.2: yes is a string
        let ints = ["n": 42, "neg": -7, "sep": 1000, "hex": 31, "oct": 8, "sixty": 90]
        for (key, value) in ints { #expect(m[key]?.int == value, "\(key)") }
        for key in ["q", "f", "big", "yes"] { #expect(m[key]?.int == nil, "\(key)") }
    }

    @Test func hugeScalarsUpToTheSizeLimit() throws {
        let big = String(repeating: "x", count: YAMLLoader.maximumBytes - 16)
        #expect(try root("a: \(big)\n").mapping(allowed: nil)["a"]?.string().count == big.count)
        #expect(try root("a: \"\(big)\"\n").mapping(allowed: nil)["a"]?.string().count == big.count)
        // A plain key over 1024 characters is not a key in YAML; an explicit one is.
        let longKey = String(repeating: "k", count: 2_000)
        #expect(failure("\(longKey): v\n")?.line == 1)
        #expect(try root("? \(longKey)\n: v\n").mapping(allowed: nil)[longKey]?.string() == "v")
    }

    @Test func sizeIsBounded() throws {
        let big = "a: " + String(repeating: "x", count: YAMLLoader.maximumBytes) + "\n"
        #expect(failure(big)?.message.contains("larger than 1 MiB") == true)
    }

    /// Files are decoded leniently before they reach the reader (invalid UTF-8 becomes U+FFFD, as
    /// it always has); raw bytes handed to libyaml are checked, with the place named.
    @Test func invalidUTF8() throws {
        let bytes: [UInt8] = Array("a: 1\nb: caf".utf8) + [0xFF] + Array("\n".utf8)
        let error = try #require(
            bytes.withUnsafeBufferPointer { buffer -> ConfigError? in
                do throws(ConfigError) {
                    _ = try YAMLLoader.compose(buffer, document: Self.document)
                    return nil
                } catch {
                    return error
                }
            })
        #expect(error.line == 2 && error.column == 7, "\(error)")
        #expect(error.message.hasPrefix("YAML encoding error: "), "\(error)")
        let lenient = try root(String(decoding: bytes, as: UTF8.self)).mapping(allowed: nil)
        #expect(try lenient["b"]?.string() == "caf\u{FFFD}")
    }

    @Test func emptyDocuments() throws {
        for text in ["", "\n", "# only a comment\n", "---\n", "~\n"] {
            #expect(try Self.document.root(yaml: text) == nil, "\(text)")
        }
        #expect(try Self.document.parse(yaml: "~\n")?.isNull == true)
        #expect(try Self.document.parse(yaml: "# c\n") == nil)
    }
}
