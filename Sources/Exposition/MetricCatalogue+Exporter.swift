// The exporter itself: polls, build, process resources, HTTP server, reloads, Sentinel and name
// lookups (MetricsBuilder, ProcessMetrics, ServerMetrics, SentinelResolver, NameResolver).
extension MetricDescriptor {
    /// `celery_redis_up`
    public static let up = MetricDescriptor(
        "celery_redis_up", .gauge,
        help: "1 when the last poll of Redis succeeded, 0 when it failed (queue series are then omitted, not served "
            + "stale).")
    /// `celery_redis_poll_duration_seconds`
    public static let pollDurationSeconds = MetricDescriptor(
        "celery_redis_poll_duration_seconds", .gauge, unit: "seconds",
        help: "Wall time of the last poll of Redis. Metrics are sampled once per poll interval and cached; a scrape "
            + "never queries Redis.")
    /// `celery_redis_poll_phase_seconds`
    public static let pollPhaseSeconds = MetricDescriptor(
        "celery_redis_poll_phase_seconds", .gauge, unit: "seconds", labels: ["phase"],
        help: "Wall time of each phase of the last successful poll of Redis: discovery, queues, unacked, fold_in, "
            + "backlog and tails sum to celery_redis_poll_duration_seconds; rules is the alert evaluation after the "
            + "previous poll, not in that sum.")
    /// `celery_redis_last_poll_timestamp_seconds`
    public static let lastPollTimestampSeconds = MetricDescriptor(
        "celery_redis_last_poll_timestamp_seconds", .gauge, unit: "seconds",
        help: "Unix time the last poll of Redis finished, successful or not. All other values are as of this poll "
            + "(cached between polls).")
    /// `celery_redis_last_successful_poll_timestamp_seconds`
    public static let lastSuccessfulPollTimestampSeconds = MetricDescriptor(
        "celery_redis_last_successful_poll_timestamp_seconds", .gauge, unit: "seconds",
        help: "Unix time the last successful poll of Redis finished.")
    /// `celery_redis_poll_errors_total`
    public static let pollErrors = MetricDescriptor(
        "celery_redis_poll_errors", .counter, labels: ["stage"],
        help: "Failed polls of Redis, by the stage that failed (connect, discovery, queues, unacked).")
    /// `celery_redis_command_errors_total`
    public static let commandErrors = MetricDescriptor(
        "celery_redis_command_errors", .counter, labels: ["stage"],
        help: "Redis error replies to individual commands (e.g. WRONGTYPE: a key named like a queue holds another "
            + "type) by stage; the poll itself still succeeds and the key reads 0. For stage census, also census "
            + "round trips that failed (the pass resumes on the next poll).")
    /// `celery_redis_build_info`
    public static let buildInfo = MetricDescriptor(
        "celery_redis_build_info", .gauge, labels: ["revision", "swift_version", "version"],
        help: "Always 1; the labels tell which celery-redis-exporter build is running: version, git revision "
            + "(\"unknown\" when built without git) and the Swift compiler's version.")
    /// `process_cpu_seconds_total`
    public static let processCPUSeconds = MetricDescriptor(
        "process_cpu_seconds", .counter, unit: "seconds",
        help: "Total user and system CPU time spent in seconds.")
    /// `process_resident_memory_bytes`
    public static let processResidentMemoryBytes = MetricDescriptor(
        "process_resident_memory_bytes", .gauge, unit: "bytes",
        help: "Resident memory size in bytes.")
    /// `process_virtual_memory_bytes`
    public static let processVirtualMemoryBytes = MetricDescriptor(
        "process_virtual_memory_bytes", .gauge, unit: "bytes",
        help: "Virtual memory size in bytes.")
    /// `process_open_fds`
    public static let processOpenFDs = MetricDescriptor(
        "process_open_fds", .gauge,
        help: "Number of open file descriptors.")
    /// `process_max_fds`
    public static let processMaxFDs = MetricDescriptor(
        "process_max_fds", .gauge,
        help: "Maximum number of open file descriptors.")
    /// `process_start_time_seconds`
    public static let processStartTimeSeconds = MetricDescriptor(
        "process_start_time_seconds", .gauge, unit: "seconds",
        help: "Start time of the process since unix epoch in seconds.")
    /// `celery_redis_process_metrics_read_errors_total`
    public static let processMetricsReadErrors = MetricDescriptor(
        "celery_redis_process_metrics_read_errors", .counter,
        help: "Reads of /proc (for the process_* metrics) that failed; the affected process_* families are left out "
            + "of that poll.")
    /// `celery_redis_label_values_truncated_total`
    public static let labelValuesTruncated = MetricDescriptor(
        "celery_redis_label_values_truncated", .counter, labels: ["kind"],
        help: "Distinct names from Redis (queue, worker, task) longer than 256 bytes, reported under a shortened "
            + "label value: the first bytes, '…' and 8 hex digits of a hash of the whole name.")
    /// `celery_redis_http_connections_open`
    public static let httpConnectionsOpen = MetricDescriptor(
        "celery_redis_http_connections_open", .gauge,
        help: "HTTP connections open when the last poll finished (capped by --web.max-connections).")
    /// `celery_redis_http_connections_evicted_total`
    public static let httpConnectionsEvicted = MetricDescriptor(
        "celery_redis_http_connections_evicted", .counter, labels: ["reason"],
        help: "HTTP connections closed to admit a new one at the connection cap or when out of file descriptors: "
            + "reason idle (keep-alive, no request in progress) or partial_head (request head still arriving or no "
            + "request sent yet, oldest first).")
    /// `celery_redis_http_connections_rejected_total`
    public static let httpConnectionsRejected = MetricDescriptor(
        "celery_redis_http_connections_rejected", .counter, labels: ["reason"],
        help: "HTTP connections answered 503 and closed at once: reason connection_cap (cap reached, nothing idle "
            + "to close), client_cap (the address's share of the cap reached, none of its connections can be "
            + "closed) or out_of_descriptors (accepted on the reserved descriptor).")
    /// `celery_redis_http_queued_bytes`
    public static let httpQueuedBytes = MetricDescriptor(
        "celery_redis_http_queued_bytes", .gauge,
        help: "Request bytes read and not yet answered plus response bytes not yet sent, over all HTTP connections "
            + "(each connection is capped).")
    /// `celery_redis_http_connection_pauses_total`
    public static let httpConnectionPauses = MetricDescriptor(
        "celery_redis_http_connection_pauses", .counter, labels: ["reason"],
        help: "Times an HTTP connection's service stopped early to let others have the loop: reason output_cap "
            + "(unsent output over the cap, reading paused until the client reads) or turn_budget (its share of "
            + "requests or bytes for one loop turn used).")
    /// `celery_redis_http_accept_errors_total`
    public static let httpAcceptErrors = MetricDescriptor(
        "celery_redis_http_accept_errors", .counter, labels: ["reason"],
        help: "Failed accept() calls: emfile (the process is out of file descriptors), enfile (the system is), "
            + "enomem (out of memory or socket buffers).")
    /// `celery_redis_http_request_timeouts_total`
    public static let httpRequestTimeouts = MetricDescriptor(
        "celery_redis_http_request_timeouts", .counter,
        help: "HTTP requests that did not arrive whole within the request deadline (answered 408, connection "
            + "closed).")
    /// `celery_redis_config_reload_requests_total`
    public static let configReloadRequests = MetricDescriptor(
        "celery_redis_config_reload_requests", .counter, labels: ["source"],
        help: "Configuration reload requests by source (http: POST /-/reload, signal: SIGHUP).")
    /// `celery_redis_config_reloads_total`
    public static let configReloads = MetricDescriptor(
        "celery_redis_config_reloads", .counter,
        help: "Configuration reloads run; concurrent requests share one reload, and reloads start at most once a "
            + "second.")
    /// `celery_redis_config_reload_requests_coalesced_total`
    public static let configReloadRequestsCoalesced = MetricDescriptor(
        "celery_redis_config_reload_requests_coalesced", .counter,
        help: "Reload requests answered by a reload another request had already asked for.")
    /// `celery_redis_http_auth_failures_total`
    public static let httpAuthFailures = MetricDescriptor(
        "celery_redis_http_auth_failures", .counter, labels: ["reason"],
        help: "HTTP requests refused by basic authentication (--web.config.file): missing (no or malformed "
            + "credentials, 401), invalid (wrong user or password, 401), busy (too many password checks waiting, "
            + "429).")
    /// `celery_redis_api_requests_refused_total`
    public static let apiRequestsRefused = MetricDescriptor(
        "celery_redis_api_requests_refused", .counter, labels: ["reason"],
        help:
            "Alertmanager API reads refused: regex (a filter or receiver regex of 2,000 or more instructions, 400), work (matching "
            + "over 5e7 steps, 400), body_size (an answer over 16 MiB, 503), queued_bytes (64 MiB or more unsent to "
            + "slow clients, 503), busy (16 reads already waiting for the API's thread, 503).")
    /// `celery_redis_http_auth_bcrypt_checks_total`
    public static let httpAuthBcryptChecks = MetricDescriptor(
        "celery_redis_http_auth_bcrypt_checks", .counter,
        help: "Passwords checked with bcrypt; a client's next requests with the same password are let in from "
            + "memory.")
    /// `celery_redis_http_tls_handshake_failures_total`
    public static let httpTLSHandshakeFailures = MetricDescriptor(
        "celery_redis_http_tls_handshake_failures", .counter, labels: ["reason"],
        help: "TLS connections that failed before a request: error (no common version, missing or rejected client "
            + "certificate, not TLS), http_on_tls (plain HTTP to the TLS port, answered 400), timeout (handshake "
            + "not done within the request timeout).")
    /// `celery_redis_http_tls_certificate_reloads_total`
    public static let httpTLSCertificateReloads = MetricDescriptor(
        "celery_redis_http_tls_certificate_reloads", .counter, labels: ["result"],
        help: "Times the TLS certificate, key or client CA files changed on disk: success (new connections use "
            + "them), failure (they did not load; the previous certificate is still served).")
    /// `celery_redis_sentinel_master_info`
    public static let sentinelMasterInfo = MetricDescriptor(
        "celery_redis_sentinel_master_info", .gauge, labels: ["connection", "master", "address"],
        help: "The Redis master the exporter uses, as named by Sentinel and confirmed by ROLE (value 1); absent "
            + "until the first resolution succeeds. connection: broker, or result_backend for a sentinel:// result "
            + "backend with its own sentinels or master.")
    /// `celery_redis_sentinel_failovers_total`
    public static let sentinelFailovers = MetricDescriptor(
        "celery_redis_sentinel_failovers", .counter, labels: ["connection", "master"],
        help: "Times the Redis master changed since start-up (the exporter followed it without a restart).")
    /// `celery_redis_sentinel_query_failures_total`
    public static let sentinelQueryFailures = MetricDescriptor(
        "celery_redis_sentinel_query_failures", .counter, labels: ["connection", "master", "reason"],
        help: "Sentinel answers not used, by reason: unreachable (connect, auth or timeout), unknown_master, "
            + "bad_reply (not a plausible host and port), master_unreachable (the named server could not be "
            + "connected to), not_master (the named server's ROLE is not master).")
    /// `celery_redis_name_lookups_in_flight`
    public static let nameLookupsInFlight = MetricDescriptor(
        "celery_redis_name_lookups_in_flight", .gauge,
        help: "Host name lookups (getaddrinfo, for webhook receivers and Redis) running now on their own threads, "
            + "abandoned ones included; at the cap, further lookups fail at once.")
    /// `celery_redis_name_lookups_total`
    public static let nameLookups = MetricDescriptor(
        "celery_redis_name_lookups", .counter,
        help: "Host name lookups started on a lookup thread (IP literals need none).")
    /// `celery_redis_name_lookup_waits_abandoned_total`
    public static let nameLookupWaitsAbandoned = MetricDescriptor(
        "celery_redis_name_lookup_waits_abandoned", .counter,
        help: "Waits for a host name lookup that ended at the caller's deadline or shutdown while the lookup still "
            + "ran (the resolver is slower than the timeout; its answer is kept 30 s for the next try).")
    /// `celery_redis_name_lookups_rejected_total`
    public static let nameLookupsRejected = MetricDescriptor(
        "celery_redis_name_lookups_rejected", .counter,
        help: "Host name lookups refused because the cap of lookups in flight was reached (the resolver is not "
            + "answering).")
}

