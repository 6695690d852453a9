import Foundation
import TestSupport
import Testing

@testable import Exporter

/// The option table is the only place a flag is declared: these tests walk it and prove that every
/// entry is reachable from the command line and the environment and lands in the configuration.
/// They fail when a flag is listed but not read (the bug the old two-table layout allowed).
@Suite struct OptionTableTests {
    let directory: String
    let fileA: String
    let fileB: String

    init() throws {
        directory = try makeTemporaryDirectory("option-table").path
        fileA = directory + "/a.txt"
        fileB = directory + "/b.txt"
        try "first-secret\n".write(toFile: fileA, atomically: true, encoding: .utf8)
        try "second-secret\n".write(toFile: fileB, atomically: true, encoding: .utf8)
    }

    /// A valid value for an option that differs from its default, by the value's kind. A new kind
    /// of value fails the test until it gets a sample here.
    func sample(_ spec: OptionSpec, file: String) -> String? {
        guard let kind = spec.valueName else { return spec.defaultText == "true" ? "false" : "true" }
        return [
            "[HOST]:PORT": "127.0.0.1:1", "PATH": "/m", "N": "7", "BYTES": "65536", "URL": "http://example.test/",
            "FILE": file, "FILE|GLOB": "rules/*.yml", "DIR": directory, "DURATION": "7m", "NAME": "n",
            "NAMES": "a,b", "PREFIX": "p:", "LEVEL": "debug", "FORMAT": "json",
        ][kind]
    }

    func text(_ configuration: ExporterConfiguration) -> String { String(describing: configuration) }

