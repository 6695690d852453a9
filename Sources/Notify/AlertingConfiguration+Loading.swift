import Alerting
import HTTP
import Sockets
import TLS

extension AlertingConfiguration {
    /// Reads and validates `file`. Relative paths inside it (`url_file`, `ca_file`,
    /// `secret_file`…) are resolved against the file's directory, as Alertmanager does.
    public static func load(file: String) throws(AlertingConfigurationError) -> AlertingConfiguration {
        switch RegularFile.read(file) {
        case .success(let bytes):
            return try parse(yaml: String(decoding: bytes, as: UTF8.self), file: file)
        case .failure(let error):
            throw AlertingConfigurationError(
                file: file, line: nil, keyPath: "", message: "cannot read: \(error.reason)")
        }
    }

    /// Parses YAML text as if read from `file` (used for messages and relative paths).
    public static func parse(yaml: String, file: String) throws(AlertingConfigurationError) -> AlertingConfiguration {
        var reader = ConfigurationReader(file: file)
        do {
            return try reader.read(yaml: yaml)
        } catch let error as AlertingConfigurationError {
            throw error
        } catch {
            // Not reached (every throw above is an AlertingConfigurationError); kept generic on purpose.
            throw AlertingConfigurationError(file: file, line: nil, keyPath: "", message: "cannot load the file")
        }
    }
}

/// Walks the document's ``ConfigValue``s, checking keys and types and collecting warnings. The
/// key paths are spelled out at each step (they follow Alertmanager's names, and a few errors
/// point at one node while naming another key).
struct ConfigurationReader {
    let document: ConfigDocument
    var warnings: [String] = []
    /// The `global` section (see `AlertingConfiguration+Global.swift`).
    var global: [String: ConfigValue] = [:]
    var globalNode: ConfigValue?
    /// Routes read so far and the bytes of their keys (see `AlertingConfiguration+Limits.swift`).
    var routeCount = 0
    var routeKeyBytes = 0
    /// Paths of routes whose `repeat_interval` is shorter than their `group_interval`.
    var repeatsBeforeGroupInterval: [String] = []
    /// TLS settings already checked by loading their files (each load reads the CA store).
    let checkedTLS = TLSContextCache()

    init(file: String) {
        document = ConfigDocument(file: file, flag: nil)
    }

    func fail(_ node: ConfigValue?, _ path: String, _ message: String) -> AlertingConfigurationError {
        AlertingConfigurationError(file: document.file, line: node?.line, keyPath: path, message: message)
    }

    mutating func read(yaml: String) throws -> AlertingConfiguration {
        // Syntax errors name the place and a fixed reason only: the line may hold a URL.
        guard let root = try document.parse(yaml: yaml) else {
            throw fail(nil, "", "the file is empty; expected a mapping with route and receivers")
        }
        let top = try mapping(
            root, "",
            allowed: [
                "global", "templates", "route", "receivers", "inhibit_rules", "time_intervals", "mute_time_intervals",
            ])
        guard let receiversNode = top["receivers"] else { throw fail(root, "receivers", "is required") }
        guard let routeNode = top["route"] else { throw fail(root, "route", "is required") }
        let receiverNodes = try sequence(receiversNode, "receivers")
        guard receiverNodes.count <= AlertingConfiguration.maximumReceivers else {
            throw fail(
                receiversNode, "receivers",
                "has \(receiverNodes.count) receivers; at most \(AlertingConfiguration.maximumReceivers) are supported")
        }
        // A receiver kind the notifier lacks is named first, whatever else the file holds.
        for (i, node) in receiverNodes.enumerated() {
            try rejectOtherReceiverKinds(node, "receivers[\(i)]")
        }
        try rejectTimeIntervals(top)
        if let g = top["global"] { try readGlobal(g) }
        if let t = top["templates"] { try readTemplates(t) }
        var receivers: [ReceiverConfiguration] = []
        var names: Set<String> = []
        var integrations = 0
        for (i, node) in receiverNodes.enumerated() {
            let receiver = try readReceiver(node, "receivers[\(i)]")
            guard names.insert(receiver.name).inserted else {
                throw fail(node, "receivers[\(i)].name", "receiver \"\(receiver.name)\" is defined twice")
            }
            integrations += receiver.integrations.count
            guard integrations <= AlertingConfiguration.maximumIntegrations else {
                throw fail(
                    node, "receivers[\(i)]",
                    "the receivers have more than \(AlertingConfiguration.maximumIntegrations) integrations "
                        + "(webhook_configs, slack_configs and pagerduty_configs entries) together")
            }
            receivers.append(receiver)
        }
        let route = try readRoute(routeNode, "route", parent: nil, position: 0, depth: 0)
        try checkReceivers(route, routeNode, "route", known: names)
        let used = Set(route.allReceivers)
        let unused = receivers.map(\.name).filter { !used.contains($0) }
        if unused.count == 1 {
            warnings.append("receiver \"\(unused[0])\" is not used by any route")
        } else if !unused.isEmpty {
            warnings.append("\(unused.count) receivers are not used by any route: \(Self.summary(unused))")
        }
        if !repeatsBeforeGroupInterval.isEmpty {
            // Alertmanager warns too: the repeat waits for the next group_interval anyway.
            warnings.append(
                "repeat_interval is shorter than group_interval (notifications repeat only at the next "
                    + "group_interval) at \(Self.summary(repeatsBeforeGroupInterval, quoted: false))")
        }
        var inhibitRules: [InhibitRule] = []
        if let v = top["inhibit_rules"] {
            for (i, item) in try sequence(v, "inhibit_rules").enumerated() {
                inhibitRules.append(try readInhibitRule(item, "inhibit_rules[\(i)]"))
            }
        }
        let limit = AlertingConfiguration.maximumWarnings
        if warnings.count > limit {
            warnings = warnings.prefix(limit) + ["(+\(warnings.count - limit) more warnings not shown)"]
        }
        return AlertingConfiguration(
            route: route, receivers: receivers, warnings: warnings, inhibitRules: inhibitRules)
    }