extension MetricCatalogue {
    /// The exporter itself: polls, build, process resources, HTTP server, reloads, Sentinel and name lookups
    /// (MetricsBuilder, ProcessMetrics, ServerMetrics, SentinelResolver, NameResolver).
    public static let exporter: [MetricDescriptor] = [
        .up, .pollDurationSeconds, .pollPhaseSeconds, .lastPollTimestampSeconds, .lastSuccessfulPollTimestampSeconds,
        .pollErrors, .commandErrors, .buildInfo, .processCPUSeconds, .processResidentMemoryBytes,
        .processVirtualMemoryBytes, .processOpenFDs, .processMaxFDs, .processStartTimeSeconds,
        .processMetricsReadErrors, .labelValuesTruncated, .httpConnectionsOpen, .httpConnectionsEvicted,
        .httpConnectionsRejected, .httpQueuedBytes, .httpConnectionPauses, .httpAcceptErrors, .httpRequestTimeouts,
        .configReloadRequests, .configReloads, .configReloadRequestsCoalesced, .httpAuthFailures,
        .httpAuthBcryptChecks, .apiRequestsRefused, .httpTLSHandshakeFailures, .httpTLSCertificateReloads,
        .sentinelMasterInfo,
        .sentinelFailovers, .sentinelQueryFailures, .nameLookupsInFlight, .nameLookups, .nameLookupWaitsAbandoned,
        .nameLookupsRejected,
    ]
}
