import Foundation
import TestSupport
import Testing

extension CeleryIntegration {
    /// Issue 10 item 7: the exporter runs as a Redis ACL user with exactly the rule the README
    /// gives ("Minimal Redis ACL", read from README.md so the two cannot drift apart) and still
    /// reads everything of a real Celery deployment, and Redis's own `ACL LOG` shows that it never
    /// asked for anything the rule denies.
    @Suite struct LeastPrivilege {
        /// The README's `ACL SETUSER …` line, split into arguments.
        static func readmeACLRule() throws -> [String] {
            let readme = try String(
                contentsOf: CeleryEnvironment.repositoryRoot.appendingPathComponent("README.md"),
                encoding: .utf8)
            guard let section = readme.range(of: "### Minimal Redis ACL"),
                let line = readme[section.upperBound...].split(separator: "\n").first(where: {
                    $0.hasPrefix("ACL SETUSER ")
                })
            else { throw HarnessError("README.md has no 'ACL SETUSER' line under '### Minimal Redis ACL'") }
            return line.split(separator: " ").map(String.init)
        }

        /// Denied commands, keys and channels from `ACL LOG` (the `object` field of each entry).
        static func deniedObjects(_ redis: RedisServer) throws -> (objects: [String], raw: String) {
            let raw = try redis.cli(["ACL", "LOG"]).stdout
            let lines = raw.split(separator: "\n").map(String.init)
            var objects: [String] = []
            for (i, line) in lines.enumerated() where line == "object" && i + 1 < lines.count {
                objects.append(lines[i + 1])
            }
            return (objects, raw)
        }

        /// `task_acks_late` + `task_track_started`, results in db 1 of the broker's server (so the
        /// exporter needs `SELECT` as the README says). w1 `-c1 -m1` has finished add and boom and
        /// runs slow(30) (unacked under acks_late, STARTED meta; its prefetch slot is taken, so
        /// nothing else is fetched); waiting: a slow task with a 200 KB argument at the tail (read
        /// as head and tail slices by the Lua script), an add, an add with countdown 60 and an add
        /// of priority 5 (`celery\x06\x163`).
        /// The exporter, as the ACL user on both connections, agrees with Redis on queues, unacked
        /// and the census, counts no command error, reads the large tail (no
        /// `scripting_unavailable`), sees w1 and both subscriptions up, and `ACL LOG` holds no
        /// denial (but `CLIENT SETNAME`, which is optional, if the README's rule leaves it out).
        @Test func readmeACLUserReadsARealCeleryDeployment() throws {
            let rule = try Self.readmeACLRule()
            guard rule.count > 3, let passwordArgument = rule.first(where: { $0.hasPrefix(">") }) else {
                throw HarnessError("unexpected ACL rule: \(rule)")
            }
            let user = rule[2]
            let scenario = try CeleryScenario(resultBackend: .brokerServer(db: 1)) {
                $0.acksLate = true
                $0.trackStarted = true
            }
            let created = try scenario.redis.cli(rule)
            #expect(created.stdout.contains("OK"), "ACL SETUSER from the README failed: \(created)")
            let passwordFile = scenario.directory.appendingPathComponent("redis-password")
            try String(passwordArgument.dropFirst()).write(to: passwordFile, atomically: true, encoding: .utf8)
            let truth = scenario.truth()
            let exporter = try scenario.startExporter(
                queues: ["celery"],
                extraArguments: [
                    "--redis.user=\(user)", "--redis.password-file=\(passwordFile.path)",
                    "--celery.result-backend-user=\(user)",
                    "--celery.result-backend-password-file=\(passwordFile.path)",
                    // Reconciliation passes (SCAN, PTTL, GETRANGE) during the test, not only live writes.
                    "--celery.census-interval=2s",
                ])
            try exporter.waitForSubscriber()
            #expect(
                exporter.scrape(until: 10) { $0.value("celery_redis_result_backend_up") == 1 } != nil,
                "result backend connection as \(user): \(exporter.process.stderr.suffix(1500))")
            try scenario.startWorker("w1", concurrency: 1, prefetchMultiplier: 1)
            #expect(exporter.scrape(until: 6) { $0.workers == 1 } != nil, "worker heartbeats as \(user)")

            let done = try scenario.producer.send([.add(1, 1), .boom()])
            try truth.waitForStatuses(done, in: ["SUCCESS", "FAILURE"], timeout: 20)
            let running = try scenario.producer.send([.slow(30, tag: "run")])
            try truth.waitForStatuses(running, in: ["STARTED"], timeout: 15)
            _ = try scenario.producer.send([
                .slow(1, tag: "big", padBytes: 200_000), .add(2, 2),
                .add(3, 3, priority: 5), .add(4, 4, countdown: 60),
            ])
            let held = try truth.waitFor("4 waiting, 1 unacked", queues: ["celery"], timeout: 15) {
                $0.queue("celery").length == 4 && $0.zcard == 1
            }
            #expect(held.queue("celery").lists.count == 2, "scenario: two priority lists in use: \(held.summary)")

            let obs = try Agreement.expectAgreement(exporter, truth, queues: ["celery"], "as ACL user \(user)")
            try Agreement.expectCensusAgreement(exporter, truth, "as ACL user \(user)")
            let s = try exporter.scrape(polledAfter: obs.scrape.time)
            #expect(s.up == 1)
            #expect(
                s.oldestMessageAge("celery") != nil,
                "the large tail was not read: \(s.text.split(separator: "\n").filter { $0.contains("unread") })")
            let unread = s.text.split(separator: "\n").filter {
                $0.contains("scripting_unavailable") && !$0.hasPrefix("#") && !$0.hasSuffix(" 0")
            }
            #expect(unread.isEmpty, "scripting refused under the README rule: \(unread)")
            let commandErrors = s.text.split(separator: "\n").filter {
                $0.hasPrefix("celery_redis_command_errors_total{") && !$0.hasSuffix(" 0")
            }
            #expect(commandErrors.isEmpty, "Redis refused commands: \(commandErrors)")
            #expect(s.subscriberUp == 1 && s.value("celery_redis_result_backend_up") == 1)

            let denied = try Self.deniedObjects(scenario.redis)
            trace("ACL LOG objects: \(denied.objects)")
            let unexpected = denied.objects.filter { $0 != "client|setname" }
            #expect(unexpected.isEmpty, "ACL LOG shows denied commands, keys or channels: \(denied.raw)")
            let noperm = exporter.process.stderr.split(separator: "\n").filter {
                $0.contains("NOPERM") && !$0.contains("CLIENT SETNAME refused")
            }
            #expect(noperm.isEmpty, "NOPERM in the exporter log: \(noperm.prefix(5))")
        }
    }
}