    /// Names joined for one warning line: at most ``AlertingConfiguration/warningNameLimit``,
    /// then "(+N more)", so a file with thousands of them logs one line, not thousands.
    static func summary(_ names: [String], quoted: Bool = true) -> String {
        let shown = names.prefix(AlertingConfiguration.warningNameLimit).map { quoted ? "\"\($0)\"" : $0 }
        let rest = names.count - shown.count
        return shown.joined(separator: ", ") + (rest > 0 ? ", … (+\(rest) more)" : "")
    }

    private func checkReceivers(_ route: Route, _ node: ConfigValue, _ path: String, known: Set<String>) throws {
        guard known.contains(route.receiver) else {
            throw fail(node, path + ".receiver", "receiver \"\(route.receiver)\" is not defined in receivers")
        }
        let children = node.entries?.first { $0.key == "routes" }?.value.items ?? []
        for (i, child) in route.routes.enumerated() where i < children.count {
            try checkReceivers(child, children[i], "\(path).routes[\(i)]", known: known)
        }
    }

    // MARK: route

    private mutating func readRoute(
        _ node: ConfigValue, _ path: String, parent: Route?, position: Int, depth: Int
    ) throws -> Route {
        // Checked before the level is read: the recursion below (and `checkReceivers`,
        // `Route.match`) never goes deeper than this, whatever the YAML nesting allows.
        guard depth <= AlertingConfiguration.maximumRouteDepth else {
            throw fail(
                node, path,
                "routes are nested more than \(AlertingConfiguration.maximumRouteDepth) levels deep; flatten the routing tree"
            )
        }
        routeCount += 1
        guard routeCount <= AlertingConfiguration.maximumRoutes else {
            throw fail(
                node, path, "the routing tree has more than \(AlertingConfiguration.maximumRoutes) routes")
        }
        let m = try mapping(
            node, path,
            allowed: [
                "receiver", "group_by", "group_wait", "group_interval", "repeat_interval", "matchers",
                "continue", "routes",
            ])
        var route =
            parent
            ?? Route(
                receiver: "", groupBy: [], groupByAll: false, groupWait: 30, groupInterval: 300, repeatInterval: 14400,
                matchers: [], continueMatching: false, routes: [], key: "", id: "")
        route.routes = []
        route.matchers = []
        route.continueMatching = false
        if let r = m["receiver"] { route.receiver = try string(r, path + ".receiver") }
        if parent == nil && route.receiver.isEmpty {
            throw fail(node, path + ".receiver", "is required on the root route")
        }
        if let g = m["group_by"] {
            let labels = try stringList(g, path + ".group_by")
            if labels.contains("...") {
                guard labels.count == 1 else {
                    throw fail(
                        g, path + ".group_by", "'...' groups by all labels and cannot be combined with label names")
                }
                route.groupByAll = true
                route.groupBy = []
            } else {
                for l in labels where !isLabelName(l) {
                    throw fail(g, path + ".group_by", "\"\(l)\" is not a valid label name")
                }
                if Set(labels).count != labels.count { throw fail(g, path + ".group_by", "contains a label twice") }
                route.groupByAll = false
                route.groupBy = labels
            }
        }
        if let v = m["group_wait"] { route.groupWait = try duration(v, path + ".group_wait", allowZero: true) }
        if let v = m["group_interval"] {
            route.groupInterval = try duration(v, path + ".group_interval", allowZero: false)
            guard route.groupInterval >= AlertingConfiguration.minimumGroupInterval else {
                throw fail(
                    v, path + ".group_interval",
                    "must be at least 1s (a shorter interval notifies a changing group many times a second)")
            }
        }
        if let v = m["repeat_interval"] {
            route.repeatInterval = try duration(v, path + ".repeat_interval", allowZero: false)
            guard route.repeatInterval >= AlertingConfiguration.minimumRepeatInterval else {
                throw fail(
                    v, path + ".repeat_interval",
                    "must be at least 1m (it is how often an unchanged firing alert is sent again)")
            }
        }
        if m["group_interval"] != nil || m["repeat_interval"] != nil, route.repeatInterval < route.groupInterval {
            repeatsBeforeGroupInterval.append(path)
        }
        if let v = m["matchers"] {
            if parent == nil {
                throw fail(v, path + ".matchers", "the root route must not have matchers (it matches every alert)")
            }
            route.matchers = try matcherList(v, path + ".matchers")
        }
        if let v = m["continue"] {
            if parent == nil { throw fail(v, path + ".continue", "cannot be set on the root route") }
            route.continueMatching = try bool(v, path + ".continue")
        }
        let matcherText = "{" + route.matchers.map(\.alertmanagerText).joined(separator: ",") + "}"
        // Sized before it is built: the key repeats every ancestor's matchers.
        let keyBytes = (parent.map { $0.key.utf8.count + 1 } ?? 0) + matcherText.utf8.count
        routeKeyBytes += keyBytes
        guard routeKeyBytes <= AlertingConfiguration.maximumRouteKeyBytes else {
            throw fail(
                node, path,
                "the route keys (each route's matchers after all its parents' matchers, as Alertmanager builds them) "
                    + "exceed \(AlertingConfiguration.maximumRouteKeyBytes >> 20) MiB together; "
                    + "shorten the matchers of nested routes or nest fewer levels")
        }
        if let parent {
            route.key = parent.key + "/" + matcherText
            route.id = route.key + "/\(position)"
        } else {
            route.key = matcherText
            route.id = matcherText
        }
        if let v = m["routes"] {
            var children: [Route] = []
            for (i, child) in try sequence(v, path + ".routes").enumerated() {
                children.append(
                    try readRoute(child, "\(path).routes[\(i)]", parent: route, position: i, depth: depth + 1))
            }
            route.routes = children
        }
        return route
    }

