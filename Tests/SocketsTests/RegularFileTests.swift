import Foundation
import Sockets
import TestSupport
import Testing

/// The one file reader. Issue 9: a FIFO as `url_file`, `secret_file` or the configuration itself
/// used to block `open` forever (start-up or reload hung). Only regular files are read, within a
/// byte budget, and every error names the file.
struct RegularFileTests {
    @Test func fifoIsRefusedWithoutBlocking() throws {
        let path = try makeTemporaryDirectory("fifo").appendingPathComponent("secret").path
        #expect(mkfifo(path, 0o600) == 0)
        guard case .failure(let error) = RegularFile.read(path) else {
            Issue.record("a FIFO was read")
            return
        }
        #expect(error == RegularFile.ReadError(path: path, kind: .notRegularFile(.fifo)))
        #expect(error.reason == "not a regular file (a FIFO)")
        #expect(error.description == "\(path): not a regular file (a FIFO)")
    }

    @Test func directoryIsRefused() throws {
        let dir = try makeTemporaryDirectory("dir")
        guard case .failure(let error) = RegularFile.read(dir.path) else {
            Issue.record("a directory was read")
            return
        }
        #expect(error.reason == "not a regular file (a directory)")
        #expect(error.path == dir.path)
    }

    @Test func missingFileNamesThePath() throws {
        let path = try makeTemporaryDirectory("missing").appendingPathComponent("nope").path
        guard case .failure(let error) = RegularFile.read(path) else {
            Issue.record("a missing file was read")
            return
        }
        #expect(error.kind == .system(errno: ENOENT))
        #expect(error.description == "\(path): No such file or directory")
        #expect(!error.isTooLarge)
    }

    @Test func regularFileIsReadAndSizeIsCapped() throws {
        let file = try makeTemporaryDirectory("regular").appendingPathComponent("url")
        try "https://hooks.example/x\n".write(to: file, atomically: true, encoding: .utf8)
        #expect(try RegularFile.read(file.path).get() == Array("https://hooks.example/x\n".utf8))
        // Exactly at the budget is read; one byte over is refused, never read in part.
        #expect(try RegularFile.read(file.path, maximumBytes: 24).get().count == 24)
        guard case .failure(let error) = RegularFile.read(file.path, maximumBytes: 4) else {
            Issue.record("the size cap was not applied")
            return
        }
        #expect(error.kind == .tooLarge(limit: 4))
        #expect(error.reason == "larger than 4 bytes")
        #expect(error.isTooLarge)
    }

    @Test func prefixReadStopsAtTheBudget() throws {
        let file = try makeTemporaryDirectory("prefix").appendingPathComponent("cmdline")
        let content = Array(repeating: UInt8(ascii: "x"), count: 40_000)
        try Data(content).write(to: file)
        #expect(try RegularFile.readPrefix(file.path, maximumBytes: 20_000).get() == Array(content[..<20_000]))
        #expect(try RegularFile.readPrefix(file.path, maximumBytes: 50_000).get() == content)
        // /proc files report size 0 but read like regular files.
        #expect(try !RegularFile.readPrefix("/proc/self/cmdline", maximumBytes: 4096).get().isEmpty)
    }
}
