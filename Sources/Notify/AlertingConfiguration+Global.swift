import Alerting

/// The parts of a real `alertmanager.yml` around the receivers: `global` and `templates`
/// (Alertmanager's own example files have both), and the time-based muting the built-in
/// notifier does not have.
extension ConfigurationReader {
    /// `global` keys that only configure receiver kinds the notifier refuses anyway (e-mail,
    /// Opsgenie, …): accepted and unused, so that the receiver kind, not its settings, is what
    /// a real file is refused for.
    static let globalKeysOfOtherReceivers: Set<String> = [
        "smtp_from", "smtp_hello", "smtp_smarthost", "smtp_auth_username", "smtp_auth_password",
        "smtp_auth_password_file", "smtp_auth_secret", "smtp_auth_identity", "smtp_require_tls", "smtp_tls_config",
        "opsgenie_api_url", "opsgenie_api_key", "opsgenie_api_key_file", "wechat_api_url", "wechat_api_secret",
        "wechat_api_corp_id", "victorops_api_url", "victorops_api_key", "victorops_api_key_file", "telegram_api_url",
        "webex_api_url", "jira_api_url", "rocketchat_api_url", "rocketchat_token", "rocketchat_token_file",
        "rocketchat_token_id", "rocketchat_token_id_file",
    ]

    /// Checks `global` and keeps it for the receivers: `slack_api_url`/`slack_api_url_file`
    /// and `pagerduty_url` are the defaults of `slack_configs[].api_url` and
    /// `pagerduty_configs[].url`, as in Alertmanager; `resolve_timeout` is checked and unused
    /// (the exporter's alerts always carry their end). `http_config` is refused: it would
    /// silently not apply.
    mutating func readGlobal(_ node: ConfigValue) throws {
        let m = try mapping(
            node, "global",
            allowed: Self.globalKeysOfOtherReceivers.union([
                "resolve_timeout", "slack_api_url", "slack_api_url_file", "pagerduty_url", "http_config",
            ]).sorted())
        if let v = m["http_config"] {
            throw fail(
                v, "global.http_config",
                "is not supported by the built-in notifier; set http_config.tls_config on each receiver's configs")
        }
        if let v = m["resolve_timeout"] { _ = try duration(v, "global.resolve_timeout", allowZero: false) }
        if let v = m["pagerduty_url"] { _ = try string(v, "global.pagerduty_url") }
        global = m
        globalNode = node
    }

    /// `time_intervals` and `mute_time_intervals` are refused with what to use instead: ignoring
    /// them would page at the very hours they mute.
    func rejectTimeIntervals(_ top: [String: ConfigValue]) throws {
        for key in ["time_intervals", "mute_time_intervals"] {
            guard let v = top[key] else { continue }
            throw fail(
                v, key,
                "is not supported: the built-in notifier has no time-based muting; use silences (amtool silence add "
                    + "against the exporter) or run Alertmanager with it and point --alertmanager.url at it")
        }
    }

    /// `templates` (a list of file globs) is accepted and not read: the text fields take the
    /// built-in placeholders only, and a `{{ template "…" }}` in them is refused where it is used.
    mutating func readTemplates(_ node: ConfigValue) throws {
        let list = try sequence(node, "templates")
        if !list.isEmpty {
            warnings.append("templates: template files are not read; text fields take the built-in placeholders only")
        }
    }
}
