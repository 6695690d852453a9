/// The arithmetic of Prometheus 2.42's range functions (`promql/functions.go`), transcribed so that
/// results agree with Prometheus to rounding: `extrapolatedRate`, `instantValue`,
/// `linearRegression` and the Kahan-Neumaier sums, on samples with millisecond timestamps.
enum RangeMath {
    /// `rate`, `increase` (counters) and `delta` (gauges): the change over the samples, counter
    /// resets added back, extrapolated towards the window edges. A sample within 1.1 average
    /// intervals of an edge is extrapolated to it, otherwise by half an interval; a counter is not
    /// extrapolated below zero. Prometheus 2.42 clamps to the zero point before comparing with the
    /// threshold (2.51+ compares first), which this follows.
    static func extrapolatedRate(
        _ samples: ArraySlice<HistorySample>, start: Int64, end: Int64, isCounter: Bool, isRate: Bool
    ) -> Double? {
        guard samples.count >= 2, let first = samples.first, let last = samples.last else { return nil }
        var result = last.value - first.value
        if isCounter {
            var previous = first.value
            for sample in samples.dropFirst() {
                if sample.value < previous { result += previous }
                previous = sample.value
            }
        }
        var durationToStart = Double(first.time - start) / 1000
        let durationToEnd = Double(end - last.time) / 1000
        let sampledInterval = Double(last.time - first.time) / 1000
        let averageInterval = sampledInterval / Double(samples.count - 1)
        if isCounter && result > 0 && first.value >= 0 {
            let durationToZero = sampledInterval * (first.value / result)
            if durationToZero < durationToStart { durationToStart = durationToZero }
        }
        let threshold = averageInterval * 1.1
        var extrapolateTo = sampledInterval
        extrapolateTo += durationToStart < threshold ? durationToStart : averageInterval / 2
        extrapolateTo += durationToEnd < threshold ? durationToEnd : averageInterval / 2
        var factor = extrapolateTo / sampledInterval
        if isRate { factor /= Double(end - start) / 1000 }
        return result * factor
    }

    /// `irate` and `idelta`: from the last two samples only (a drop counts as a reset for `irate`).
    static func instantValue(_ samples: ArraySlice<HistorySample>, isRate: Bool) -> Double? {
        guard samples.count >= 2 else { return nil }
        let last = samples[samples.endIndex - 1]
        let previous = samples[samples.endIndex - 2]
        var result = isRate && last.value < previous.value ? last.value : last.value - previous.value
        let interval = last.time - previous.time
        if interval == 0 { return nil }
        if isRate { result /= Double(interval) / 1000 }
        return result
    }

    /// Least-squares fit of value over time (seconds relative to `interceptTime`): the slope per
    /// second and the value at `interceptTime`. A constant series has slope 0 (NaN when infinite).
    static func linearRegression(_ samples: ArraySlice<HistorySample>, interceptTime: Int64)
        -> (slope: Double, intercept: Double)
    {
        var n = 0.0
        var (sumX, cX, sumY, cY, sumXY, cXY, sumX2, cX2) = (0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0)
        let initY = samples.first!.value
        var constY = true
        for (i, sample) in samples.enumerated() {
            if constY && i > 0 && sample.value != initY { constY = false }
            n += 1
            let x = Double(sample.time - interceptTime) / 1e3
            (sumX, cX) = kahanSumInc(x, sumX, cX)
            (sumY, cY) = kahanSumInc(sample.value, sumY, cY)
            (sumXY, cXY) = kahanSumInc(x * sample.value, sumXY, cXY)
            (sumX2, cX2) = kahanSumInc(x * x, sumX2, cX2)
        }
        if constY { return initY.isInfinite ? (.nan, .nan) : (0, initY) }
        sumX += cX
        sumY += cY
        sumXY += cXY
        sumX2 += cX2
        let covXY = sumXY - sumX * sumY / n
        let varX = sumX2 - sumX * sumX / n
        let slope = covXY / varX
        return (slope, sumY / n - slope * sumX / n)
    }

    /// `avg_over_time`: an incremental mean with compensated summation, infinities kept.
    static func average(_ samples: ArraySlice<HistorySample>) -> Double {
        var (mean, count, c) = (0.0, 0.0, 0.0)
        for sample in samples {
            count += 1
            let v = sample.value
            if mean.isInfinite {
                if v.isInfinite && (mean > 0) == (v > 0) { continue }
                if !v.isInfinite && !v.isNaN { continue }
            }
            (mean, c) = kahanSumInc(v / count - mean / count, mean, c)
        }
        return mean.isInfinite ? mean : mean + c
    }

    /// `stdvar_over_time` (and the square of `stddev_over_time`): Welford's population variance
    /// with compensated sums.
    static func variance(_ samples: ArraySlice<HistorySample>) -> Double {
        var (count, mean, cMean, aux, cAux) = (0.0, 0.0, 0.0, 0.0, 0.0)
        for sample in samples {
            count += 1
            let delta = sample.value - (mean + cMean)
            (mean, cMean) = kahanSumInc(delta / count, mean, cMean)
            (aux, cAux) = kahanSumInc(delta * (sample.value - (mean + cMean)), aux, cAux)
        }
        return (aux + cAux) / count
    }

    /// `sum_over_time`: compensated sum, infinities kept.
    static func kahanSum<S: Sequence>(_ values: S) -> Double where S.Element == Double {
        var (sum, c) = (0.0, 0.0)
        for v in values { (sum, c) = kahanSumInc(v, sum, c) }
        return sum.isInfinite ? sum : sum + c
    }

    /// One step of Kahan summation with Neumaier's improvement.
    static func kahanSumInc(_ inc: Double, _ sum: Double, _ c: Double) -> (Double, Double) {
        let t = sum + inc
        var c = c
        if sum.magnitude >= inc.magnitude { c += (sum - t) + inc } else { c += (inc - t) + sum }
        return (t, c)
    }
}
