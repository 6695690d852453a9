import Foundation
import Testing
import TestSupport

@testable import Notify

/// Issue 9: a FIFO as `url_file`, `secret_file` or the configuration itself used to block `open`
/// forever (start-up or reload hung). Only regular files are read.
struct FileContentsTests {
    @Test func fifoIsRefusedWithoutBlocking() throws {
        let path = try makeTemporaryDirectory("fifo").appendingPathComponent("secret").path
        #expect(mkfifo(path, 0o600) == 0)
        guard case .failure(let error) = FileContents.read(path) else {
            Issue.record("a FIFO was read")
            return
        }
        #expect(error.reason == "not a regular file (a FIFO)")
    }

    @Test func directoryIsRefused() throws {
        let dir = try makeTemporaryDirectory("dir")
        guard case .failure(let error) = FileContents.read(dir.path) else {
            Issue.record("a directory was read")
            return
        }
        #expect(error.reason == "not a regular file (a directory)")
    }

    @Test func regularFileIsReadAndSizeIsCapped() throws {
        let file = try makeTemporaryDirectory("regular").appendingPathComponent("url")
        try "https://hooks.example/x\n".write(to: file, atomically: true, encoding: .utf8)
        #expect(try FileContents.read(file.path).get() == Array("https://hooks.example/x\n".utf8))
        guard case .failure(let error) = FileContents.read(file.path, maxBytes: 4) else {
            Issue.record("the size cap was not applied")
            return
        }
        #expect(error.reason == "larger than 4 bytes")
    }
}
