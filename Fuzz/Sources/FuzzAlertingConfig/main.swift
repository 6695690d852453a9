import FuzzSupport
import Notify

/// Parses the input as the alerting configuration (routes, receivers, webhooks, Slack).
func fuzzAlertingConfig(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let text = String(decoding: fuzzInput(data, size), as: UTF8.self)
    _ = try? AlertingConfiguration.parse(yaml: text, file: "fuzz.yml")
    return 0
}

runFuzzer(fuzzAlertingConfig)
