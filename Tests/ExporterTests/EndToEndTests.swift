import Exporter
import Foundation
import TestSupport
import Testing

/// The binary as users run it, against a real redis-server seeded with Celery-shaped keys.
@Suite(.serialized) struct EndToEndTests {
    static let timeDependent: Set<String> = [
        "celery_redis_poll_duration_seconds", "celery_redis_poll_phase_seconds",
        "celery_redis_last_poll_timestamp_seconds",
        "celery_redis_last_successful_poll_timestamp_seconds", "celery_redis_unacked_oldest_age_seconds",
        "celery_redis_config_last_reload_success_timestamp_seconds",
        "celery_redis_queue_oldest_message_age_seconds", "celery_redis_started_task_oldest_age_seconds",
        "celery_redis_census_duration_seconds", "celery_redis_census_last_complete_timestamp_seconds",
        "celery_redis_census_updated_timestamp_seconds", "celery_redis_http_connections_open",
        "celery_redis_http_queued_bytes",
        // Grow with every poll / move while a census pass walks.
        "celery_redis_unacked_tag_cache_hits_total", "celery_redis_census_pass_keys_walked",
        // The process's own resources (ProcessMetricsTests checks them against /proc).
        "process_cpu_seconds_total", "process_resident_memory_bytes", "process_virtual_memory_bytes",
        "process_open_fds", "process_max_fds", "process_start_time_seconds",
    ]

    /// Issue 3 seeds on top of ``seed(_:prefix:)``, on a queue of their own (`sched`) so the spine's
    /// values stay as they were: a message with a `sent_at` header 30 s old, two countdown tasks
    /// held by a worker (one longer than the 1 h visibility timeout), and result metas.
    func seedIssue3(_ redis: RedisServer, now: Double) throws {
        try CelerySeed.bind(redis, queue: "sched")
        let message = String(
            decoding: CelerySeed.message(id: "sent-at-1", queue: "sched", tag: "tag-sent-at"), as: UTF8.self
        )
        .replacingOccurrences(
            of: "\"ignore_result\": false}", with: "\"ignore_result\": false, \"sent_at\": \(now - 30)}")
        #expect(message.contains("sent_at"))
        _ = try redis.command([Array("LPUSH".utf8), Array("sched".utf8), Array(message.utf8)])
        func iso(_ t: Double) -> String {
            let f = ISO8601DateFormatter()
            f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
            return f.string(from: Date(timeIntervalSince1970: t)).replacingOccurrences(of: "Z", with: "+00:00")
        }
        try CelerySeed.unacked(redis, queue: "sched", fetchedAt: now - 5, eta: iso(now + 600))
        try CelerySeed.unacked(redis, queue: "sched", fetchedAt: now - 5, eta: iso(now + 7_200))
        let metas: [(String, Int, String)] = [
            (
                "ok", 86_400,
                #"{"status": "SUCCESS", "result": 5, "traceback": null, "children": [], "date_done": "2026-11-25T16:48:16.098057+00:00", "task_id": "ok"}"#
            ),
            (
                "lost", 86_400,
                #"{"status": "FAILURE", "result": {"exc_type": "WorkerLostError", "exc_message": ["Worker exited prematurely: signal 9 (SIGKILL) Job: 1."], "exc_module": "billiard.exceptions"}, "traceback": null, "children": [], "date_done": "2026-11-25T16:48:16.1+00:00", "task_id": "lost"}"#
            ),
            (
                "run", 86_340,
                #"{"status": "STARTED", "result": {"pid": 14240, "hostname": "w1@vm"}, "traceback": null, "children": [], "date_done": null, "task_id": "run"}"#
            ),
        ]
        for (id, ttl, value) in metas {
            _ = try redis.command([
                Array("SETEX".utf8), Array("celery-task-meta-\(id)".utf8), Array(String(ttl).utf8), Array(value.utf8),
            ])
        }
    }