    /// A list of matcher strings (`matchers`, `source_matchers`, `target_matchers`), sorted as
    /// Alertmanager sorts them.
    func matcherList(_ node: ConfigValue, _ path: String) throws -> [LabelMatcher] {
        var matchers: [LabelMatcher] = []
        for (i, item) in try sequence(node, path).enumerated() {
            let text = try string(item, "\(path)[\(i)]")
            do {
                matchers.append(try LabelMatcher(parsing: text))
            } catch {
                throw fail(
                    item, "\(path)[\(i)]",
                    "\(error.description); expected name=\"value\", name!=\"value\", name=~\"regex\" or name!~\"regex\""
                )
            }
        }
        return matchers.sorted(by: LabelMatcher.alertmanagerOrder)
    }

    // MARK: inhibit_rules

    /// Alertmanager's deprecated map forms, refused with the replacement named (like the
    /// route's `match`/`match_re`, which are unknown keys here).
    static let deprecatedInhibitKeys = [
        "source_match": "source_matchers", "source_match_re": "source_matchers",
        "target_match": "target_matchers", "target_match_re": "target_matchers",
    ]

    private func readInhibitRule(_ node: ConfigValue, _ path: String) throws -> InhibitRule {
        if let entries = node.entries {
            for entry in entries {
                guard let replacement = Self.deprecatedInhibitKeys[entry.key] else { continue }
                throw fail(
                    entry.keyNode, path + "." + entry.key,
                    "is deprecated in Alertmanager and not supported; write it as \(replacement), e.g. ['severity=\"critical\"'] (regexes as name=~\"regex\")"
                )
            }
        }
        let m = try mapping(node, path, allowed: ["source_matchers", "target_matchers", "equal"])
        let source = try m["source_matchers"].map { try matcherList($0, path + ".source_matchers") } ?? []
        let target = try m["target_matchers"].map { try matcherList($0, path + ".target_matchers") } ?? []
        // Alertmanager accepts empty sides (they match every alert); so do we, as the same file
        // must mean the same thing to both.
        var equal: [String] = []
        if let e = m["equal"] {
            equal = try stringList(e, path + ".equal")
            for l in equal where !isLabelName(l) {
                throw fail(e, path + ".equal", "\"\(l)\" is not a valid label name")
            }
        }
        return InhibitRule(sourceMatchers: source, targetMatchers: target, equal: equal)
    }

