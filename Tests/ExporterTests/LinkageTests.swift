import Foundation
import TestSupport
import Testing

/// Issue 11 item 3: Foundation, its ICU and Yams are not linked into the exporter (they were a
/// third of the idle RSS and came in only through Yams). The binary built for these tests has the
/// release build's dependencies; `scripts/check-linkage.sh` checks the release binary itself.
@Suite struct LinkageTests {
    @Test func theExporterLinksNoFoundation() throws {
        let readelf = try requireTool("readelf")
        let binary = try ExporterProcess.binaryPath()
        let result = try runCommand(readelf, ["-d", binary])
        #expect(result.status == 0, "\(result.stderr)")
        let needed = result.stdout.split(separator: "\n").filter { $0.contains("(NEEDED)") }.map { line in
            String(line.split(separator: "[").last?.dropLast() ?? "")
        }
        #expect(needed.contains { $0.hasPrefix("libyaml-0.so") }, "\(needed)")
        #expect(needed.contains { $0.hasPrefix("libhiredis") }, "\(needed)")
        let unwanted = needed.filter { name in
            ["foundation", "icu", "yams"].contains { name.lowercased().contains($0) }
        }
        #expect(unwanted.isEmpty, "linked again: \(unwanted)")
    }
}
