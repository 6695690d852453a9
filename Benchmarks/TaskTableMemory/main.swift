// scripts/measure-task-table.sh: memory of the task table (issue 17 item 3), measured.
//
// 1. Bytes per entry: N tasks sent and never finished (a backlog seen through task-sent events:
//    the worst case, every entry held until its age or the cap), RSS before and after.
// 2. Steady state: a simulated 20 tasks/s workload with events and result writes for three
//    simulated hours, RSS and table size sampled every simulated 30 minutes: flat, because finished
//    tasks leave a minute after their final state.
import Celery
import Foundation

func residentBytes() -> Int {
    guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
    let fields = text.split(separator: " ")
    return (fields.count > 1 ? Int(fields[1]) ?? 0 : 0) * Int(sysconf(Int32(_SC_PAGESIZE)))
}

let arguments = CommandLine.arguments
let entries = arguments.count > 1 ? Int(arguments[1]) ?? 100_000 : 100_000
let names = (0..<20).map { "app.tasks.task_\($0)" }

// 1. Bytes per entry at the cap.
var counter = ResultEventCounter(
    configuration: CeleryEventConfiguration(taskNameLimit: 50, maxTrackedTasks: entries))
let ids = (0..<entries).map { _ in UUID().uuidString.lowercased() }  // made before the baseline
let before = residentBytes()
for (i, id) in ids.enumerated() {
    counter.record(
        TaskEvent(kind: .sent, taskID: id, name: names[i % names.count], retries: 0, timestamp: Double(i)),
        at: Double(i) * 0.001)
}
let after = residentBytes()
print("entries: \(counter.trackedTasks)")
print("rss growth: \(after - before) bytes, \((after - before) / max(1, counter.trackedTasks)) bytes per entry")

// 2. Steady state at 20 tasks/s: sent, received, started, succeeded events and a SUCCESS write each.
var steady = ResultEventCounter(configuration: CeleryEventConfiguration(taskNameLimit: 50))
let rate = 20.0
let hours = 3.0
let total = Int(rate * 3_600 * hours)
print("steady state, \(Int(rate)) tasks/s for \(Int(hours)) simulated hours:")
for i in 0..<total {
    let t = Double(i) / rate
    let id = "\(i)-0000-4000-8000-000000000000"
    let name = names[i % names.count]
    steady.record(TaskEvent(kind: .sent, taskID: id, name: name, retries: 0, timestamp: t), at: t)
    steady.record(TaskEvent(kind: .received, taskID: id, name: name, retries: 0), at: t + 0.01)
    steady.record(TaskEvent(kind: .started, taskID: id, timestamp: t + 0.02), at: t + 0.02)
    steady.record(CeleryEvent.TaskResult(taskID: id, state: .success), at: t + 0.3)
    steady.record(TaskEvent(kind: .succeeded, taskID: id, runtime: 0.28), at: t + 0.3)
    if i % Int(rate * 1_800) == 0 {
        print("  t=\(Int(t / 60)) min: table \(steady.trackedTasks) entries, rss \(residentBytes() / 1024) KiB")
    }
}
print("  end: table \(steady.trackedTasks) entries, rss \(residentBytes() / 1024) KiB")
