import Exposition
import Foundation
import Testing

@Suite struct GzipTests {
    /// Named inputs (the names keep the test log short).
    static func input(_ name: String) -> [UInt8] {
        switch name {
        case "empty": return []
        case "one byte": return Array("a".utf8)
        case "metrics": return MetricEncoder.encode(ExpositionFixtures.basic, as: .prometheusText)
        case "1 MiB random":  // incompressible, from a fixed LCG seed
            var state: UInt64 = 42
            return (0..<(1 << 20)).map { _ in
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                return UInt8(truncatingIfNeeded: state >> 33)
            }
        case "3 MiB of A": return [UInt8](repeating: 0x41, count: 3 << 20)  // inflates over many chunks
        default: fatalError("unknown input \(name)")
        }
    }

    @Test(arguments: ["empty", "one byte", "metrics", "1 MiB random", "3 MiB of A"])
    func roundTrip(_ name: String) throws {
        let input = Self.input(name)
        for level: Int32 in [-1, 0, 1, 6, 9] {
            let compressed = Gzip.compress(input, level: level)
            #expect(compressed.starts(with: [0x1F, 0x8B, 0x08]))  // gzip magic + deflate
            #expect(try Gzip.decompress(compressed) == input)
        }
    }

    @Test func compressesMetricsWell() {
        let queues = (0..<1000).map { Sample(labels: [Label("queue", "queue-\($0)")], value: Double($0)) }
        let body = MetricEncoder.encode(
            [MetricFamily(name: "q", help: "h", type: .gauge, samples: queues)], as: .prometheusText)
        #expect(Gzip.compress(body).count * 4 < body.count)
    }

    @Test func systemGunzipReadsOurOutput() throws {
        let body = MetricEncoder.encode(ExpositionFixtures.basic, as: .openMetrics)
        let result = try TestTools.run("gzip", ["-dc"], input: Data(Gzip.compress(body)))
        #expect(result.status == 0, "gzip -dc failed: \(result.stderr)")
        #expect(result.stdout == body.text)
    }

    @Test func corruptInputThrows() {
        var compressed = Gzip.compress(Array("hello, metrics".utf8))
        compressed[compressed.count - 6] ^= 0xFF  // break the CRC-32 trailer
        #expect(throws: GzipError.self) { try Gzip.decompress(compressed) }
        #expect(throws: GzipError.self) { try Gzip.decompress(Array("not gzip at all".utf8)) }
    }

    /// The message is one line from zlib's code and text, never the input's bytes.
    @Test func corruptInputMessageDoesNotQuoteTheInput() throws {
        let error = try #require(throws: GzipError.self) { try Gzip.decompress(Array("not gzip at all".utf8)) }
        guard case .zlib(let code, let message) = error else {
            Issue.record("expected a zlib error, got \(error)")
            return
        }
        #expect(error.description.contains("\(code)") && error.description.contains(message))
        #expect(!error.description.contains("not gzip") && !error.description.contains("\n"))
    }

    @Test func truncatedInputThrows() {
        let compressed = Gzip.compress([UInt8](repeating: 7, count: 100_000))
        #expect(throws: GzipError.truncated) { try Gzip.decompress(Array(compressed.dropLast(10))) }
        #expect(throws: GzipError.truncated) { try Gzip.decompress([]) }
    }

    @Test func outputLimitIsEnforced() {
        let compressed = Gzip.compress([UInt8](repeating: 0, count: 1 << 20))
        #expect(throws: GzipError.tooLarge(limit: 1000)) { try Gzip.decompress(compressed, limit: 1000) }
        #expect((try? Gzip.decompress(compressed, limit: 1 << 20))?.count == 1 << 20)
    }
}
