import Exposition

/// Compares served text (format 0.0.4) with ``MetricCatalogue``: every family is declared there with
/// the type and HELP it is served with, and every series carries only declared labels.
enum ServedCatalogue {
    /// Readable problems; empty when the text matches the catalogue.
    static func problems(_ text: String) -> [String] {
        var bySampleName: [String: MetricDescriptor] = [:]
        for d in MetricCatalogue.all {
            for name in d.sampleNames { bySampleName[name] = d }
        }
        var problems: [String] = []
        for line in text.split(separator: "\n") {
            if line.hasPrefix("# HELP ") {
                let rest = line.dropFirst(7)
                let name = String(rest.prefix { $0 != " " })
                let help = unescapeHelp(rest.dropFirst(name.count + 1))
                guard let d = bySampleName[name] ?? MetricCatalogue.byName[name] else {
                    problems.append("\(name) is served but not in MetricCatalogue")
                    continue
                }
                if help != d.help { problems.append("\(name) is served with HELP '\(help)', declared '\(d.help)'") }
            } else if line.hasPrefix("# TYPE ") {
                let parts = line.split(separator: " ")
                guard parts.count == 4,
                    let d = bySampleName[String(parts[2])] ?? MetricCatalogue.byName[String(parts[2])]
                else { continue }  // reported with its HELP line
                let declared = String(describing: d.type)
                if parts[3] != declared {
                    problems.append("\(parts[2]) is served as \(parts[3]), declared \(declared)")
                }
            } else if !line.hasPrefix("#") {
                let name = String(line.prefix { $0 != "{" && $0 != " " })
                guard let d = bySampleName[name] else {
                    problems.append("series \(name) is served but not in MetricCatalogue")
                    continue
                }
                var labels = labelNames(line.dropFirst(name.count)).filter { !(d.type == .histogram && $0 == "le") }
                // With --targets.file every series of a target starts with `target` (TargetLabels).
                if labels.first == "target" { labels.removeFirst() }
                if !d.admits(labelNames: labels) {
                    problems.append("\(name) is served with labels \(labels), declared \(d.labelNames)")
                }
            }
        }
        return problems
    }

    /// HELP text of format 0.0.4 unescaped (`\\` and `\n`).
    private static func unescapeHelp(_ text: Substring) -> String {
        var out = ""
        var escaped = false
        for c in text {
            if escaped {
                out.append(c == "n" ? "\n" : c)
                escaped = false
            } else if c == "\\" {
                escaped = true
            } else {
                out.append(c)
            }
        }
        return out
    }

    /// The label names of `{a="x",b="y"} 1`, reading quoted values with their escapes.
    private static func labelNames(_ rest: Substring) -> [String] {
        guard rest.first == "{" else { return [] }
        var names: [String] = []
        var name = ""
        var inValue = false
        var escaped = false
        for c in rest.dropFirst() {
            if inValue {
                if escaped {
                    escaped = false
                } else if c == "\\" {
                    escaped = true
                } else if c == "\"" {
                    inValue = false
                }
            } else if c == "\"" {
                inValue = true
            } else if c == "=" {
                names.append(name)
                name = ""
            } else if c == "}" {
                break
            } else if c != "," {
                name.append(c)
            }
        }
        return names
    }
}
