import Sockets

// The exporter reads the same two clocks as every module (Sockets' WallClock and MonotonicClock);
// these names are the Exporter's shorthand for them.

/// Wall-clock time as Unix seconds.
func wallClockNow() -> Double { WallClock.now() }

/// Monotonic time in seconds (for intervals and ages that must not jump with the wall clock).
func monotonicNow() -> Double { MonotonicClock.seconds() }
