import Foundation
import Sockets
import TestSupport
import Testing

/// Hostile HTTP clients against the binary as users run it (issue 9, rows 3, 4 and 11). No Redis
/// is needed: the HTTP side must hold up whatever the poller is doing.
@Suite(.serialized) struct HTTPAbuseTests {
    /// Flags for an exporter whose Redis is unreachable (port 1), with its own threads kept quiet.
    static let noRedis = ["--redis.url=redis://127.0.0.1:1/0", "--no-celery.events", "--no-celery.census"]

    /// Connects a plain socket to the exporter.
    func connect(_ exporter: ExporterProcess, timeout: Duration = .seconds(2)) throws -> Socket {
        let address = try SocketAddress.resolve(host: "127.0.0.1", port: exporter.port)[0]
        return try Socket.connect(to: address, deadline: Deadline(after: timeout))
    }

    /// Reads from `socket` until `count` complete responses (by Content-Length) have arrived.
    func readResponses(_ socket: Socket, count: Int, timeout: Duration) throws -> [TestHTTPResponse] {
        let deadline = Deadline(after: timeout)
        var raw: [UInt8] = []
        var responses: [TestHTTPResponse] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while responses.count < count {
            while let end = raw.firstRange(of: [13, 10, 13, 10]) {
                let head = String(decoding: raw[..<end.lowerBound], as: UTF8.self).lowercased()
                let length =
                    head.components(separatedBy: "\r\n").first { $0.hasPrefix("content-length:") }
                    .flatMap { Int($0.dropFirst(15).trimmingCharacters(in: .whitespaces)) } ?? 0
                guard raw.count >= end.upperBound + length else { break }
                responses.append(try parseHTTPResponse(Array(raw[..<(end.upperBound + length)])))
                raw.removeFirst(end.upperBound + length)
            }
            if responses.count >= count { break }
            let n = try chunk.withUnsafeMutableBytes { try socket.read(into: $0, deadline: deadline) }
            if n == 0 { break }
            raw += chunk[0..<n]
        }
        return responses
    }