    /// Seeds two bound queues (one with three priority lists), unacked tasks of which one is stranded.
    func seed(_ redis: RedisServer, prefix: String = "") throws -> Double {
        try CelerySeed.bind(redis, queue: "celery", prefix: prefix)
        try CelerySeed.bind(redis, queue: "high", prefix: prefix)
        try CelerySeed.enqueue(redis, queue: "celery", step: 0, count: 3, prefix: prefix)
        try CelerySeed.enqueue(redis, queue: "celery", step: 3, count: 2, prefix: prefix)
        try CelerySeed.enqueue(redis, queue: "celery", step: 9, count: 1, prefix: prefix)
        let now = Date().timeIntervalSince1970
        try CelerySeed.unacked(redis, queue: "celery", fetchedAt: now - 10, prefix: prefix)
        try CelerySeed.unacked(redis, queue: "celery", fetchedAt: now - 20, prefix: prefix)
        try CelerySeed.unacked(redis, queue: "celery", fetchedAt: now - 4000, prefix: prefix)
        try CelerySeed.unacked(redis, queue: "high", fetchedAt: now - 5, prefix: prefix)
        return now
    }

    func waitReady(_ exporter: ExporterProcess) throws {
        let ready = waitUntil(timeout: 10) { (try? exporter.get("/-/ready"))?.status == 200 }
        #expect(ready, "not ready; stderr: \(exporter.stderr)")
        // The Pub/Sub listener connects on its own thread; wait for it so values are deterministic.
        let subscribed = waitUntil(timeout: 10) {
            MetricsText(text: (try? exporter.get("/metrics").text) ?? "").value("celery_redis_event_subscriber_up") == 1
        }
        #expect(subscribed, "event subscriber not up; stderr: \(exporter.stderr)")
    }

    @Test func servesExactCeleryValuesAndGoldenText() throws {
        let redis = try RedisServer()
        let seededAt = try seed(redis)
        try seedIssue3(redis, now: seededAt)
        let exporter = try ExporterProcess(arguments: [
            "--redis.url=redis://127.0.0.1:\(redis.port)/0", "--poll.interval=0.2s", "--celery.queues=other",
        ])
        try waitReady(exporter)
        // The census runs on its own thread; its first pass (and a reconciliation if the
        // subscription came after that pass began) lands within a poll or two.
        let counted = waitUntil(timeout: 10) {
            MetricsText(text: (try? exporter.get("/metrics").text) ?? "").value(
                "celery_redis_task_meta_keys", ["state": "STARTED"]) == 1
        }
        #expect(counted, "census never published; stderr: \(exporter.stderr)")
        let response = try exporter.get("/metrics")
        #expect(response.status == 200)
        #expect(response.headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8")
        let metrics = MetricsText(text: response.text)
        #expect(metrics.value("celery_redis_up") == 1)
        #expect(metrics.value("celery_redis_queue_length", ["queue": "celery"]) == 6)
        #expect(metrics.value("celery_redis_queue_length", ["queue": "high"]) == 0)
        #expect(metrics.value("celery_redis_queue_length", ["queue": "other"]) == 0)
        #expect(metrics.value("celery_redis_unacked_tasks", ["queue": "celery"]) == 3)
        #expect(metrics.value("celery_redis_unacked_tasks", ["queue": "high"]) == 1)
        #expect(metrics.value("celery_redis_unacked_stranded_tasks", ["queue": "celery"]) == 1)
        #expect(metrics.value("celery_redis_unacked_stranded_tasks", ["queue": "high"]) == 0)
        let age = metrics.value("celery_redis_unacked_oldest_age_seconds", ["queue": "celery"]) ?? -1
        let expectedAge = Date().timeIntervalSince1970 - (seededAt - 4000)
        #expect(abs(age - expectedAge) < 2, "oldest age \(age), expected about \(expectedAge)")
        #expect(metrics.value("celery_redis_unacked_unclassified_tasks") == 0)
        #expect(metrics.value("celery_redis_poll_errors_total", ["stage": "queues"]) == 0)
        #expect(
            metrics.value(
                "celery_redis_build_info",
                [
                    "version": ExporterVersion.version, "revision": ExporterVersion.revision,
                    "swift_version": ExporterVersion.swiftVersion,
                ])
                == 1)

