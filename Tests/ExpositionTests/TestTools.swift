import Foundation
import TestSupport

/// Runs external tools for the tests; a missing tool throws (the test fails, it is never skipped).
enum TestTools {
    /// Runs `tool` (looked up with `requireTool`) with `arguments`, feeding `input` on stdin.
    static func run(_ tool: String, _ arguments: [String], input: Data? = nil) throws
        -> (status: Int32, stdout: String, stderr: String)
    {
        try runCommand(try requireTool(tool), arguments, input: input)
    }
}
