import Foundation
import TestSupport
import Testing

@testable import Alerting

/// Issue 9: a FIFO matched by `--rules.file` used to block `fopen` forever (start-up or reload hung
/// with no output). Only regular files are read.
struct RuleLoaderFileTypeTests {
    @Test func fifoRuleFileIsRefusedWithoutBlocking() throws {
        let path = try makeTemporaryDirectory("fifo-rules").appendingPathComponent("rules.yml").path
        #expect(mkfifo(path, 0o600) == 0)
        let error = #expect(throws: RuleLoadError.self) { try RuleLoader.load(patterns: [path]) }
        #expect(error?.description.contains("not a regular file (a FIFO)") == true, "\(String(describing: error))")
    }
}