    // MARK: receivers

    private mutating func readReceiver(_ node: ConfigValue, _ path: String) throws -> ReceiverConfiguration {
        try rejectOtherReceiverKinds(node, path)
        let m = try mapping(
            node, path, allowed: ["name", "webhook_configs", "slack_configs", "pagerduty_configs", "signing"])
        guard let nameNode = m["name"] else { throw fail(node, path + ".name", "is required") }
        let name = try string(nameNode, path + ".name")
        guard !name.isEmpty else { throw fail(nameNode, path + ".name", "must not be empty") }
        var signer: WebhookSigner?
        if let s = m["signing"] { signer = try readSigning(s, path + ".signing") }
        var receiver = ReceiverConfiguration(name: name)
        if let w = m["webhook_configs"] {
            for (i, item) in try sequence(w, path + ".webhook_configs").enumerated() {
                receiver.webhooks.append(
                    try readWebhook(item, "\(path).webhook_configs[\(i)]", receiver: name, signer: signer))
            }
        }
        if let s = m["slack_configs"] {
            for (i, item) in try sequence(s, path + ".slack_configs").enumerated() {
                receiver.slack.append(try readSlack(item, "\(path).slack_configs[\(i)]", receiver: name))
            }
        }
        if let p = m["pagerduty_configs"] {
            for (i, item) in try sequence(p, path + ".pagerduty_configs").enumerated() {
                receiver.pagerduty.append(try readPagerDuty(item, "\(path).pagerduty_configs[\(i)]", receiver: name))
            }
        }
        if signer != nil && receiver.webhooks.isEmpty {
            warnings.append("receiver \"\(name)\": signing applies to webhook_configs only and this receiver has none")
        }
        return receiver
    }

    private func readSigning(_ node: ConfigValue, _ path: String) throws -> WebhookSigner {
        let m = try mapping(node, path, allowed: ["scheme", "secret_file"])
        guard let s = m["scheme"] else {
            throw fail(node, path + ".scheme", "is required (standard-webhooks or github)")
        }
        let schemeText = try string(s, path + ".scheme")
        guard let scheme = SigningScheme(rawValue: schemeText) else {
            throw fail(s, path + ".scheme", "is not supported; expected standard-webhooks or github")
        }
        guard let f = m["secret_file"] else { throw fail(node, path + ".secret_file", "is required") }
        let secretPath = resolve(try string(f, path + ".secret_file"))
        switch RegularFile.read(secretPath) {
        case .failure(let e): throw fail(f, path + ".secret_file", "cannot read \(secretPath): \(e.reason)")
        case .success(let bytes):
            do {
                return try WebhookSigner(scheme: scheme, secretFileContents: bytes)
            } catch {
                throw fail(f, path + ".secret_file", "\(secretPath): \(error.description)")
            }
        }
    }

