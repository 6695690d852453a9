import Testing

/// Real-Celery end-to-end proof (issue 3, item 7): real `celery worker`/`celery beat` processes
/// from `.venv-celery` (made by `scripts/setup-celery-venv.sh`) against a real `redis-server`,
/// the built exporter polling every 0.5 s, and every exporter number compared with ground truth
/// read from Redis at the same moment (``Agreement``).
///
/// Everything runs serialized: each scenario starts its own Redis and up to two prefork workers,
/// and the suite must stay within about four minutes on two cores. Nested suites (one per concern)
/// live in extensions of this type, so `.serialized` covers them all.
///
/// Pieces (one type per concern):
/// - ``CeleryScenario``: one scenario's Redis, Celery config, scratch dir, processes; stops all.
/// - ``CeleryConfig``: Celery settings → `CIT_*` variables read by `celeryapp/app.py`.
/// - ``CeleryWorker`` / ``CeleryBeat`` over ``CeleryProcess``: started from the venv, stopped by pid
///   (SIGTERM, then SIGKILL of main process and pool children), spawned with an empty signal mask.
/// - ``CeleryProducer``: publishes via `celeryapp/send.py` like an application does.
/// - ``RedisTruth``: ground truth via redis-py (`celeryapp/truth.py`, `results.py`, `tails.py`,
///   `metas.py`), one MULTI/EXEC each.
/// - ``ExporterUnderTest`` / ``Scrape``: the built binary and its parsed `/metrics`.
/// - ``Agreement``: compares the two at a moment Redis held still for one exporter poll.
///
/// Adding a scenario: `let scenario = try CeleryScenario { $0.acksLate = true }`, publish with
/// `scenario.producer.send([...])`, start `scenario.startExporter(queues:)` and workers, wait for
/// the state with `truth.waitFor` / `truth.waitForStatuses`, then `Agreement.expectAgreement` and
/// scenario-specific `#expect`s on `obs.truth` (the state really is what the scenario claims) and
/// `obs.scrape`. `CIT_TRACE=1` prints progress; `CIT_KEEP_LOGS=1` keeps worker logs in
/// `$TMPDIR/celery-it-*`.
///
/// Issue-3 metrics: WaitingAgeTests (oldest waiting message age, `tails.py`), ScheduledTests
/// (scheduled / eta-beyond-visibility / redelivered tails), ResultsTests (live result counts,
/// runtime histogram, worker-lost, task names; census vs `metas.py` via
/// ``Agreement/expectCensusAgreement``), WorkerLivenessTests (heartbeats, orphaned STARTED
/// tasks), OrphanedTests (acks_late orphans; restarts under the same node name).
///
/// Issue-10 shapes: ResultBackendTests (`CeleryScenario(resultBackend: .brokerServer(db: 1))` or
/// `.otherServer`: results elsewhere, the exporter with `--celery.result-backend-url`),
/// LeastPrivilegeTests (the README's ACL rule as the exporter's user, `ACL LOG` checked).
/// ``Agreement/expectAgreement`` also checks scheduled and eta-beyond-visibility per queue.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct CeleryIntegration {}