        // Issue 3: oldest waiting message (exact from sent_at), the in-flight split, the census.
        let waiting = metrics.value("celery_redis_queue_oldest_message_age_seconds", ["queue": "sched"]) ?? -1
        let expectedWaiting = Date().timeIntervalSince1970 - (seededAt - 30)
        #expect(abs(waiting - expectedWaiting) < 2, "oldest message age \(waiting), expected about \(expectedWaiting)")
        #expect(metrics.value("celery_redis_queue_oldest_message_age_seconds", ["queue": "high"]) == 0)
        #expect(metrics.value("celery_redis_scheduled_tasks", ["queue": "sched"]) == 2)
        #expect(metrics.value("celery_redis_scheduled_tasks", ["queue": "celery"]) == 0)
        #expect(metrics.value("celery_redis_eta_beyond_visibility_tasks", ["queue": "sched"]) == 1)
        #expect(metrics.value("celery_redis_queue_redelivered_tail_messages", ["queue": "celery"]) == 0)
        #expect(metrics.value("celery_redis_task_meta_keys", ["state": "SUCCESS"]) == 1)
        #expect(metrics.value("celery_redis_task_meta_keys", ["state": "FAILURE"]) == 1)
        #expect(metrics.value("celery_redis_task_meta_keys", ["state": "STARTED"]) == 1)
        #expect(metrics.value("celery_redis_task_meta_keys", ["state": "unknown"]) == 0)
        #expect(metrics.value("celery_redis_task_meta_worker_lost_keys") == 1)
        let started = metrics.value("celery_redis_started_task_oldest_age_seconds") ?? -1
        let expectedStarted = Date().timeIntervalSince1970 - (seededAt - 60)
        #expect(abs(started - expectedStarted) < 3, "started age \(started), expected about \(expectedStarted)")
        #expect(metrics.value("celery_redis_orphaned_started_tasks") == nil, "no worker information wired: omitted")

        // Issue 11: the poll's phases add up to its duration; rules (evaluated after it) is apart.
        let phases = ["discovery", "queues", "unacked", "fold_in", "backlog", "tails"].compactMap {
            metrics.value("celery_redis_poll_phase_seconds", ["phase": $0])
        }
        #expect(phases.count == 6 && phases.allSatisfy { $0 >= 0 })
        let duration = metrics.value("celery_redis_poll_duration_seconds") ?? -1
        #expect(abs(phases.reduce(0, +) - duration) < 1e-6, "phases \(phases) vs poll duration \(duration)")
        #expect((metrics.value("celery_redis_poll_phase_seconds", ["phase": "rules"]) ?? -1) >= 0)