    private mutating func readWebhook(_ node: ConfigValue, _ path: String, receiver: String, signer: WebhookSigner?)
        throws
        -> WebhookConfiguration
    {
        let m = try mapping(
            node, path, allowed: ["url", "url_file", "send_resolved", "max_alerts", "timeout", "http_config"])
        let url = try secretURL(m, node, path, key: "url", receiver: receiver)
        var config = WebhookConfiguration(url: url, signer: signer)
        if let v = m["send_resolved"] { config.sendResolved = try bool(v, path + ".send_resolved") }
        if let v = m["max_alerts"] {
            guard let n = v.int, n >= 0 else { throw fail(v, path + ".max_alerts", "expected a whole number >= 0") }
            config.maxAlerts = n
        }
        if let v = m["timeout"] { config.timeout = try duration(v, path + ".timeout", allowZero: false) }
        if let v = m["http_config"] { config.tls = try readHTTPConfig(v, path + ".http_config", receiver: receiver) }
        if signer != nil && !url.isTLS {
            warnings.append(
                "receiver \"\(receiver)\": signed webhook sent over plain http:// (the body is readable on the wire)")
        }
        return config
    }

    private mutating func readSlack(_ node: ConfigValue, _ path: String, receiver: String) throws -> SlackConfiguration
    {
        let m = try mapping(
            node, path,
            allowed: ["api_url", "api_url_file", "channel", "title", "text", "send_resolved", "timeout", "http_config"])
        // Alertmanager's default: global.slack_api_url (or _file).
        let url =
            m["api_url"] == nil && m["api_url_file"] == nil
                && (global["slack_api_url"] != nil || global["slack_api_url_file"] != nil)
            ? try secretURL(global, globalNode ?? node, "global", key: "slack_api_url", receiver: receiver)
            : try secretURL(m, node, path, key: "api_url", receiver: receiver)
        var config = SlackConfiguration(apiURL: url)
        if let v = m["channel"] { config.channel = try string(v, path + ".channel") }
        if let v = m["title"] {
            config.title = try string(v, path + ".title")
            if let problem = SlackPayload.unsupportedPlaceholder(in: config.title!) {
                throw fail(v, path + ".title", problem)
            }
        }
        if let v = m["text"] {
            config.text = try string(v, path + ".text")
            if let problem = SlackPayload.unsupportedPlaceholder(in: config.text!) {
                throw fail(v, path + ".text", problem)
            }
        }
        if let v = m["send_resolved"] { config.sendResolved = try bool(v, path + ".send_resolved") }
        if let v = m["timeout"] { config.timeout = try duration(v, path + ".timeout", allowZero: false) }
        if let v = m["http_config"] { config.tls = try readHTTPConfig(v, path + ".http_config", receiver: receiver) }
        return config
    }

    /// `url` or `url_file` (exactly one). The URL itself never appears in a message.
    private mutating func secretURL(
        _ m: [String: ConfigValue], _ node: ConfigValue, _ path: String, key: String, receiver: String
    )
        throws
        -> HTTPClientURL
    {
        let fileKey = key + "_file"
        let text: String
        let at: ConfigValue
        let atPath: String
        switch (m[key], m[fileKey]) {
        case (nil, nil): throw fail(node, path, "one of \(key) or \(fileKey) is required")
        case (.some, .some): throw fail(node, path, "\(key) and \(fileKey) are mutually exclusive")
        case (let v?, nil):
            text = try string(v, path + "." + key)
            at = v
            atPath = path + "." + key
        case (nil, let f?):
            let filePath = resolve(try string(f, path + "." + fileKey))
            switch RegularFile.read(filePath) {
            case .failure(let e): throw fail(f, path + "." + fileKey, "cannot read \(filePath): \(e.reason)")
            case .success(let bytes):
                text = String(decoding: bytes, as: UTF8.self).trimmingWhitespace
            }
            at = f
            atPath = path + "." + fileKey
        }
        let url: HTTPClientURL
        do {
            url = try HTTPClientURL(text)
        } catch {
            throw fail(at, atPath, "\(error) (the URL is not shown because it may contain a token)")
        }
        if !url.isTLS {
            warnings.append(
                "receiver \"\(receiver)\": \(url.redacted) uses plain http://; alerts and any token in the URL travel unencrypted"
            )
        }
        return url
    }

