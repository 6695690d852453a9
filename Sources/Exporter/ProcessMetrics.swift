import Exposition
import Sockets
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// The `process_*` metrics every Prometheus client library exposes (client_golang's process
/// collector, read the same way from procfs): CPU seconds, resident and virtual memory, open and
/// maximum file descriptors, start time. No Foundation: plain reads of `/proc/self`, each within
/// a byte budget.
///
/// A file that cannot be read (not Linux, a locked-down `/proc`) leaves its families out and is
/// counted in `celery_redis_process_metrics_read_errors_total`, so the gap is visible.
public enum ProcessMetrics {
    /// `/proc/self/stat` is one line of about 300 bytes; 4 KiB leaves room for a long command name.
    static let statBudget = 4096
    /// `/proc/stat` has a line per CPU and one with every interrupt counter: tens of KiB on big
    /// machines. It is read once (the boot time never changes).
    static let procStatBudget = 4 << 20

    private static let readErrors = Atomic<UInt64>(0)

    /// Clock ticks per second (`sysconf(_SC_CLK_TCK)`, 100 on Linux).
    private static let ticksPerSecond: Double = {
        let ticks = sysconf(Int32(_SC_CLK_TCK))
        return ticks > 0 ? Double(ticks) : 100
    }()

    private static let pageSize: Double = {
        let size = sysconf(Int32(_SC_PAGESIZE))
        return size > 0 ? Double(size) : 4096
    }()

    /// The boot time, read once.
    private static let bootTime: UInt64? = {
        guard case .success(let bytes) = RegularFile.read("/proc/stat", maximumBytes: procStatBudget) else {
            return nil
        }
        return ProcessStat.bootTime(bytes)
    }()

    /// The families, read now (called once per poll, on the poller thread).
    public static func families() -> [MetricFamily] {
        var families: [MetricFamily] = []
        var failed = 0
        if case .success(let bytes) = RegularFile.read("/proc/self/stat", maximumBytes: statBudget),
            let stat = ProcessStat(bytes)
        {
            families.append(MetricFamily(.processCPUSeconds, value: Double(stat.cpuTicks) / ticksPerSecond))
            families.append(MetricFamily(.processResidentMemoryBytes, value: Double(stat.residentPages) * pageSize))
            families.append(MetricFamily(.processVirtualMemoryBytes, value: Double(stat.virtualBytes)))
            if let bootTime {
                let started = Double(bootTime) + Double(stat.startTicks) / ticksPerSecond
                families.append(MetricFamily(.processStartTimeSeconds, value: started))
            } else {
                failed += 1
            }
        } else {
            failed += 1
        }
        if let open = openDescriptors() {
            families.append(MetricFamily(.processOpenFDs, value: Double(open)))
        } else {
            failed += 1
        }
        // The soft limit, as /proc/self/limits "Max open files" shows it (client_golang reads that line).
        let limit = FileDescriptorLimit.current().soft
        families.append(MetricFamily(.processMaxFDs, value: limit.map { Double($0) } ?? Double(UInt64.max)))
        if failed > 0 { readErrors.add(UInt64(failed), ordering: .relaxed) }
        families.append(MetricFamily(.processMetricsReadErrors, value: Double(readErrors.load(ordering: .relaxed))))
        return families
    }

    /// Entries of `/proc/self/fd`, counted without allocating per entry (the directory's own
    /// descriptor included, as client_golang counts it). Bounded by the descriptor limit.
    static func openDescriptors() -> Int? {
        guard let directory = opendir("/proc/self/fd") else { return nil }
        defer { closedir(directory) }
        var count = 0
        while let entry = readdir(directory) {
            let isDot = withUnsafeBytes(of: entry.pointee.d_name) { name in
                name[0] == UInt8(ascii: ".") && (name[1] == 0 || (name[1] == UInt8(ascii: ".") && name[2] == 0))
            }
            if !isDot { count += 1 }
        }
        return count
    }
}
