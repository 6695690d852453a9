import Foundation
import Testing

@testable import Alerting

@Suite struct RuleLoaderTests {
    @Test func parsesPrometheusRuleFiles() throws {
        let yaml = """
            groups:
              - name: celery
                interval: 30s
                rules:
                  - alert: Backlog
                    expr: |
                      sum by (queue) (celery_redis_queue_length)
                        > 100
                    for: 1h30m
                    keep_firing_for: 5m
                    labels:
                      severity: warning
                      priority: 2
                    annotations:
                      summary: "{{ $labels.queue }}"
                  - alert: Down
                    expr: celery_redis_up == 0
              - name: empty
                rules: []
            """
        let groups = try RuleLoader.parse(yaml: yaml, file: "rules.yml")
        #expect(groups.map(\.name) == ["celery", "empty"])
        #expect(groups[0].interval == 30)
        #expect(groups[0].file == "rules.yml")
        let rule = groups[0].rules[0]
        #expect(rule.name == "Backlog")
        #expect(rule.holdDuration == 5400)
        #expect(rule.keepFiringFor == 300)
        #expect(rule.labels == ["severity": "warning", "priority": "2"])
        #expect(rule.annotations == ["summary": "{{ $labels.queue }}"])
        #expect(groups[0].rules[1].holdDuration == 0)
        #expect(try RuleLoader.parse(yaml: "", file: "empty.yml").isEmpty)
        #expect(try RuleLoader.parse(yaml: "groups: []\n", file: "empty.yml").isEmpty)
    }

    private func loadError(_ yaml: String) -> RuleLoadError? {
        do {
            _ = try RuleLoader.parse(yaml: yaml, file: "rules.yml")
            return nil
        } catch {
            return error
        }
    }

