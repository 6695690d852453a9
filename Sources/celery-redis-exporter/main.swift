import Exporter

#if canImport(Glibc)
    import Glibc
#endif

// Everything lives in the Exporter module; C callbacks must not be formed here (top-level code
// is main-actor isolated, and Swift 6 traps when C calls such a closure off the main thread).
var environment: [String: String] = [:]
var cursor = environ
while let entry = cursor.pointee {
    let text = String(cString: entry)
    if let eq = text.firstIndex(of: "=") {
        environment[String(text[..<eq])] = String(text[text.index(after: eq)...])
    }
    cursor += 1
}
exit(ExporterApp.main(arguments: CommandLine.arguments, environment: environment))