    /// Three scrapes of `/-/healthy` at the cap: each answered 200 (not 503), none waiting
    /// anywhere near the 10 s request timeout a locked-out scraper would wait for, and the
    /// fastest within 1 s. Best of three, because one reading on a loaded 2-core machine
    /// includes the test's own wait for a CPU; a lock-out makes every attempt slow.
    func expectScraperGetsIn(_ exporter: ExporterProcess, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let scrapes = try LatencySamples(attempts: 3) { _ in try exporter.get("/-/healthy") }
        for (attempt, response) in scrapes.results.enumerated() {
            #expect(
                response.status == 200, "attempt \(attempt): \(response.status) \(response.text)",
                sourceLocation: sourceLocation)
        }
        #expect(scrapes.slowest < .seconds(5), "attempts took \(scrapes.durations)", sourceLocation: sourceLocation)
        #expect(scrapes.fastest < .seconds(1), "attempts took \(scrapes.durations)", sourceLocation: sourceLocation)
    }

    func metric(_ exporter: ExporterProcess, _ name: String, _ labels: [String: String] = [:]) -> Double? {
        MetricsText(text: (try? exporter.get("/metrics").text) ?? "").value(name, labels)
    }

    @Test func lifecycleAPIIsOffByDefault() throws {
        let exporter = try ExporterProcess(arguments: Self.noRedis)
        let response = try exporter.get("/-/reload", method: "POST")
        #expect(response.status == 403)
        #expect(response.text.contains("--web.enable-lifecycle"), "no reason given: \(response.text)")
        #expect(exporter.terminate() == 0)
    }

    @Test func pipelinedReloadsAreCoalescedOffTheLoopThread() throws {
        // Rules big enough that one reload takes a noticeable time, as in the issue.
        let dir = try makeTemporaryDirectory("reload")
        let rules = dir.appendingPathComponent("rules.yml")
        var text = "groups:\n  - name: many\n    rules:\n"
        for i in 0..<400 {
            text += """
                      - alert: Backlog\(i)
                        expr: celery_redis_queue_length{queue="q\(i)"} > \(i) and on() celery_redis_up == 1
                        for: 1m
                        labels: {severity: warning, team: t\(i % 7)}
                        annotations: {summary: "Queue {{ $labels.queue }} has {{ $value }} messages"}

                """
        }
        try text.write(to: rules, atomically: true, encoding: .utf8)
        let exporter = try ExporterProcess(
            arguments: Self.noRedis + ["--web.enable-lifecycle", "--rules.file=\(rules.path)", "--poll.interval=0.2s"])

        let reloader = try connect(exporter)
        let request = "POST /-/reload HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n"
        try reloader.writeAll(
            Array(String(repeating: request, count: 100).utf8), deadline: Deadline(after: .seconds(5)))

        // Meanwhile scrapes on other connections are answered in their usual time.
        var slowest = Duration.zero
        for _ in 0..<10 {
            let started = ContinuousClock.now
            let scrape = try exporter.get("/metrics")
            #expect(scrape.status == 200)
            slowest = max(slowest, ContinuousClock.now - started)
            Thread.sleep(forTimeInterval: 0.05)
        }
        #expect(slowest < .milliseconds(500), "a scrape took \(slowest) while reloads ran")

        let responses = try readResponses(reloader, count: 100, timeout: .seconds(20))
        #expect(responses.count == 100)
        #expect(responses.allSatisfy { $0.status == 200 && $0.text == "reloaded\n" })

        // A reload started after each request answered it, yet far fewer than 100 ran.
        var metrics = MetricsText(text: "")
        _ = waitUntil(timeout: 5) {
            metrics = MetricsText(text: (try? exporter.get("/metrics").text) ?? "")
            let ran = metrics.value("celery_redis_config_reloads_total") ?? 0
            return ran + (metrics.value("celery_redis_config_reload_requests_coalesced_total") ?? 0) == 100
        }
        let ran = try #require(metrics.value("celery_redis_config_reloads_total"), "stderr: \(exporter.stderr)")
        #expect(ran >= 1 && ran <= 10, "\(ran) reloads for 100 requests")
        #expect(metrics.value("celery_redis_config_reload_requests_total", ["source": "http"]) == 100)
        // Every request is either the one that started a reload or coalesced into it.
        #expect(metrics.value("celery_redis_config_reload_requests_coalesced_total").map { $0 + ran } == 100)
        let lines = exporter.stderr.split(separator: "\n").filter { $0.contains("reload") }
        #expect(lines.count <= 12, "\(lines.count) reload log lines:\n\(lines.prefix(20).joined(separator: "\n"))")
        #expect(exporter.terminate() == 0)
    }

    @Test func idleConnectionsAtTheDefaultCapNeverLockOutTheScraper() throws {
        let exporter = try ExporterProcess(arguments: Self.noRedis + ["--poll.interval=0.2s"])
        // 1024 is the default --web.max-connections: hold every slot (and a few more) idle.
        var hoarders: [Socket] = []
        for _ in 0..<1030 { hoarders.append(try connect(exporter)) }
        // The point is the steady state (every slot held by an idle connection), not how fast
        // a CPU-starved exporter drains a 1030-connection burst: wait until it has accepted all.
        #expect(waitUntilAcceptQueueDrained(port: exporter.port), "the exporter never accepted the hoarders")
        try expectScraperGetsIn(exporter)
        let evicted = waitUntil(timeout: 5) {
            // Connections that never sent a request count with the partial heads.
            (metric(exporter, "celery_redis_http_connections_evicted_total", ["reason": "partial_head"]) ?? 0) >= 6
        }
        #expect(evicted, "stderr: \(exporter.stderr)")
        #expect(metric(exporter, "celery_redis_http_connections_rejected_total", ["reason": "connection_cap"]) == 0)
        withExtendedLifetime(hoarders) {}
        #expect(exporter.terminate() == 0)
    }

    @Test func partialRequestHeadsAtTheDefaultCapNeverLockOutTheScraper() throws {
        let exporter = try ExporterProcess(arguments: Self.noRedis + ["--poll.interval=0.2s"])
        // Slowloris: every slot of the default cap (1024) holds a request head still arriving.
        var slowloris: [Socket] = []
        for _ in 0..<1024 {
            let socket = try connect(exporter)
            try socket.writeAll(
                Array("GET /metrics HTTP/1.1\r\nHost: x\r\nX-Drip: a".utf8), deadline: Deadline(after: .seconds(1)))
            slowloris.append(socket)
        }
        #expect(waitUntilAcceptQueueDrained(port: exporter.port), "the exporter never accepted the slowloris")
        try expectScraperGetsIn(exporter)
        let evicted = waitUntil(timeout: 5) {
            (metric(exporter, "celery_redis_http_connections_evicted_total", ["reason": "partial_head"]) ?? 0) >= 1
        }
        #expect(evicted, "stderr: \(exporter.stderr)")
        #expect(metric(exporter, "celery_redis_http_connections_rejected_total", ["reason": "connection_cap"]) == 0)
        let warnings = exporter.stderr.split(separator: "\n").filter { $0.contains("slowloris") }
        #expect(warnings.count == 1, "\(warnings.count) eviction warnings (rate-limited to one per 10 s)")
        withExtendedLifetime(slowloris) {}
        #expect(exporter.terminate() == 0)
    }

    @Test func softFileLimitIsRaisedToTheHardLimitAtStartUp() throws {
        let exporter = try ExporterProcess(arguments: Self.noRedis, fileLimit: (soft: 1024, hard: 4096))
        let limits = try String(contentsOfFile: "/proc/\(exporter.process.processIdentifier)/limits", encoding: .utf8)
        let line = try #require(limits.split(separator: "\n").first { $0.hasPrefix("Max open files") })
        let fields = line.split(separator: " ", omittingEmptySubsequences: true)
        #expect(fields.count >= 5 && fields[3] == "4096" && fields[4] == "4096", "\(line)")
        #expect(exporter.terminate() == 0)
    }

    @Test func outOfDescriptorsClientsGetAnAnswerNotATimeout() throws {
        // 64 descriptors in all: well below the 1024-connection cap, as in the issue.
        let exporter = try ExporterProcess(
            arguments: Self.noRedis + ["--poll.interval=0.2s"], fileLimit: (soft: 64, hard: 64))
        // Start-up says the limit leaves no room for the 1024-connection cap.
        #expect(
            exporter.stderr.contains("open file limit is below --web.max-connections"), "stderr: \(exporter.stderr)")

        // Idle connections beyond the descriptors: the longest-idle ones make room, so a
        // scraper is served.
        var idle: [Socket] = []
        for _ in 0..<100 { idle.append(try connect(exporter)) }
        let healthy = try exporter.get("/-/healthy")
        #expect(healthy.status == 200, "\(healthy.status) \(healthy.text)")
        idle.removeAll()
        Thread.sleep(forTimeInterval: 0.3)

        // Connections each with a request in progress (head complete, body awaited: nothing
        // that may be closed): newcomers are answered 503 at once on the reserve descriptor
        // instead of waiting in the backlog.
        var busy: [Socket] = []
        for _ in 0..<100 {
            let socket = try connect(exporter)
            let head = "POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n"
            try socket.writeAll(Array(head.utf8), deadline: Deadline(after: .seconds(1)))
            busy.append(socket)
        }
        Thread.sleep(forTimeInterval: 0.3)
        for _ in 0..<20 {
            let started = ContinuousClock.now
            // A 503, or a close if the client's request crossed the server's close; never a wait.
            let response = try? httpRequest(port: exporter.port, path: "/-/healthy", timeout: 3)
            let took = ContinuousClock.now - started
            #expect(took < .seconds(1), "a client waited \(took) for an answer")
            if let response { #expect(response.status == 503, "\(response.status) \(response.text)") }
        }
        let warnings = exporter.stderr.split(separator: "\n").filter { $0.contains("cannot accept") }
        #expect(!warnings.isEmpty, "no warning about running out of descriptors; stderr: \(exporter.stderr)")
        #expect(
            warnings.count <= 2,
            "\(warnings.count) warnings in a few seconds:\n\(warnings.prefix(5).joined(separator: "\n"))")
        busy.removeAll()
        let counted = waitUntil(timeout: 5) {
            (metric(exporter, "celery_redis_http_connections_rejected_total", ["reason": "out_of_descriptors"]) ?? 0)
                > 0
                && (metric(exporter, "celery_redis_http_accept_errors_total", ["reason": "emfile"]) ?? 0) > 0
        }
        #expect(
            counted,
            "shedding not counted: \((try? exporter.get("/metrics").text) ?? "no scrape"); stderr: \(exporter.stderr)")
        #expect(exporter.terminate() == 0)
    }
}
