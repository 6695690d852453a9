import Foundation
import TestSupport
import Testing

@testable import Exporter

/// The standard `process_*` metrics and `celery_redis_build_info`, checked against what the kernel
/// and git say about the running exporter (read here independently, from /proc/<pid> and the
/// repository), and the stat-line parser against hostile command names.
@Suite struct ProcessMetricsTests {
    @Test func servedValuesMatchTheKernelsView() throws {
        let started = Date().timeIntervalSince1970
        let exporter = try ExporterProcess(
            arguments: ["--redis.url=redis://127.0.0.1:1/0", "--poll.interval=0.2s"],
            fileLimit: (soft: 1500, hard: 3000))
        defer { _ = exporter.terminate() }
        let pid = exporter.process.processIdentifier
        var metrics = MetricsText(text: "")
        let served = waitUntil(timeout: 10) {
            metrics = MetricsText(text: (try? exporter.get("/metrics").text) ?? "")
            return metrics.value("process_open_fds") != nil
        }
        #expect(served, "no process_open_fds; stderr: \(exporter.stderr)")

        // Start time: the kernel's (boot time + start ticks), so within a second or two of the spawn.
        let start = try #require(metrics.value("process_start_time_seconds"))
        #expect(abs(start - started) < 3, "start \(start), spawned at \(started)")
        // Max fds: the soft limit in /proc/<pid>/limits (the exporter may raise it to the hard limit at start).
        let limits = try String(contentsOfFile: "/proc/\(pid)/limits", encoding: .utf8)
        let line = try #require(limits.split(separator: "\n").first { $0.hasPrefix("Max open files") })
        let soft = try #require(Double(line.split(separator: " ", omittingEmptySubsequences: true)[3]))
        #expect(metrics.value("process_max_fds") == soft)
        // Open fds: what /proc/<pid>/fd lists now, give or take the connections of this test's scrapes.
        let fds = try FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd").count
        let open = try #require(metrics.value("process_open_fds"))
        #expect(open >= 5 && abs(open - Double(fds)) <= 3, "process_open_fds \(open), /proc lists \(fds)")
        // Memory: VmRSS and VmSize of /proc/<pid>/status (kB), within what a few polls can change.
        let status = try String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
        func kilobytes(_ key: String) throws -> Double {
            let line = try #require(status.split(separator: "\n").first { $0.hasPrefix(key + ":") })
            // "VmSize:\t  123 kB", or "VmSize:\t21474836480 kB" with no padding when the number is wide
            // (under AddressSanitizer's shadow memory): split on tabs and spaces alike.
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            return try #require(Double(fields[1])) * 1024
        }
        let rss = try #require(metrics.value("process_resident_memory_bytes"))
        let megabyte = 1_048_576.0
        let vmRSS = try kilobytes("VmRSS")
        let vmSize = try kilobytes("VmSize")
        #expect(rss > megabyte && abs(rss - vmRSS) < 32 * megabyte, "rss \(rss), VmRSS \(vmRSS)")
        let virtual = try #require(metrics.value("process_virtual_memory_bytes"))
        #expect(virtual >= rss && abs(virtual - vmSize) < 256 * megabyte, "virtual \(virtual), VmSize \(vmSize)")
        // CPU: a counter, at most the wall time since start on every core.
        let cpu = try #require(metrics.value("process_cpu_seconds_total"))
        #expect(
            cpu >= 0
                && cpu <= (Date().timeIntervalSince1970 - started)
                    * Double(ProcessInfo.processInfo.activeProcessorCount)
        )
        #expect(metrics.value("celery_redis_process_metrics_read_errors_total") == 0)

        // build_info: the version, a commit this repository has, and the compiler's version.
        let info = try #require(
            (try exporter.get("/metrics").text).split(separator: "\n").first {
                $0.hasPrefix("celery_redis_build_info{")
            })
        let labels = Dictionary(
            uniqueKeysWithValues: info.drop { $0 != "{" }.dropFirst().prefix { $0 != "}" }.split(separator: ",").map {
                pair -> (String, String) in
                let kv = pair.split(separator: "=", maxSplits: 1)
                return (String(kv[0]), String(kv[1].dropFirst().dropLast()))
            })
        #expect(labels["version"] == ExporterVersion.version)
        let revision = try #require(labels["revision"])
        let commit = revision.hasSuffix("-dirty") ? String(revision.dropLast(6)) : revision
        #expect(commit.count == 40 && commit.allSatisfy(\.isHexDigit), "revision \(revision)")
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().path
        let known = try runCommand(try requireTool("git"), ["-C", root, "cat-file", "-e", commit + "^{commit}"])
        #expect(known.status == 0, "revision \(commit) is not a commit of this repository")
        let swift = try runCommand(try requireTool("swift"), ["--version"])
        #expect(swift.stdout.contains("Swift version \(labels["swift_version"] ?? "?") "), "\(swift.stdout)")
    }

    @Test func statLineParsing() {
        // A command name with spaces and parentheses: fields are counted from the last ")".
        let fields = (3...52).map { field -> String in
            switch field {
            case 3: return "S"
            case 14: return "150"  // utime
            case 15: return "50"  // stime
            case 22: return "123456"  // starttime
            case 23: return "536096768"  // vsize
            case 24: return "6581"  // rss pages
            default: return "0"
            }
        }
        let line = "4242 (evil) 1 2 (name) " + fields.joined(separator: " ") + "\n"
        let stat = ProcessStat(Array(line.utf8))
        #expect(stat?.cpuTicks == 200)  // utime + stime
        #expect(stat?.startTicks == 123_456)
        #expect(stat?.virtualBytes == 536_096_768)
        #expect(stat?.residentPages == 6581)
        #expect(ProcessStat(Array("4242 (x) S 1 2".utf8)) == nil)  // truncated
        #expect(ProcessStat(Array("no parenthesis".utf8)) == nil)
        let overflow = line.replacingOccurrences(of: " 536096768 ", with: " 99999999999999999999999 ")
        #expect(ProcessStat(Array(overflow.utf8)) == nil)
        #expect(
            ProcessStat.bootTime(Array("cpu  1 2 3\nintr 5 6\nbtime 1764900000\nprocesses 9\n".utf8)) == 1_764_900_000)
        #expect(ProcessStat.bootTime(Array("cpu 1\n".utf8)) == nil)
    }
}
