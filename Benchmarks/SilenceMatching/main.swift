// Cost of silence matching at the caps (`scripts/bench-silences.sh`): how long
// `MuteStatus.compute` (run after every poll's evaluation, at every silence change and boundary)
// takes for the alerts of one evaluation, with no silences and with silences at the caps.
//
//   bench-silences [--alerts N] [--silences N] [--matchers N] [--runs N] [--no-baseline]
//
// The baseline (every silence against every alert, as before the index) takes minutes at the
// caps: --no-baseline leaves it out; --alerts 1000 measures both in seconds (both scale
// linearly with alerts).
// Defaults: 10,000 alerts (one per queue at the default --celery.max-queues), 1,000 silences
// (--silences.max-silences), 64 matchers per silence (the per-silence matcher cap).
import Alerting
import Foundation
import Notify

var alertCount = 10_000
var silenceCount = 1_000
var matcherCount = 64
var runs = 7
var baseline = true
var args = CommandLine.arguments.dropFirst()
while let flag = args.popFirst() {
    if flag == "--no-baseline" {
        baseline = false
        continue
    }
    guard let value = args.popFirst().flatMap({ Int($0) }), value > 0 else {
        FileHandle.standardError.write(
            Data("usage: bench-silences [--alerts N] [--silences N] [--matchers N] [--runs N] [--no-baseline]\n".utf8))
        exit(2)
    }
    switch flag {
    case "--alerts": alertCount = value
    case "--silences": silenceCount = value
    case "--matchers": matcherCount = max(2, value)
    case "--runs": runs = value
    default:
        FileHandle.standardError.write(Data("unknown flag \(flag)\n".utf8))
        exit(2)
    }
}

let names = ["CeleryQueueBacklog", "CeleryQueueNotDraining", "CeleryOldestMessageTooOld", "CeleryStrandedTasks"]
let now = 1_800_000_000.0
let alerts = (0..<alertCount).map { i in
    NotifiableAlert(
        labels: [
            "alertname": names[i % names.count], "queue": "queue-\(i)", "severity": i % 3 == 0 ? "critical" : "warning",
            "job": "celery", "instance": "exporter:9808",
        ], startsAt: now - 600)
}

func silence(_ k: Int, _ matchers: [LabelMatcher]) -> Silence {
    Silence(
        id: "silence-\(k)", matchers: matchers, startsAt: now - 60, endsAt: now + 3600, updatedAt: now - 60,
        createdBy: "bench", comment: "")
}

/// Matchers every alert satisfies, padding a silence to the cap (the worst case for a
/// check that stops at the first failing matcher: it fails only at the last one).
func filler(_ count: Int, _ k: Int) -> [LabelMatcher] {
    (0..<count).map { j in
        switch j % 3 {
        case 0: return try! LabelMatcher(name: "job", op: .equal, value: "celery")
        case 1: return try! LabelMatcher(name: "severity", op: .regexMatch, value: "warning|critical|info\(j)")
        default: return try! LabelMatcher(name: "instance", op: .notEqual, value: "other-\(k)-\(j)")
        }
    }
}

/// The 3 a.m. shape padded to the cap: filler, then `alertname="…"` and `queue="queue-K"`.
let perQueue = (0..<silenceCount).map { k in
    silence(
        k,
        filler(matcherCount - 2, k) + [
            try! LabelMatcher(name: "alertname", op: .equal, value: names[(k * 7) % names.count]),
            try! LabelMatcher(name: "queue", op: .equal, value: "queue-\(k * 7 % alertCount)"),
        ])
}
/// Regexes only, the narrowing one a list of literal queue names (`queue=~"a|b"`, as amtool
/// users write).
let literalRegex = (0..<silenceCount).map { k in
    silence(
        k,
        (0..<(matcherCount - 1)).map { j in
            try! LabelMatcher(name: "queue", op: .regexMatch, value: "queue-[0-9]+|x\(j)")
        }
            + [
                try! LabelMatcher(
                    name: "queue", op: .regexMatch,
                    value: "queue-\(k * 7 % alertCount)|queue-\((k * 7 + 1) % alertCount)")
            ])
}
/// Nothing to narrow by: real regexes only (the index cannot help; the worst case).
let regexOnly = (0..<silenceCount).map { k in
    silence(
        k,
        (0..<(matcherCount - 1)).map { j in
            try! LabelMatcher(name: "queue", op: .regexMatch, value: "queue-[0-9]+|x\(j)")
        }
            + [try! LabelMatcher(name: "queue", op: .regexMatch, value: "queue-\(k * 7 % alertCount)[0-9]?")])
}

