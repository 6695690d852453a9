import Testing

@testable import Exporter

/// The start-up error's one-line rule for the text the operator typed: a value (or flag name)
/// the message shows is shown as given when printable, and as a placeholder when it holds a
/// control character, which would otherwise break the line on standard error or forge a second
/// one in a log collector.
@Suite struct ConfigurationErrorTests {
    let parser = CommandLineParser(specs: ExporterConfiguration.optionSpecs)

    func startUpError(_ args: [String], env: [String: String] = [:]) -> ConfigurationError? {
        do throws(ConfigurationError) {
            _ = try ExporterConfiguration(options: parser.parse(args, environment: env), environment: env)
            return nil
        } catch {
            return error
        }
    }

    struct Case: Sendable, CustomTestStringConvertible {
        let args: [String]
        var env: [String: String] = [:]
        let expected: String
        var testDescription: String { expected }
    }

    static let unprintable: [Case] = [
        Case(
            args: ["--log.level=info\nlevel=error msg=forged"],
            expected: "--log.level=(unprintable value): expected one of debug, info, warn, error"),
        Case(args: ["--log.format=json\r"], expected: "--log.format=(unprintable value): expected logfmt or json"),
        Case(
            args: ["--log.format=json\u{2028}"], expected: "--log.format=(unprintable value): expected logfmt or json"),
        Case(args: ["--log.format=json\u{85}"], expected: "--log.format=(unprintable value): expected logfmt or json"),
        Case(
            args: ["--web.listen-address=:95\n40"],
            expected:
                "--web.listen-address=(unprintable value): expected [HOST]:PORT such as :9540, 127.0.0.1:9540 or [::1]:9540"
        ),
        Case(
            args: ["--web.enable-lifecycle=yes\u{1B}[2K"],
            expected: "--web.enable-lifecycle=(unprintable value): expected true or false"),
        Case(
            args: [], env: ["CELERY_REDIS_EXPORTER_WEB_ENABLE_LIFECYCLE": "on\nx"],
            expected: "CELERY_REDIS_EXPORTER_WEB_ENABLE_LIFECYCLE=(unprintable value): expected true or false"),
        Case(
            args: ["--web.config.file=/nonexistent\n/web.yml"],
            expected: "--web.config.file=(unprintable value): cannot read the file (No such file or directory)"),
        Case(
            args: ["--storage.path=/nonexistent\ndir"],
            expected: "--storage.path=(unprintable value): not a writable directory (No such file or directory)"),
        Case(
            args: ["--poll\n.interval=1s"],
            expected: "unknown flag --(unprintable value); run with --help for the list"),
    ]

    @Test(arguments: unprintable)
    func aShownValueWithAControlCharacterIsAPlaceholder(_ c: Case) throws {
        let error = try #require(startUpError(c.args, env: c.env))
        #expect(error.description == c.expected)
        #expect(error.description.unicodeScalars.allSatisfy { $0.value >= 0x20 && $0.value != 0x7F })
    }

    @Test func aPrintableValueIsShownAsGiven() throws {
        let level = try #require(startUpError(["--log.level=loud"]))
        #expect(
            level
                == .invalidValue(
                    .flag("log.level"), shown: "loud", problem: .notOneOf(choices: ["debug", "info", "warn", "error"])))
        #expect(level.description == "--log.level=loud: expected one of debug, info, warn, error")
        let flag = try #require(startUpError(["--poll.intervall=1s"]))
        #expect(flag.description == "unknown flag --poll.intervall; run with --help for the list")
    }
}
