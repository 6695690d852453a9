import Foundation
import TestSupport
import Testing

@testable import Exporter

/// The status page with several targets, as a person uses it: headless chromium on an in-process
/// exporter with two targets on two real redis-servers (`Browser/status_page_targets_browser.py`).
/// Needs what ``StatusPageBrowserTests`` needs, and fails the same way without it.
@Suite(.serialized) struct MultiTargetStatusBrowserTests {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Browser/status_page_targets_browser.py")

    @Test func oneLiveSectionPerTargetInARealBrowser() throws {
        let python = try StatusPageBrowserTests.python()
        let first = try RedisServer()
        let second = try RedisServer()
        let pollInterval = 1.0
        let (exporter, port) = try TargetTestSupport.start(
            common: ["--poll.interval=\(pollInterval)s", "--celery.discovery-interval=1s"],
            targets: [
                ("orders", ["--redis.url=redis://127.0.0.1:\(first.port)/0"]),
                ("mailer", ["--redis.url=redis://127.0.0.1:\(second.port)/0"]),
            ])
        defer { exporter.stop() }
        let screenshots = try makeTemporaryDirectory("status-targets").path
        let run = try runCommand(
            "/usr/bin/timeout",
            [
                "300", python, Self.script.path, "--url=http://127.0.0.1:\(port)",
                "--targets=orders=\(first.port),mailer=\(second.port)", "--poll-interval=\(pollInterval)",
                "--screenshots=\(screenshots)",
            ])
        #expect(run.status == 0, "browser checks failed (status \(run.status)):\n\(run.stdout)\n\(run.stderr)")
        #expect(run.stdout.contains("all checks passed"), "\(run.stdout)")
        print("screenshot: \(screenshots)/status-targets.png")
    }
}
