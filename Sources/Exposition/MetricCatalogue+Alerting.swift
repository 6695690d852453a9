// Alerts, rule history, reloads of the alerting configuration, notifications and silences
// (AlertEvaluator, SeriesHistory, AlertingRuntime, NotifierMetrics, SilenceStore).
extension MetricDescriptor {
    /// `celery_redis_alerts`
    public static let alerts = MetricDescriptor(
        "celery_redis_alerts", .gauge, labels: ["alertname", "alertstate"], withRuleLabels: true,
        help: "1 for each pending or firing alert of the exporter's own rule evaluation (the shape of Prometheus's "
            + "ALERTS series).")
    /// `celery_redis_alert_active_since_timestamp_seconds`
    public static let alertActiveSinceTimestampSeconds = MetricDescriptor(
        "celery_redis_alert_active_since_timestamp_seconds", .gauge, unit: "seconds", labels: ["alertname"],
        withRuleLabels: true,
        help: "Unix time each pending or firing alert became active (the analog of Prometheus's ALERTS_FOR_STATE).")
    /// `celery_redis_config_last_reload_successful`
    public static let configLastReloadSuccessful = MetricDescriptor(
        "celery_redis_config_last_reload_successful", .gauge,
        help: "1 when the last load of the rule files and alerting configuration succeeded (at start-up, SIGHUP or "
            + "POST /-/reload); 0 when it failed and the previous configuration is still in use.")
    /// `celery_redis_config_last_reload_success_timestamp_seconds`
    public static let configLastReloadSuccessTimestampSeconds = MetricDescriptor(
        "celery_redis_config_last_reload_success_timestamp_seconds", .gauge, unit: "seconds",
        help: "Unix time of the last successful configuration load.")
    /// `celery_redis_notifications_total`
    public static let notifications = MetricDescriptor(
        "celery_redis_notifications", .counter, labels: ["receiver", "result"],
        help: "Alert notification attempts by receiver and result: success, retry (failed, rescheduled), unknown "
            + "(sent but no answer; retried with the same webhook-id), failed (rejected, or pending at shutdown "
            + "without storage), dropped (over the byte budget; sent at the group's next flush).")
    /// `celery_redis_notification_pending_groups`
    public static let notificationPendingGroups = MetricDescriptor(
        "celery_redis_notification_pending_groups", .gauge, labels: ["receiver"],
        help: "Alert groups with a notification waiting for delivery or being attempted (at most one per group and "
            + "integration), by receiver.")
    /// `celery_redis_notification_owed_resolves`
    public static let notificationOwedResolves = MetricDescriptor(
        "celery_redis_notification_owed_resolves", .gauge, labels: ["receiver"],
        help: "Resolved alerts a receiver was (or, after an attempt with no answer, may have been) told were firing "
            + "and has not yet been told resolved, by receiver.")
    /// `celery_redis_notification_pending_bytes`
    public static let notificationPendingBytes = MetricDescriptor(
        "celery_redis_notification_pending_bytes", .gauge, unit: "bytes",
        help: "Estimated bytes held by pending notifications (all receivers).")
    /// `celery_redis_notification_pending_budget_bytes`
    public static let notificationPendingBudgetBytes = MetricDescriptor(
        "celery_redis_notification_pending_budget_bytes", .gauge, unit: "bytes",
        help: "The byte budget of pending notifications; past it a notification is sent at its group's next flush "
            + "instead.")
    /// `celery_redis_notification_last_success_timestamp_seconds`
    public static let notificationLastSuccessTimestampSeconds = MetricDescriptor(
        "celery_redis_notification_last_success_timestamp_seconds", .gauge, unit: "seconds", labels: ["receiver"],
        help: "Unix time of the last successful delivery, by receiver.")
    /// `celery_redis_alerts_suppressed`
    public static let alertsSuppressed = MetricDescriptor(
        "celery_redis_alerts_suppressed", .gauge, labels: ["reason"],
        help: "Firing alerts not notified because a silence matches them (silenced) or an inhibit rule mutes them "
            + "(inhibited); an alert muted both ways counts in both.")
    /// `celery_redis_silences`
    public static let silences = MetricDescriptor(
        "celery_redis_silences", .gauge, labels: ["state"],
        help: "Silences by state (active, pending, expired within --silences.retention).")
    /// `celery_redis_silences_rejected_total`
    public static let silencesRejected = MetricDescriptor(
        "celery_redis_silences_rejected", .counter, labels: ["reason"],
        help: "Silence writes refused: invalid (bad JSON, matcher or times), size (over "
            + "--silences.max-per-silence-bytes or too many matchers), limit (--silences.max-silences active or "
            + "pending).")
    /// `celery_redis_silences_expunged_total`
    public static let silencesExpunged = MetricDescriptor(
        "celery_redis_silences_expunged", .counter, labels: ["reason"],
        help: "Expired silences dropped: retention (older than --silences.retention), cap (more than "
            + "--silences.max-silences expired ones, or live ones over the cap in the file at start).")
    /// `celery_redis_rule_history_series`
    public static let ruleHistorySeries = MetricDescriptor(
        "celery_redis_rule_history_series", .gauge,
        help: "Series the rules' range selectors (rate(x[5m]) and friends) reference, whose recent samples the "
            + "exporter keeps for them.")
    /// `celery_redis_rule_history_samples`
    public static let ruleHistorySamples = MetricDescriptor(
        "celery_redis_rule_history_samples", .gauge,
        help: "Samples kept for the rules' range selectors (one per series per poll, for the longest range a rule "
            + "uses).")
    /// `celery_redis_rule_history_bytes`
    public static let ruleHistoryBytes = MetricDescriptor(
        "celery_redis_rule_history_bytes", .gauge, unit: "bytes",
        help: "Estimated memory held by the samples kept for range selectors.")
    /// `celery_redis_rule_history_limit_bytes`
    public static let ruleHistoryLimitBytes = MetricDescriptor(
        "celery_redis_rule_history_limit_bytes", .gauge, unit: "bytes",
        help: "The byte limit of the samples kept for range selectors (--rules.history-max-bytes).")
    /// `celery_redis_rule_history_retention_seconds`
    public static let ruleHistoryRetentionSeconds = MetricDescriptor(
        "celery_redis_rule_history_retention_seconds", .gauge, unit: "seconds",
        help: "How long samples are kept for range selectors: the longest range any loaded rule uses (at most 1h).")
    /// `celery_redis_rule_history_series_evicted_total`
    public static let ruleHistorySeriesEvicted = MetricDescriptor(
        "celery_redis_rule_history_series_evicted", .counter,
        help: "Series dropped from the range-selector history to stay within its byte limit (least recently seen "
            + "first); their range functions return nothing until they have two new samples.")
}

extension MetricCatalogue {
    /// Alerts, rule history, reloads of the alerting configuration, notifications and silences (AlertEvaluator,
    /// SeriesHistory, AlertingRuntime, NotifierMetrics, SilenceStore).
    public static let alerting: [MetricDescriptor] = [
        .alerts, .alertActiveSinceTimestampSeconds, .configLastReloadSuccessful,
        .configLastReloadSuccessTimestampSeconds, .notifications, .notificationPendingGroups,
        .notificationOwedResolves, .notificationPendingBytes, .notificationPendingBudgetBytes,
        .notificationLastSuccessTimestampSeconds, .alertsSuppressed, .silences, .silencesRejected, .silencesExpunged,
        .ruleHistorySeries, .ruleHistorySamples, .ruleHistoryBytes, .ruleHistoryLimitBytes,
        .ruleHistoryRetentionSeconds, .ruleHistorySeriesEvicted,
    ]
}
