extension FixedWidthInteger {
    /// `self + other`, or the type's bound when that overflows. For sums of numbers a server
    /// reported: a hostile one can answer anything, and an overflowing `+` traps the poll thread.
    func addingSaturating(_ other: Self) -> Self {
        let (sum, overflow) = addingReportingOverflow(other)
        guard overflow else { return sum }
        return other > 0 ? .max : .min
    }
}
