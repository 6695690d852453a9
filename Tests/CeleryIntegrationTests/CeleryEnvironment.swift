import Foundation
import TestSupport

/// Where the real Celery comes from: the virtualenv made by `scripts/setup-celery-venv.sh` (at
/// `<repo>/.venv-celery`, or `$CELERY_VENV`) and the test app in `celeryapp/` next to this file.
///
/// A missing venv or a venv without celery is a test **failure** naming the setup script, never a
/// skip: CI must prove the exporter against real Celery.
struct CeleryEnvironment: Sendable {
    /// The repository root (three levels above this file).
    static let repositoryRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// `Tests/CeleryIntegrationTests/celeryapp`: app.py, send.py, truth.py, results.py.
    static let appDirectory: URL = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("celeryapp")

    /// The venv's `bin` directory.
    let bin: URL
    /// `bin/python` of the venv.
    var python: String { bin.appendingPathComponent("python").path }
    /// `bin/celery` of the venv.
    var celery: String { bin.appendingPathComponent("celery").path }

    /// Checks the venv once per process; every later call returns the cached answer.
    static func require() throws -> CeleryEnvironment {
        try cached.get()
    }

    private static let cached: Result<CeleryEnvironment, HarnessError> = {
        let venv =
            ProcessInfo.processInfo.environment["CELERY_VENV"].map { URL(fileURLWithPath: $0) }
            ?? repositoryRoot.appendingPathComponent(".venv-celery")
        let env = CeleryEnvironment(bin: venv.appendingPathComponent("bin"))
        let fix = "run scripts/setup-celery-venv.sh (it creates \(venv.path) with celery[redis]==5.7.0)"
        guard FileManager.default.isExecutableFile(atPath: env.python),
            FileManager.default.isExecutableFile(atPath: env.celery)
        else {
            return .failure(HarnessError("no Celery virtualenv at \(venv.path): \(fix)"))
        }
        guard
            let check = try? runCommand(
                env.python, ["-c", "import celery, kombu, redis; print(celery.__version__)"],
                environment: CeleryConfig.baseEnvironment()),
            check.status == 0
        else {
            return .failure(
                HarnessError("the virtualenv at \(venv.path) cannot import celery, kombu and redis: \(fix)"))
        }
        return .success(env)
    }()
}

/// Progress line on standard error when `CIT_TRACE=1` (to see where a slow scenario spends time).
func trace(_ message: @autoclosure () -> String) {
    guard ProcessInfo.processInfo.environment["CIT_TRACE"] == "1" else { return }
    let line = String(format: "[cit %.3f] ", Date().timeIntervalSince1970) + message() + "\n"
    FileHandle.standardError.write(Data(line.utf8))
}