        // Golden file: everything but the time-dependent values is fixed.
        let golden = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
            "Golden/metrics.txt")
        let normalized = metrics.normalized(timeDependent: Self.timeDependent)
        if ProcessInfo.processInfo.environment["UPDATE_GOLDEN"] == "1" {
            try normalized.write(to: golden, atomically: true, encoding: .utf8)
        }
        let expected = try String(contentsOf: golden, encoding: .utf8)
        #expect(normalized == expected)
        // Every served family is the catalogue's: declared type, HELP and label names.
        #expect(ServedCatalogue.problems(response.text) == [])

        // promtool lints the live output: zero problems.
        let lint = try runCommand(try requireTool("promtool"), ["check", "metrics"], input: Data(response.body))
        #expect(lint.status == 0, "promtool: \(lint.stdout) \(lint.stderr)")
        #expect(lint.stdout.isEmpty && lint.stderr.isEmpty, "promtool reported: \(lint.stdout)\(lint.stderr)")
        #expect(exporter.terminate() == 0)
    }

    @Test func negotiatesOpenMetricsAndGzip() throws {
        let redis = try RedisServer()
        _ = try seed(redis)
        let exporter = try ExporterProcess(arguments: [
            "--redis.url=redis://127.0.0.1:\(redis.port)/0", "--poll.interval=0.2s",
        ])
        try waitReady(exporter)
        let prometheusAccept =
            "application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.5,"
            + "application/openmetrics-text;version=0.0.1;q=0.4,text/plain;version=1.0.0;escaping=allow-utf-8;q=0.3,"
            + "text/plain;version=0.0.4;q=0.2,*/*;q=0.1"
        let om = try exporter.get("/metrics", headers: ["Accept": prometheusAccept])
        #expect(om.headers["content-type"] == "application/openmetrics-text; version=1.0.0; charset=utf-8")
        #expect(om.text.hasSuffix("# EOF\n"))
        #expect(om.text.contains("# TYPE celery_redis_poll_errors counter"))
        #expect(om.text.contains("celery_redis_poll_errors_total{stage=\"queues\"} 0"))

        let gz = try exporter.get("/metrics", headers: ["Accept-Encoding": "gzip"])
        #expect(gz.headers["content-encoding"] == "gzip")
        let dir = try makeTemporaryDirectory()
        let file = dir.appendingPathComponent("m.gz")
        try Data(gz.body).write(to: file)
        let unzipped = try runCommand(try requireTool("gzip"), ["-dc", file.path])
        #expect(unzipped.status == 0)
        #expect(MetricsText(text: unzipped.stdout).value("celery_redis_queue_length", ["queue": "celery"]) == 6)

        let head = try exporter.get("/metrics", method: "HEAD")
        #expect(head.status == 200 && head.body.isEmpty && head.headers["content-length"] != nil)
        #expect(try exporter.get("/nope").status == 404)
        #expect(try exporter.get("/metrics", method: "POST").status == 405)
        let landing = try exporter.get("/")
        #expect(landing.status == 200 && landing.text.contains("href=\"/metrics\""))
        exporter.terminate()
    }

    @Test func keyPrefixIsHonoured() throws {
        let redis = try RedisServer()
        _ = try seed(redis, prefix: "prod:")
        let exporter = try ExporterProcess(arguments: [
            "--redis.url=redis://127.0.0.1:\(redis.port)/0", "--poll.interval=0.2s", "--celery.key-prefix=prod:",
        ])
        try waitReady(exporter)
        let metrics = MetricsText(text: try exporter.get("/metrics").text)
        #expect(metrics.value("celery_redis_queue_length", ["queue": "celery"]) == 6)
        #expect(metrics.value("celery_redis_unacked_tasks", ["queue": "celery"]) == 3)
        #expect(metrics.value("celery_redis_queue_length", ["queue": "prod:celery"]) == nil)
        exporter.terminate()
    }

    @Test func survivesRedisOutageAndRecovers() throws {
        let redis = try RedisServer()
        _ = try seed(redis)
        let exporter = try ExporterProcess(arguments: [
            "--redis.url=redis://127.0.0.1:\(redis.port)/0", "--poll.interval=0.3s",
            "--redis.connect-timeout=0.5s", "--redis.read-timeout=0.5s",
        ])
        try waitReady(exporter)
        redis.stop()
        let down = waitUntil(timeout: 10) {
            MetricsText(text: (try? exporter.get("/metrics").text) ?? "").value("celery_redis_up") == 0
        }
        #expect(down)
        let metrics = MetricsText(text: try exporter.get("/metrics").text)
        #expect(
            metrics.value("celery_redis_queue_length", ["queue": "celery"]) == nil,
            "stale queue values served while down")
        let ready = try exporter.get("/-/ready")
        #expect(ready.status == 503)
        #expect(ready.text.hasPrefix("Not ready:") && !ready.text.dropLast().contains("\n"))
        #expect(try exporter.get("/-/healthy").status == 200)
        let errors = PollStageNames.all.compactMap { metrics.value("celery_redis_poll_errors_total", ["stage": $0]) }
            .reduce(0, +)
        #expect(errors >= 1)

        try redis.restart()
        // Recovery within two polls of Redis being back (plus the reconnect backoff, capped low here).
        let back = waitUntil(timeout: 10) {
            MetricsText(text: (try? exporter.get("/metrics").text) ?? "").value("celery_redis_up") == 1
        }
        #expect(back, "did not recover; stderr: \(exporter.stderr)")
        #expect(exporter.process.isRunning)
        #expect(exporter.terminate() == 0)
    }

    @Test func passwordFromEnvironmentIsNeverLogged() throws {
        let secret = "s3cr3t-\(UUID().uuidString.prefix(6))"
        let redis = try RedisServer(password: secret)
        _ = try seed(redis)
        let exporter = try ExporterProcess(
            arguments: ["--redis.url=redis://127.0.0.1:\(redis.port)/0", "--poll.interval=0.2s", "--log.level=debug"],
            environment: ["CELERY_REDIS_EXPORTER_REDIS_PASSWORD": secret])
        try waitReady(exporter)
        let body = try exporter.get("/metrics").text
        #expect(MetricsText(text: body).value("celery_redis_up") == 1)
        #expect(!body.contains(secret))
        exporter.terminate()
        #expect(!exporter.stderr.contains(secret))
        #expect(exporter.stderr.contains("level=info"))
    }

    @Test func wrongPasswordIsReportedWithoutTheSecret() throws {
        let redis = try RedisServer(password: "right-one")
        let exporter = try ExporterProcess(
            arguments: ["--redis.url=redis://:wrong-one@127.0.0.1:\(redis.port)/0", "--poll.interval=0.2s"])
        let failed = waitUntil(timeout: 10) { exporter.stderr.contains("poll of Redis failed") }
        #expect(failed)
        #expect(try exporter.get("/-/ready").status == 503)
        exporter.terminate()
        #expect(!exporter.stderr.contains("wrong-one"))
    }

    @Test(arguments: [
        (["--no-such-flag"], "unknown flag --no-such-flag"),
        (["--poll.interval=soon"], "--poll.interval=soon: expected a duration"),
        (["--redis.url=http://localhost"], "--redis.url"),
        (["--redis.password-file=/nonexistent/pw"], "--redis.password-file=/nonexistent/pw: cannot read"),
        (["--web.listen-address=nonsense"], "--web.listen-address=nonsense: expected"),
        (["--log.format=xml"], "--log.format=xml: expected logfmt or json"),
    ])
    func badStartUpInputExitsWithStatus2(arguments: [String], message: String) throws {
        let result = try runExporterToExit(arguments)
        #expect(result.status == 2)
        #expect(result.stderr.contains(message), "stderr was: \(result.stderr)")
        #expect(result.stderr.split(separator: "\n").count == 1, "expected one line, got: \(result.stderr)")
    }

    @Test func portInUseIsAStartUpError() throws {
        let exporter = try ExporterProcess(arguments: ["--redis.url=redis://127.0.0.1:1/0"])
        let result = try runExporterToExit([
            "--web.listen-address=127.0.0.1:\(exporter.port)", "--redis.url=redis://127.0.0.1:1/0",
        ])
        #expect(result.status == 2)
        #expect(result.stderr.contains("cannot listen"))
        exporter.terminate()
    }

    @Test func tlsToRedisIsVerified() throws {
        let certs = try TestCertificates()
        let redis = try RedisServer(tls: (certs.serverCert, certs.serverKey, certs.caCert))
        _ = try seed(redis)
        let tlsPort = try #require(redis.tlsPort)
        let exporter = try ExporterProcess(arguments: [
            "--redis.url=rediss://localhost:\(tlsPort)/0", "--redis.tls.ca-file=\(certs.caCert)",
            "--poll.interval=0.2s",
        ])
        try waitReady(exporter)
        #expect(
            MetricsText(text: try exporter.get("/metrics").text).value("celery_redis_queue_length", ["queue": "celery"])
                == 6)
        exporter.terminate()

        // An untrusted CA never falls back to plaintext: the poll fails at connect and readiness says why.
        let untrusted = try ExporterProcess(arguments: [
            "--redis.url=rediss://localhost:\(tlsPort)/0", "--redis.tls.ca-file=\(certs.wrongCACert)",
            "--poll.interval=0.2s",
        ])
        let failed = waitUntil(timeout: 10) {
            MetricsText(text: (try? untrusted.get("/metrics").text) ?? "").value(
                "celery_redis_poll_errors_total", ["stage": "connect"]) ?? 0 >= 1
        }
        #expect(failed, "stderr: \(untrusted.stderr)")
        #expect(try untrusted.get("/-/ready").status == 503)
        untrusted.terminate()

        let bad = try runExporterToExit([
            "--redis.url=rediss://localhost:\(tlsPort)/0", "--redis.tls.ca-file=/etc/hostname",
        ])
        #expect(bad.status == 2 && bad.stderr.contains("Redis TLS settings"), "stderr: \(bad.stderr)")
    }

    @Test func versionAndHelp() throws {
        let version = try runCommand(try ExporterProcess.binaryPath(), ["--version"])
        #expect(version.status == 0 && version.stdout.contains("celery-redis-exporter \(ExporterVersion.version)"))
        let help = try runCommand(try ExporterProcess.binaryPath(), ["--help"])
        #expect(help.status == 0)
        for flag in ["--redis.url", "--poll.interval", "--web.listen-address", "CELERY_REDIS_EXPORTER_REDIS_URL"] {
            #expect(help.stdout.contains(flag))
        }
    }
}

enum PollStageNames {
    static let all = ["connect", "discovery", "queues", "unacked"]
}
