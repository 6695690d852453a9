import FuzzSupport

@testable import Alerting

/// Parses the input as a PromQL expression (the alerting rules' `expr`).
func fuzzPromQL(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let text = String(decoding: fuzzInput(data, size), as: UTF8.self)
    _ = try? ExpressionParser.parse(text)
    return 0
}

runFuzzer(fuzzPromQL)
