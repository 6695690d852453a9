import Testing

@testable import Exposition

@Suite struct MetricEncoderTests {
    @Test func goldenPrometheusText() {
        let expected = """
            # HELP celery_redis_queue_length Messages waiting in each queue, summed over priorities.
            # TYPE celery_redis_queue_length gauge
            celery_redis_queue_length{queue="celery"} 3
            celery_redis_queue_length{queue="default"} 0
            # HELP celery_redis_poll_errors_total Polls that failed, by stage.
            # TYPE celery_redis_poll_errors_total counter
            celery_redis_poll_errors_total{stage="connect"} 2
            celery_redis_poll_errors_total{stage="scan"} 0
            # HELP celery_redis_task_runtime_seconds Task run time.
            # TYPE celery_redis_task_runtime_seconds histogram
            celery_redis_task_runtime_seconds_bucket{queue="celery",le="0.5"} 1
            celery_redis_task_runtime_seconds_bucket{queue="celery",le="1"} 3
            celery_redis_task_runtime_seconds_bucket{queue="celery",le="2.5"} 4
            celery_redis_task_runtime_seconds_bucket{queue="celery",le="+Inf"} 5
            celery_redis_task_runtime_seconds_sum{queue="celery"} 4.25
            celery_redis_task_runtime_seconds_count{queue="celery"} 5
            # HELP celery_redis_poll_duration_seconds Duration of the last poll. Values are cached and refreshed \
            once per poll, not per scrape.
            # TYPE celery_redis_poll_duration_seconds gauge
            celery_redis_poll_duration_seconds 0.0123

            """
        #expect(MetricEncoder.encode(ExpositionFixtures.basic, as: .prometheusText).text == expected)
    }

    @Test func goldenOpenMetrics() {
        let expected = """
            # HELP celery_redis_queue_length Messages waiting in each queue, summed over priorities.
            # TYPE celery_redis_queue_length gauge
            celery_redis_queue_length{queue="celery"} 3.0
            celery_redis_queue_length{queue="default"} 0.0
            # HELP celery_redis_poll_errors Polls that failed, by stage.
            # TYPE celery_redis_poll_errors counter
            celery_redis_poll_errors_total{stage="connect"} 2.0
            celery_redis_poll_errors_total{stage="scan"} 0.0
            # HELP celery_redis_task_runtime_seconds Task run time.
            # TYPE celery_redis_task_runtime_seconds histogram
            # UNIT celery_redis_task_runtime_seconds seconds
            celery_redis_task_runtime_seconds_bucket{queue="celery",le="0.5"} 1
            celery_redis_task_runtime_seconds_bucket{queue="celery",le="1.0"} 3
            celery_redis_task_runtime_seconds_bucket{queue="celery",le="2.5"} 4
            celery_redis_task_runtime_seconds_bucket{queue="celery",le="+Inf"} 5
            celery_redis_task_runtime_seconds_sum{queue="celery"} 4.25
            celery_redis_task_runtime_seconds_count{queue="celery"} 5
            # HELP celery_redis_poll_duration_seconds Duration of the last poll. Values are cached and refreshed \
            once per poll, not per scrape.
            # TYPE celery_redis_poll_duration_seconds gauge
            # UNIT celery_redis_poll_duration_seconds seconds
            celery_redis_poll_duration_seconds 0.0123
            # EOF

            """
        #expect(MetricEncoder.encode(ExpositionFixtures.basic, as: .openMetrics).text == expected)
    }

    @Test func escapingInPrometheusText() {
        let expected = """
            # HELP celery_redis_unacked_tasks Line one\\nsays "hi" with a back\\\\slash.
            # TYPE celery_redis_unacked_tasks gauge
            celery_redis_unacked_tasks{queue="a\\\\b"} 1
            celery_redis_unacked_tasks{queue="say \\"hi\\""} 2
            celery_redis_unacked_tasks{queue="two\\nlines"} 3
            celery_redis_unacked_tasks{queue="q\u{FFFD}e\u{FFFD}"} 4
            celery_redis_unacked_tasks{queue="ünïcødé ✓"} 5

            """
        #expect(MetricEncoder.encode(ExpositionFixtures.escaping, as: .prometheusText).text == expected)
    }

    @Test func escapingInOpenMetricsAlsoEscapesQuotesInHelp() {
        let expected = """
            # HELP celery_redis_unacked_tasks Line one\\nsays \\"hi\\" with a back\\\\slash.
            # TYPE celery_redis_unacked_tasks gauge
            celery_redis_unacked_tasks{queue="a\\\\b"} 1.0
            celery_redis_unacked_tasks{queue="say \\"hi\\""} 2.0
            celery_redis_unacked_tasks{queue="two\\nlines"} 3.0
            celery_redis_unacked_tasks{queue="q\u{FFFD}e\u{FFFD}"} 4.0
            celery_redis_unacked_tasks{queue="ünïcødé ✓"} 5.0
            # EOF

            """
        #expect(MetricEncoder.encode(ExpositionFixtures.escaping, as: .openMetrics).text == expected)
    }

    @Test func invalidUTF8LabelValueEncodesToValidUTF8() {
        let body = MetricEncoder.encode(ExpositionFixtures.escaping, as: .prometheusText)
        #expect(String(validating: body, as: UTF8.self) != nil)
        // EF BF BD is U+FFFD; the raw 0xFF byte must not survive.
        #expect(!body.contains(0xFF))
        #expect(body.count(of: [0xEF, 0xBF, 0xBD]) == 2)
    }

