import Exposition
import Testing

@testable import Celery

@Suite struct LabelValueLimitTests {
    /// The catalogue cannot see Celery's constants, so its HELP text states them; this keeps them equal.
    @Test func helpTextStatesTheLimitAndMarker() {
        let help = MetricDescriptor.labelValuesTruncated.help
        #expect(help.contains("longer than \(LabelValueLimit.maxBytes) bytes"))
        #expect(help.contains("'\(LabelValueLimit.marker)'"))
    }

    @Test func shortNamesAreUnchanged() {
        for name in ["celery", "w1@vm", "proj.tasks.add", String(repeating: "x", count: LabelValueLimit.maxBytes)] {
            #expect(LabelValueLimit.capped(name) == name)
        }
    }

    @Test func longNamesAreCutWithAHashAndStayDistinct() {
        let stem = String(repeating: "q", count: 1 << 20)
        let a = LabelValueLimit.capped(stem + "a")
        let b = LabelValueLimit.capped(stem + "b")
        #expect(a != b)
        #expect(a.utf8.count == LabelValueLimit.maxBytes)
        #expect(a.hasPrefix(String(repeating: "q", count: LabelValueLimit.prefixBytes) + "\u{2026}"))
        let hash = a.split(separator: "\u{2026}").last.map(String.init) ?? ""
        #expect(hash.count == 8 && hash.allSatisfy(\.isHexDigit))
        // Deterministic: the same name always maps to the same value (series stay stable).
        #expect(LabelValueLimit.capped(stem + "a") == a)
    }

    @Test func cutsAtAScalarBoundary() {
        // 4-byte scalars: the prefix cannot hold a partial one, so the value stays valid UTF-8.
        let name = String(repeating: "😀", count: 100)
        let capped = LabelValueLimit.capped(name)
        #expect(capped.utf8.count <= LabelValueLimit.maxBytes)
        let prefix = capped.split(separator: "\u{2026}")[0]
        #expect(prefix == Substring(String(repeating: "😀", count: LabelValueLimit.prefixBytes / 4)))
        #expect(String(validating: Array(capped.utf8), as: UTF8.self) == capped)
    }

    @Test func taskNamesAreCappedWhenAdmitted() {
        var limiter = TaskNameLimiter(limit: 5)
        let stem = String(repeating: "t", count: 5_000)
        let one = limiter.label(for: stem + ".one")
        let two = limiter.label(for: stem + ".two")
        #expect(one != two)
        #expect(one.utf8.count <= LabelValueLimit.maxBytes && two.utf8.count <= LabelValueLimit.maxBytes)
        #expect(limiter.label(for: stem + ".one") == one)
        #expect(limiter.admitted.count == 2)
        #expect(limiter.label(for: "short") == "short")
    }
}