    @Test func errorsNameFileLineGroupRuleAndProblem() throws {
        let rate = loadError(
            """
            groups:
              - name: celery
                rules:
                  - alert: Rate
                    expr: holt_winters(celery_redis_poll_errors_total[5m], 0.5, 0.5) > 0
            """)
        #expect(rate?.file == "rules.yml")
        #expect(rate?.line == 5)
        #expect(rate?.group == "celery")
        #expect(rate?.rule == "Rate")
        #expect(
            rate?.description
                == "rules.yml:5:15: group \"celery\", rule \"Rate\": "
                + "expr \"holt_winters(celery_redis_poll_errors_total[5m], 0.5, 0.5) > 0\": "
                + "function holt_winters() is not supported by celery-redis-exporter's rule evaluator "
                + "(\(ExpressionError.supportedList))"
        )
    }

    @Test(arguments: [
        (
            "groups:\n  - name: g\n    rules:\n      - record: job:up:sum\n        expr: sum(up)\n", 4,
            "recording rules (record: job:up:sum) are not supported"
        ),
        (
            "groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: up\n        for: 5 minutes\n", 6,
            "bad duration '5 minutes' in 'for'"
        ),
        (
            "groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: up\n        keep_firing_for: 1.5m\n", 6,
            "bad duration '1.5m' in 'keep_firing_for'"
        ),
        (
            "groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: up\n        severity: page\n", 6,
            "unknown field 'severity' in rule"
        ),
        ("groups:\n  - name: g\n    limit: 10\n    rules: []\n", 3, "group field 'limit' is not supported"),
        ("groups:\n  - name: g\n    rule: []\n", 3, "unknown field 'rule' in group"),
        ("group:\n  - name: g\n", 1, "unknown field 'group' at the top level"),
        ("groups:\n  - name: g\n  - name: g\n", 3, "groupname \"g\" is repeated in the same file"),
        (
            "groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: up\n        annotations:\n          summary: '{{ $labels.x'\n",
            6, "unclosed action"
        ),
        (
            "groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: up\n        labels:\n          __x: y\n",
            6, "invalid label name \"__x\""
        ),
        ("groups:\n  - name: g\n    rules:\n      - expr: up\n", 4, "rule has no 'alert' name"),
        ("groups:\n  - name: g\n    rules:\n      - alert: A\n", 4, "field 'expr' must be set"),
        (
            "groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: up{a=~\"(?i)x\"}\n", 5,
            "unsupported group syntax"
        ),
        ("groups:\n  - name: g\n   rules: []\n", 3, "YAML syntax error"),
        ("groups:\n  - name: [g\n", 3, "YAML syntax error"),
    ])
    func loadErrors(_ yaml: String, _ line: Int, _ fragment: String) {
        let error = loadError(yaml)
        #expect(error?.problem.contains(fragment) == true, "\(error?.description ?? "no error")")
        #expect(error?.line == line, "\(error?.description ?? "no error")")
    }

    /// Issue 9: a generated expression 100k parentheses deep crashed the exporter on start and reload.
    /// Group and rule names and field names from the file are kept as written in the error's
    /// fields but printed with control characters escaped: one line, no terminal escapes.
    @Test func namesInErrorsHaveControlCharactersEscaped() throws {
        let yaml = """
            groups:
              - name: "evil\\e[31m\\nname"
                rules:
                  - alert: "A\\tB"
                    expr: up
                    "col\\rour": red
            """
        let error = try #require(throws: RuleLoadError.self) { try RuleLoader.parse(yaml: yaml, file: "rules.yml") }
        #expect(error.group == "evil\u{1B}[31m\nname")
        #expect(error.rule == "A\tB")
        #expect(
            error.description
                == "rules.yml:6: group \"evil\\x1b[31m\\nname\", rule \"A\\tB\": unknown field 'col\\rour' in rule "
                + "(allowed: alert, expr, for, keep_firing_for, labels, annotations)")
    }

    @Test func deeplyNestedExpressionIsALoadError() throws {
        let depth = 100_000
        let expr = String(repeating: "(", count: depth) + "up" + String(repeating: ")", count: depth)
        let error = try #require(
            loadError("groups:\n  - name: g\n    rules:\n      - alert: Deep\n        expr: \(expr)\n"))
        #expect(error.line == 5 && error.column == 15, "\(error)")
        #expect(error.problem.contains("nesting too deep"), "\(error)")
        #expect(error.description.hasPrefix("rules.yml:5:15: group \"g\", rule \"Deep\": "))
        #expect(error.description.count < 600, "the error must not carry the whole expression")
    }

    /// 20,000 stacked `{0}` in a matcher regex crashed the exporter at start-up and on reload
    /// (stack overflow); it is a load error like any other invalid regex.
    @Test func stackedRepetitionsInAMatcherAreALoadError() throws {
        let regex = "a" + String(repeating: "{0}", count: 20_000)
        let error = try #require(
            loadError("groups:\n  - name: g\n    rules:\n      - alert: R\n        expr: 'up{queue=~\"\(regex)\"}'\n"))
        #expect(error.line == 5, "\(error)")
        #expect(error.problem.contains("invalid nested repetition operator '{0}{0}'"), "\(error)")
        #expect(error.description.count < 600, "the error must not carry the whole pattern")
    }

    @Test func yamlErrorsNameLineAndColumnButNoText() throws {
        let yaml =
            "groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: up == 0 # token=SECRET\n       for: 5m\n"
        let error = try #require(loadError(yaml))
        #expect(error.line == 6 && error.column != nil, "\(error)")
        #expect(error.description.hasPrefix("rules.yml:6:\(error.column!): YAML syntax error: "), "\(error)")
        #expect(!error.description.contains("SECRET") && !error.description.contains("for: 5m"), "\(error)")
    }

    @Test func ruleFilesAreBoundedInSize() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent(
            "big-rules-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("big.yml")
        try ("# " + String(repeating: "x", count: YAMLLoader.maximumBytes) + "\ngroups: []\n")
            .write(to: file, atomically: true, encoding: .utf8)
        let message = errorMessage { _ = try RuleLoader.load(patterns: [file.path]) }
        #expect(message?.contains("larger than 1 MiB") == true, "\(message ?? "loaded")")
    }

    @Test func loadsFilesAndGlobs() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent(
            "alerting-rules-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        for (name, group) in [("b.yml", "second"), ("a.yml", "first"), ("c.txt", "ignored")] {
            try "groups:\n  - name: \(group)\n    rules:\n      - alert: X\n        expr: up == 0\n"
                .write(to: dir.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
        let groups = try RuleLoader.load(patterns: [dir.path + "/*.yml", dir.path + "/c.txt", dir.path + "/none-*.yml"])
        #expect(groups.map(\.name) == ["first", "second", "ignored"])
        #expect(groups[0].file == dir.path + "/a.yml")
        let missing = errorMessage { _ = try RuleLoader.load(patterns: [dir.path + "/missing.yml"]) }
        #expect(missing?.contains("missing.yml: cannot read the rule file: No such file or directory") == true)
    }

    @Test func inlineRuleInit() throws {
        let rule = try AlertingRule(name: "A", expression: "up == 0", for: 60)
        #expect(rule.holdDuration == 60)
        let message = errorMessage { _ = try AlertingRule(name: "B", expression: "rate(x[2h])") }
        #expect(message?.hasPrefix("(inline): rule \"B\": expr \"rate(x[2h])\": range of x[2h] is longer") == true)
    }
}