    @Test func everyFlagChangesTheConfigurationFromTheCommandLineAndTheEnvironment() throws {
        let parser = CommandLineParser(specs: ExporterConfiguration.optionSpecs)
        let untouched = text(ExporterConfiguration())
        #expect(ExporterConfiguration.options.count == ExporterConfiguration.optionSpecs.count)
        #expect(
            Set(ExporterConfiguration.optionSpecs.map(\.name)).count == ExporterConfiguration.optionSpecs.count,
            "a flag is declared twice")
        for option in ExporterConfiguration.options {
            let spec = option.spec
            guard let value = sample(spec, file: fileA) else {
                Issue.record("no sample value for --\(spec.name) (\(spec.valueName ?? "switch"))")
                continue
            }
            let fromFlag = try parser.parse(["--\(spec.name)=\(value)"], environment: [:])
            var viaFlag = ExporterConfiguration()
            try viaFlag.apply(fromFlag, environment: [:])
            let changed = text(viaFlag) != untouched
            #expect(changed, "--\(spec.name)=\(value) did not change the configuration")

            let fromEnvironment = try parser.parse([], environment: [spec.environmentName: value])
            var viaEnvironment = ExporterConfiguration()
            try viaEnvironment.apply(fromEnvironment, environment: [spec.environmentName: value])
            #expect(text(viaEnvironment) == text(viaFlag), "\(spec.environmentName) differs from --\(spec.name)")
        }
    }

    /// `--help` lists every flag once, with its environment variable and, when it may differ per
    /// target, its targets-file key.
    @Test func helpShowsEveryFlagWithItsVariableAndKey() {
        let help = CommandLineParser(specs: ExporterConfiguration.optionSpecs).helpText(program: "x", summary: "y")
        for spec in ExporterConfiguration.optionSpecs {
            let head = spec.isSwitch ? "  --\(spec.name)\n" : "  --\(spec.name)=\(spec.valueName!)\n"
            #expect(help.components(separatedBy: head).count == 2, "--\(spec.name) is not listed once")
            let env = "env: \(spec.environmentName)" + (spec.targetKey.map { "; targets file key: \($0)" } ?? "") + "\n"
            #expect(help.contains(env), "\(spec.name): \(env)")
        }
    }

    /// `*-file` secrets also come straight from an environment variable, named in their help.
    @Test func everySecretFileHasItsEnvironmentVariable() throws {
        let secrets = ExporterConfiguration.options.filter { $0.environmentSecret != nil }
        #expect(
            secrets.map(\.spec.name).sorted() == [
                "celery.result-backend-password-file", "celery.result-backend-sentinel-password-file",
                "redis.password-file", "redis.sentinel-password-file",
            ])
        for option in secrets {
            let variable = option.environmentSecret!.variable
            #expect(option.spec.help.contains(variable), "\(option.spec.name)'s help does not name \(variable)")
            // The result backend's only joins a result backend the flags name.
            let args = option.spec.name.hasPrefix("celery.") ? ["--celery.result-backend-url=redis://rb/1"] : []
            let parser = CommandLineParser(specs: ExporterConfiguration.optionSpecs)
            let environment = [variable: "from-the-environment"]
            let c = try ExporterConfiguration(
                options: parser.parse(args, environment: environment), environment: environment)
            #expect(text(c).contains("from-the-environment"), "\(variable) was not applied")
        }
    }

    /// Each result-backend option without the URL is an error naming that option (it would
    /// otherwise do nothing).
    @Test func resultBackendOptionsWithoutTheURLNameThemselves() throws {
        let parser = CommandLineParser(specs: ExporterConfiguration.optionSpecs)
        for option in ExporterConfiguration.resultBackendConnection.options.dropFirst() {
            let spec = option.spec
            let value = sample(spec, file: fileA)!
            let error = #expect(throws: ConfigurationError.self) {
                try ExporterConfiguration(
                    options: parser.parse(["--\(spec.name)=\(value)"], environment: [:]), environment: [:])
            }
            #expect(
                error?.description.hasPrefix("--\(spec.name) needs --celery.result-backend-url") == true,
                "\(String(describing: error))")
        }
    }

    /// The result backend's options are the broker's with another prefix, generated by one function.
    @Test func theTwoConnectionsHaveTheSameOptions() {
        let broker = ExporterConfiguration.brokerConnection.options.map { $0.spec.name.dropFirst("redis.".count) }
        let backend = ExporterConfiguration.resultBackendConnection.options.map {
            $0.spec.name.dropFirst("celery.result-backend-".count)
        }
        #expect(broker == backend)
        #expect(broker.count == RedisConnectionOptions.suffixes.count)
    }

    /// Every per-target flag is a targets-file key, and setting it in an entry changes that
    /// target's configuration (the file is read through the real reader).
    @Test func everyPerTargetFlagIsATargetsFileKey() throws {
        let parser = CommandLineParser(specs: ExporterConfiguration.optionSpecs)
        // Defaults under which each key alone is consistent: TLS URLs with both certificate halves,
        // or a Sentinel URL with its master.
        let tls = [
            "--redis.url=rediss://b:6380/0", "--redis.tls.cert-file=\(fileA)", "--redis.tls.key-file=\(fileA)",
            "--celery.result-backend-url=rediss://rb:6380/1", "--celery.result-backend-tls.cert-file=\(fileA)",
            "--celery.result-backend-tls.key-file=\(fileA)",
        ]
        let sentinel = [
            "--redis.url=sentinel://s:26379/0", "--redis.sentinel-master=m",
            "--celery.result-backend-url=sentinel://rs:26379/1", "--celery.result-backend-sentinel-master=rm",
        ]
        let keys = TargetsFileReader.targetOptions
        #expect(keys.count >= 30)
        for (key, option) in keys {
            let defaults = try ExporterConfiguration(
                options: parser.parse(key.contains("sentinel_") ? sentinel : tls, environment: [:]), environment: [:])
            var value = sample(option.spec, file: fileB)!
            if option.spec.valueName == "URL" { value = "rediss://other:6380/2" }
            let yamlValue = option.spec.repeatable ? "[\(quoted(value))]" : quoted(value)
            let yaml = "targets:\n  - name: t\n    \(key): \(yamlValue)\n  - name: u\n"
            let targets = try TargetsFileReader(file: directory + "/targets.yml")
                .read(yaml: yaml, defaults: defaults, environment: [:])
            #expect(targets.map(\.name) == ["t", "u"])
            let changed = text(targets[0].configuration) != text(targets[1].configuration)
            #expect(changed, "\(key) did not change the target")
            #expect(
                text(targets[1].configuration) == text(defaults),
                "an entry without keys is not the flags' configuration")
        }
    }

    func quoted(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
}