/// The matching before the index (every active silence against every alert), kept here as
/// the baseline the index is measured against.
func checkEverySilence(_ silences: [Silence]) -> [String: [String]] {
    let active = silences.filter { $0.state(at: now) == .active }
    var out: [String: [String]] = [:]
    guard !active.isEmpty else { return out }
    for a in alerts {
        let ids = active.filter { $0.matches(a.labels) }.map(\.id)
        if !ids.isEmpty { out[a.fingerprint] = ids.sorted() }
    }
    return out
}

/// Seconds of CPU this thread has used: on a shared machine (the CI box runs other jobs) wall
/// time measures the neighbours too.
func threadCPUSeconds() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
}

struct Timing {
    var cpu: Double
    var wall: Double
    var result: [String: [String]]
}

/// The median run by CPU time (ms), with its wall time.
func measure(_ runs: Int, _ body: () -> [String: [String]]) -> Timing {
    var timings: [Timing] = []
    for _ in 0..<runs {
        let wall = DispatchTime.now().uptimeNanoseconds
        let cpu = threadCPUSeconds()
        let result = body()
        timings.append(
            Timing(
                cpu: (threadCPUSeconds() - cpu) * 1000,
                wall: Double(DispatchTime.now().uptimeNanoseconds - wall) / 1e6, result: result))
    }
    timings.sort { $0.cpu < $1.cpu }
    return timings[timings.count / 2]
}

/// One line to stdout at once (unbuffered: the slow rows take seconds each).
func say(_ line: String) { FileHandle.standardOutput.write(Data((line + "\n").utf8)) }

func cell(_ t: Timing) -> String { String(format: "%10.2f %10.2f", t.cpu, t.wall) }

say(
    "silence matching per evaluation: \(alertCount) alerts; ms of CPU and wall, the median of \(runs) runs (1 for the slow rows)"
)
say(
    "scenario".padding(toLength: 46, withPad: " ", startingAt: 0)
        + "  indexed: cpu       wall next poll: cpu      wall   every silence: cpu  wall  silenced")
for (label, silences, slow) in [
    ("0 silences", [Silence](), false),
    ("\(silenceCount) × \(matcherCount) matchers, alertname+queue =", perQueue, false),
    ("\(silenceCount) × \(matcherCount) matchers, queue=~\"a|b\"", literalRegex, false),
    ("\(silenceCount) × \(matcherCount) matchers, real regexes only", regexOnly, true),
] {
    // The cases that check every silence cost seconds: one run each.
    let indexed = measure(slow ? 1 : runs) {
        MuteStatus.compute(alerts: alerts, rules: [], silences: silences, now: now).silencedBy
    }
    // The next poll: the same alerts and silences, matches kept from the last computation.
    var cache = SilenceMatchCache()
    _ = MuteStatus.compute(alerts: alerts, rules: [], silences: silences, now: now, cache: &cache)
    let cached = measure(runs) {
        MuteStatus.compute(alerts: alerts, rules: [], silences: silences, now: now, cache: &cache).silencedBy
    }
    guard cached.result == indexed.result else {
        say("\(label): the cached and the fresh matches disagree")
        exit(1)
    }
    var beforeText = "           (not run)  "
    if baseline {
        let before = measure(1) { checkEverySilence(silences) }
        guard indexed.result == before.result else {
            say("\(label): the index and the baseline disagree")
            exit(1)
        }
        beforeText = cell(before)
    }
    say(
        label.padding(toLength: 46, withPad: " ", startingAt: 0) + cell(indexed) + cell(cached) + "   " + beforeText
            + String(format: "  %8d", indexed.result.count))
}
