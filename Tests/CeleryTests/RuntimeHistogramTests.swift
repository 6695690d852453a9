import Testing

@testable import Celery

@Suite struct RuntimeHistogramTests {
    /// Issue 9 (audit): one forged `runtime` of 1e308 made the sum +Inf for the rest of the
    /// process's life (and every `rate()` of it NaN).
    @Test func hugeObservationsKeepTheSumFinite() {
        var histogram = RuntimeHistogram(bounds: [1, 10])
        for _ in 0..<3 { histogram.observe(1e308) }
        histogram.observe(.infinity)
        histogram.observe(.nan)
        histogram.observe(2)
        #expect(histogram.sum == 4 * RuntimeHistogram.largestObservation + 2)
        #expect(histogram.sum.isFinite)
        #expect(histogram.count == 6)
        #expect(histogram.bucketCounts == [1, 1, 4])
    }
}