    @Test func untypedIsUnknownInOpenMetricsAndEmptyHelpIsOmitted() {
        let families = [MetricFamily(name: "x", help: "", type: .untyped, samples: [Sample(value: 1)])]
        #expect(MetricEncoder.encode(families, as: .prometheusText).text == "# TYPE x untyped\nx 1\n")
        #expect(MetricEncoder.encode(families, as: .openMetrics).text == "# TYPE x unknown\nx 1.0\n# EOF\n")
    }

    @Test func emptyInput() {
        #expect(MetricEncoder.encode([], as: .prometheusText).isEmpty)
        #expect(MetricEncoder.encode([], as: .openMetrics).text == "# EOF\n")
    }

    @Test func counterWithUnitKeepsUnitBeforeTotal() {
        let families = [
            MetricFamily(
                name: "busy_seconds", help: "Busy time.", type: .counter, unit: "seconds",
                samples: [Sample(value: 1.5)])
        ]
        #expect(
            MetricEncoder.encode(families, as: .openMetrics).text
                == "# HELP busy_seconds Busy time.\n# TYPE busy_seconds counter\n# UNIT busy_seconds seconds\n"
                + "busy_seconds_total 1.5\n# EOF\n")
        #expect(
            MetricEncoder.encode(families, as: .prometheusText).text
                == "# HELP busy_seconds_total Busy time.\n# TYPE busy_seconds_total counter\nbusy_seconds_total 1.5\n")
    }

    @Test func histogramWithoutLabelsOrBuckets() {
        let families = [
            MetricFamily.histogram(
                name: "h", help: "H.", series: [HistogramSeries(buckets: [], sum: 0, count: 0)])
        ]
        #expect(
            MetricEncoder.encode(families, as: .prometheusText).text
                == "# HELP h H.\n# TYPE h histogram\nh_bucket{le=\"+Inf\"} 0\nh_sum 0\nh_count 0\n")
    }

    static let floatTable: [(value: Double, text: String, openMetrics: String)] = [
        (0, "0", "0.0"),
        (-0.0, "0", "0.0"),
        (3, "3", "3.0"),
        (-2, "-2", "-2.0"),
        (1_700_000_000, "1700000000", "1700000000.0"),
        (999_999_999_999_999, "999999999999999", "999999999999999.0"),
        (1e15, "1000000000000000", "1000000000000000.0"),
        (0x1p53 - 1, "9007199254740991", "9007199254740991.0"),
        (0x1p53, "9007199254740992.0", "9007199254740992.0"),  // Swift's shortest form; Go parses it
        (1e16, "1e+16", "1e+16"),
        (1e300, "1e+300", "1e+300"),
        (0.1, "0.1", "0.1"),
        (0.0123, "0.0123", "0.0123"),
        (1e-5, "1e-05", "1e-05"),
        (-2.5, "-2.5", "-2.5"),
        (123_456_789.125, "123456789.125", "123456789.125"),
        (1.0 / 3.0, "0.3333333333333333", "0.3333333333333333"),
        (.greatestFiniteMagnitude, "1.7976931348623157e+308", "1.7976931348623157e+308"),
        (.leastNonzeroMagnitude, "5e-324", "5e-324"),
        (.nan, "NaN", "NaN"),
        (.infinity, "+Inf", "+Inf"),
        (-.infinity, "-Inf", "-Inf"),
    ]

    @Test(arguments: floatTable)
    func floatFormatting(_ row: (value: Double, text: String, openMetrics: String)) {
        var text: [UInt8] = []
        text.appendValue(row.value, openMetrics: false)
        var om: [UInt8] = []
        om.appendValue(row.value, openMetrics: true)
        #expect(text.text == row.text)
        #expect(om.text == row.openMetrics)
        if row.value.isFinite {
            // Round trip: the printed text parses back to the very same double.
            #expect(Double(text.text) == row.value)
            #expect(Double(om.text) == row.value)
        }
    }

    @Test(arguments: [UInt64(0), 7, 10, 12345, .max])
    func integerFormatting(_ value: UInt64) {
        var out: [UInt8] = [UInt8(ascii: "x")]
        out.appendInteger(value)
        #expect(out.text == "x" + String(value))
    }

    @Test func largeOutputIsContiguousPerFamily() {
        let queues = (0..<500).map { "queue-\($0)" }
        let families = ["a", "b", "c"].map { name in
            MetricFamily(
                name: "celery_redis_\(name)", help: "Help \(name).", type: .gauge,
                samples: queues.map { Sample(labels: [Label("queue", $0)], value: 1) })
        }
        let lines = MetricEncoder.encode(families, as: .prometheusText).text.split(separator: "\n")
        #expect(lines.count == 3 * 502)
        // Each family's lines form one block: HELP, TYPE, then its samples only.
        for (index, name) in ["a", "b", "c"].enumerated() {
            let block = lines[(index * 502)..<((index + 1) * 502)]
            #expect(block.first == "# HELP celery_redis_\(name) Help \(name).")
            #expect(block.dropFirst(2).allSatisfy { $0.hasPrefix("celery_redis_\(name){") })
        }
    }
}

extension Array where Element == UInt8 {
    /// How many times `needle` occurs (non-overlapping).
    func count(of needle: [UInt8]) -> Int {
        var found = 0
        var i = 0
        while i + needle.count <= count {
            if Array(self[i..<(i + needle.count)]) == needle {
                found += 1
                i += needle.count
            } else {
                i += 1
            }
        }
        return found
    }
}
