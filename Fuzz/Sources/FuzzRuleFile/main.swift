import Alerting
import FuzzSupport

/// Parses the input as a Prometheus rule file (YAML groups of alerting rules).
func fuzzRuleFile(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let text = String(decoding: fuzzInput(data, size), as: UTF8.self)
    _ = try? RuleLoader.parse(yaml: text, file: "fuzz.yml")
    return 0
}

runFuzzer(fuzzRuleFile)