    mutating func readHTTPConfig(_ node: ConfigValue, _ path: String, receiver: String) throws
        -> TLSClientConfiguration
    {
        let m = try mapping(node, path, allowed: ["tls_config"])
        var tls = TLSClientConfiguration()
        guard let t = m["tls_config"] else { return tls }
        let p = path + ".tls_config"
        let c = try mapping(t, p, allowed: ["ca_file", "cert_file", "key_file", "server_name", "insecure_skip_verify"])
        if let v = c["ca_file"] { tls.caFile = resolve(try string(v, p + ".ca_file")) }
        if let v = c["cert_file"] { tls.certificateFile = resolve(try string(v, p + ".cert_file")) }
        if let v = c["key_file"] { tls.keyFile = resolve(try string(v, p + ".key_file")) }
        if let v = c["server_name"] { tls.serverName = try string(v, p + ".server_name") }
        if let v = c["insecure_skip_verify"] { tls.insecureSkipVerify = try bool(v, p + ".insecure_skip_verify") }
        if (tls.certificateFile == nil) != (tls.keyFile == nil) {
            throw fail(t, p, "cert_file and key_file must be given together")
        }
        if tls.insecureSkipVerify {
            warnings.append(
                "receiver \"\(receiver)\": insecure_skip_verify is set; the server's certificate is not checked")
        }
        // Load the files now so a bad CA or key stops start-up with the file named (once per
        // distinct settings: 1,000 integrations with the same tls_config load them once).
        do {
            _ = try checkedTLS.context(for: tls)
        } catch {
            throw fail(t, p, "\(error)")
        }
        return tls
    }

    // MARK: scalars

    func mapping(_ node: ConfigValue, _ path: String, allowed: [String]) throws -> [String: ConfigValue] {
        guard let entries = node.entries else { throw fail(node, path, "expected a mapping") }
        var out: [String: ConfigValue] = [:]
        for entry in entries {
            let key = entry.key
            let full = path.isEmpty ? key : path + "." + key
            guard allowed.contains(key) else {
                throw fail(entry.keyNode, full, "unknown key; expected one of: \(allowed.joined(separator: ", "))")
            }
            out[key] = entry.value
        }
        return out
    }

    func sequence(_ node: ConfigValue, _ path: String) throws -> [ConfigValue] {
        guard let items = node.items else { throw fail(node, path, "expected a list") }
        return items
    }

    func string(_ node: ConfigValue, _ path: String) throws -> String {
        guard let text = node.scalarText else { throw fail(node, path, "expected a string") }
        return text
    }

    func stringList(_ node: ConfigValue, _ path: String) throws -> [String] {
        try sequence(node, path).enumerated().map { try string($1, "\(path)[\($0)]") }
    }

    func bool(_ node: ConfigValue, _ path: String) throws -> Bool {
        guard let text = node.scalarText else { throw fail(node, path, "expected true or false") }
        switch text {
        case "true", "True", "TRUE": return true
        case "false", "False", "FALSE": return false
        default: throw fail(node, path, "expected true or false")
        }
    }

    func duration(_ node: ConfigValue, _ path: String, allowZero: Bool) throws -> Double {
        let text = try string(node, path)
        guard let seconds = PrometheusDuration.parse(text) else {
            throw fail(node, path, "is not a duration; expected e.g. 30s, 5m, 4h, 1h30m")
        }
        if !allowZero && seconds <= 0 { throw fail(node, path, "must be greater than 0") }
        // Timeouts become Int64 nanoseconds; past ~292 years that traps. Ten years is far beyond any
        // use (a yearly repeat_interval, the usual "never repeat", still fits).
        if seconds > 3650 * 86_400 { throw fail(node, path, "must be at most 3650d (ten years)") }
        return seconds
    }

    func resolve(_ path: String) -> String { document.resolve(path) }

    func isLabelName(_ s: String) -> Bool {
        guard let first = s.utf8.first, !(first >= 48 && first <= 57) else { return false }
        return s.utf8.allSatisfy {
            ($0 >= 65 && $0 <= 90) || ($0 >= 97 && $0 <= 122) || ($0 >= 48 && $0 <= 57) || $0 == 95
        }
    }
}

extension String {
    /// Without leading and trailing spaces, tabs and line breaks (`url_file` contents).
    var trimmingWhitespace: String {
        var s = Substring(self)
        while let c = s.first, c.isWhitespace { s = s.dropFirst() }
        while let c = s.last, c.isWhitespace { s = s.dropLast() }
        return String(s)
    }
}
