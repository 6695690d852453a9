import Exposition
import Testing

@Suite struct RenderedMetricsTests {
    @Test func servesTheFourPreRenderedBodies() throws {
        let families = ExpositionFixtures.basic + ExpositionFixtures.escaping
        let rendered = RenderedMetrics(families: families)
        for format in ExpositionFormat.allCases {
            let plain = rendered.body(format: format, gzip: false)
            #expect(plain == MetricEncoder.encode(families, as: format))
            let gzipped = rendered.body(format: format, gzip: true)
            #expect(gzipped != plain)
            #expect(try Gzip.decompress(gzipped) == plain)
        }
        #expect(rendered.body(format: .openMetrics, gzip: false).text.hasSuffix("# EOF\n"))
    }

    @Test func emptyFamilies() throws {
        let rendered = RenderedMetrics(families: [])
        #expect(rendered.body(format: .prometheusText, gzip: false).isEmpty)
        #expect(try Gzip.decompress(rendered.body(format: .prometheusText, gzip: true)).isEmpty)
        #expect(rendered.body(format: .openMetrics, gzip: false).text == "# EOF\n")
    }
}
