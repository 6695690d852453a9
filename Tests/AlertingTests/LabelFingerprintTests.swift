import TestSupport
import Testing

@testable import Alerting

@Suite struct LabelFingerprintTests {
    /// Vectors from prometheus/common's `model` tests (TestLabelsToSignature / TestMetricToFingerprint).
    @Test func matchesPrometheusCommonVectors() {
        #expect(LabelFingerprint.value([:]) == 14_695_981_039_346_656_037)
        #expect(
            LabelFingerprint.value(["name": "garland, briggs", "fear": "love is not enough"])
                == 5_799_056_148_416_392_346)
        #expect(LabelFingerprint.hex([:]) == "cbf29ce484222325")
    }

    /// An independent implementation (a few lines of Python) computes the same fingerprints,
    /// including sorting by bytes and non-ASCII values.
    @Test func agreesWithIndependentPython() throws {
        let sets: [[String: String]] = [
            ["alertname": "CeleryQueueBacklog", "queue": "celery", "severity": "warning"],
            ["alertname": "X", "queue": "ünïcode ☃", "Z": "upper sorts first"],
            ["a": "", "b": "1"],
        ]
        let python = try requireToolPath("python3")
        var script = "def fp(ls):\n h=14695981039346656037\n for k in sorted(ls, key=lambda s: s.encode()):\n"
        script +=
            "  for b in k.encode()+b'\\xff'+ls[k].encode()+b'\\xff':\n   h^=b; h=(h*1099511628211)%2**64\n return '%016x'%h\n"
        for set in sets {
            let literal =
                "{" + set.map { "\(pythonString($0.key)):\(pythonString($0.value))" }.joined(separator: ",") + "}"
            script += "print(fp(\(literal)))\n"
        }
        let output = try runCommand(python, ["-c", script]).stdout.split(separator: "\n").map(String.init)
        #expect(output == sets.map { LabelFingerprint.hex($0) })
        #expect(LabelFingerprint.hex(sets[0]) == "0ef8d4ccf3741b04")
    }

    @Test func alertUsesItsLabelFingerprint() {
        let alert = Alert(
            labels: ["alertname": "A"], annotations: [:], state: .firing, activeAt: 0, lastTrueAt: 0, value: 1)
        #expect(alert.fingerprint == LabelFingerprint.hex(["alertname": "A"]))
        #expect(alert.fingerprint.count == 16)
    }
}
