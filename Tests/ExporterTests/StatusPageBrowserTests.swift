import Foundation
import TestSupport
import Testing

/// Issue 12 as a person uses it: Debian's chromium (headless, through chromium-driver and Selenium)
/// opens `/` of the real exporter binary polling a real redis-server. The checks live in
/// `Browser/status_page_browser.py` (every section renders; a queue that grows in Redis grows on the
/// page within two polls without a reload; hostile names render as text and run nothing; no console
/// errors, no CSP violations; under 100 KB over the wire; screenshots light/dark × desktop/phone).
///
/// Needs chromium and chromium-driver (scripts/install-deps.sh) and Selenium in `.venv-celery`
/// (scripts/setup-celery-venv.sh); without them the test fails, naming the script to run.
/// `UPDATE_SCREENSHOTS=1` writes the screenshots to `docs/` after a few minutes of varying load
/// (so the sparklines have a shape); otherwise they go to a temporary directory.
@Suite(.serialized) struct StatusPageBrowserTests {
    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Browser/status_page_browser.py")

    /// The venv's python with Selenium and redis-py, or a failure naming the setup script.
    static func python() throws -> String {
        let venv =
            ProcessInfo.processInfo.environment["CELERY_VENV"].map { URL(fileURLWithPath: $0) }
            ?? repositoryRoot.appendingPathComponent(".venv-celery")
        let python = venv.appendingPathComponent("bin/python").path
        let fix = "run scripts/setup-celery-venv.sh (it installs selenium and redis-py into \(venv.path))"
        guard FileManager.default.isExecutableFile(atPath: python) else {
            throw HarnessError("no virtualenv at \(venv.path): \(fix)")
        }
        let probe = try runCommand(python, ["-c", "import selenium, redis"])
        guard probe.status == 0 else {
            throw HarnessError("\(python) cannot import selenium and redis: \(fix)\n\(probe.stderr)")
        }
        return python
    }

    @Test func statusPageInARealBrowser() throws {
        let python = try Self.python()
        let redis = try RedisServer()
        let rules = try makeTemporaryDirectory("status-rules").appendingPathComponent("rules.yml")
        // A backlog alert, a pending one, and one whose summary carries markup (rules are hostile
        // too) that fires once the hostile queue names arrive.
        try """
        groups:
          - name: status-page
            rules:
              - alert: CeleryQueueBacklog
                expr: celery_redis_queue_length > 20
                labels: {severity: page}
                annotations:
                  summary: "{{ $labels.queue }} has {{ $value }} messages waiting"
              - alert: CeleryQueueNameWithMarkup
                expr: celery_redis_queue_length{queue=~".*[<>].*"} > 0
                annotations:
                  summary: "<script>alert(3)</script> {{ $labels.queue }}"
              - alert: CeleryQueueSlow
                expr: celery_redis_queue_oldest_message_age_seconds > 30
                for: 10m
                annotations:
                  summary: "The oldest message in {{ $labels.queue }} has waited over 30s"

        """.write(to: rules, atomically: true, encoding: .utf8)
        let pollInterval = 1.0
        let exporter = try ExporterProcess(arguments: [
            "--redis.url=redis://127.0.0.1:\(redis.port)/0", "--poll.interval=\(pollInterval)s",
            "--celery.discovery-interval=1s", "--rules.file=\(rules.path)", "--celery.task-name-limit=10",
        ])
        let update = ProcessInfo.processInfo.environment["UPDATE_SCREENSHOTS"] == "1"
        let screenshots =
            update
            ? Self.repositoryRoot.appendingPathComponent("docs").path
            : try makeTemporaryDirectory("status-screenshots").path
        let run = try runCommand(
            "/usr/bin/timeout",
            [
                "600", python, Self.script.path, "--url=http://127.0.0.1:\(exporter.port)",
                "--redis-port=\(redis.port)",
                "--poll-interval=\(pollInterval)", "--screenshots=\(screenshots)", "--warmup=\(update ? 180 : 0)",
            ])
        #expect(
            run.status == 0,
            "browser checks failed (status \(run.status)):\n\(run.stdout)\n\(run.stderr)\nexporter stderr:\n\(exporter.stderr.suffix(4000))"
        )
        #expect(run.stdout.contains("all checks passed"), "\(run.stdout)")
        #expect(exporter.terminate() == 0)
    }
}
