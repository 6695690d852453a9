import Alerting
import HTTP
import Sockets

extension ConfigurationReader {
    /// The receiver kinds the built-in notifier implements.
    static let supportedReceiverKinds: Set<String> = ["webhook_configs", "slack_configs", "pagerduty_configs"]

    /// Stops at an Alertmanager receiver kind the exporter does not implement (`email_configs`,
    /// `opsgenie_configs`…), with a message that names it and the way to use it anyway.
    func rejectOtherReceiverKinds(_ node: ConfigValue, _ path: String) throws {
        for entry in node.entries ?? [] {
            let key = entry.key
            guard key.hasSuffix("_configs"), !Self.supportedReceiverKinds.contains(key) else { continue }
            throw fail(
                entry.keyNode, path + "." + key,
                "\(key) is not supported by the built-in notifier (it sends webhook_configs, slack_configs and "
                    + "pagerduty_configs); to use it, run Alertmanager with this receiver and point "
                    + "--alertmanager.url at it")
        }
    }

    /// One `pagerduty_configs` entry (Events API v2). The routing key never appears in a message.
    mutating func readPagerDuty(_ node: ConfigValue, _ path: String, receiver: String) throws -> PagerDutyConfiguration
    {
        let m = try mapping(
            node, path,
            allowed: [
                "routing_key", "routing_key_file", "service_key", "service_key_file", "url", "severity", "class",
                "component", "group", "client", "client_url", "description", "source", "details", "links", "images",
                "send_resolved", "timeout", "http_config",
            ])
        for key in ["service_key", "service_key_file"] {
            if let v = m[key] {
                throw fail(
                    v, path + "." + key,
                    "PagerDuty's Events API v1 (service_key) is not supported; use routing_key or routing_key_file "
                        + "with an Events API v2 integration key")
            }
        }
        let routingKey = try secret(m, node, path, key: "routing_key")
        var url = try HTTPClientURL(PagerDutyConfiguration.defaultURL)
        // Alertmanager's default: global.pagerduty_url.
        if let v = m["url"] ?? global["pagerduty_url"] {
            let urlPath = m["url"] != nil ? path + ".url" : "global.pagerduty_url"
            do {
                url = try HTTPClientURL(try string(v, urlPath))
            } catch let error as AlertingConfigurationError {
                throw error
            } catch {
                throw fail(v, urlPath, "\(error)")
            }
            if !url.isTLS {
                warnings.append(
                    "receiver \"\(receiver)\": PagerDuty url \(url.redacted) is plain http://; the routing key travels unencrypted"
                )
            }
        }
        var c = PagerDutyConfiguration(routingKey: routingKey, url: url)
        func text(_ key: String) throws -> String? {
            guard let v = m[key] else { return nil }
            return try placeholderText(v, path + "." + key)
        }
        if let v = try text("severity") {
            if !v.contains("{{") && !PagerDutyConfiguration.severities.contains(v) {
                throw fail(m["severity"], path + ".severity", "expected critical, error, warning or info")
            }
            c.severity = v
        }
        c.summary = try text("description")
        c.client = try text("client")
        c.clientURL = try text("client_url")
        c.source = try text("source")
        c.eventClass = try text("class") ?? ""
        c.component = try text("component") ?? ""
        c.group = try text("group") ?? ""
        if let d = m["details"] {
            guard let entries = d.entries else { throw fail(d, path + ".details", "expected a mapping") }
            for entry in entries {
                c.details[entry.key] = try placeholderText(entry.value, path + ".details." + entry.key)
            }
        }
        if let l = m["links"] {
            for (i, item) in try sequence(l, path + ".links").enumerated() {
                let p = "\(path).links[\(i)]"
                let f = try mapping(item, p, allowed: ["href", "text"])
                c.links.append(
                    (
                        try f["href"].map { try placeholderText($0, p + ".href") } ?? "",
                        try f["text"].map { try placeholderText($0, p + ".text") } ?? ""
                    ))
            }
        }
        if let l = m["images"] {
            for (i, item) in try sequence(l, path + ".images").enumerated() {
                let p = "\(path).images[\(i)]"
                let f = try mapping(item, p, allowed: ["src", "alt", "href"])
                c.images.append(
                    (
                        try f["src"].map { try placeholderText($0, p + ".src") } ?? "",
                        try f["alt"].map { try placeholderText($0, p + ".alt") } ?? "",
                        try f["href"].map { try placeholderText($0, p + ".href") } ?? ""
                    ))
            }
        }
        if let v = m["send_resolved"] { c.sendResolved = try bool(v, path + ".send_resolved") }
        if let v = m["timeout"] { c.timeout = try duration(v, path + ".timeout", allowZero: false) }
        if let v = m["http_config"] { c.tls = try readHTTPConfig(v, path + ".http_config", receiver: receiver) }
        return c
    }

    /// A string whose `{{ }}` placeholders are all supported (see ``SlackPayload``).
    private func placeholderText(_ node: ConfigValue, _ path: String) throws -> String {
        let value = try string(node, path)
        if let problem = SlackPayload.unsupportedPlaceholder(in: value) { throw fail(node, path, problem) }
        return value
    }

    /// `key` or `key_file` (exactly one), non-empty, trimmed; its value is never quoted.
    private func secret(_ m: [String: ConfigValue], _ node: ConfigValue, _ path: String, key: String) throws -> String {
        let fileKey = key + "_file"
        let value: String
        let at: ConfigValue
        switch (m[key], m[fileKey]) {
        case (nil, nil): throw fail(node, path, "one of \(key) or \(fileKey) is required")
        case (.some, .some): throw fail(node, path, "\(key) and \(fileKey) are mutually exclusive")
        case (let v?, nil):
            value = try string(v, path + "." + key).trimmingWhitespace
            at = v
        case (nil, let f?):
            let filePath = resolve(try string(f, path + "." + fileKey))
            switch RegularFile.read(filePath) {
            case .failure(let e): throw fail(f, path + "." + fileKey, "cannot read \(filePath): \(e.reason)")
            case .success(let bytes): value = String(decoding: bytes, as: UTF8.self).trimmingWhitespace
            }
            at = f
        }
        guard !value.isEmpty else { throw fail(at, path, "the \(key) is empty") }
        guard value.unicodeScalars.allSatisfy({ $0.value >= 0x21 && $0.value < 0x7f }) else {
            throw fail(at, path, "the \(key) contains spaces, control or non-ASCII characters (not shown)")
        }
        return value
    }
}
