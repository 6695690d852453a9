import Notify
import Sockets

// The exporter reads the same two clocks as the modules it wires together, rather than calling
// clock_gettime a third time: Notify's wall clock and Sockets' monotonic deadline clock.

/// Wall-clock time as Unix seconds.
func wallClockNow() -> Double { WallClock.now() }

/// Monotonic time in seconds (for intervals and ages that must not jump with the wall clock).
func monotonicNow() -> Double { Double(Deadline.monotonicNow()) / 1e9 }
