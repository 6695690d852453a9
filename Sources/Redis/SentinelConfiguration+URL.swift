import Sockets

extension SentinelConfiguration {
    /// What a `sentinel://` URL says: the sentinels, and the Redis master's database and credentials.
    public struct ParsedURL: Sendable, Equatable {
        /// The sentinels in the URL's order.
        public var sentinels: [SocketEndpoint]
        /// The database on the master (the first segment's `/db`, default 0).
        public var database: Int
        /// The master's ACL user from the first segment, if any.
        public var username: String?
        /// The master's password from the first segment, if any.
        public var password: String?
    }

    /// True when `url` uses the `sentinel://` scheme (any case).
    public static func isSentinelURL(_ url: String) -> Bool {
        url.prefix(11).lowercased() == "sentinel://"
    }

    /// Parses kombu's Sentinel broker URL:
    /// `sentinel://[user[:password]@]host[:port][/db][;sentinel://host2[:port]…]`.
    ///
    /// As kombu does (`Connection` splits the URL at `;` and parses only the first part as the
    /// connection; `SentinelChannel` takes just host and port from every part), the credentials and
    /// database of the FIRST part are the Redis master's, and every part names one sentinel (port
    /// 26379 by default). A later part with a different database or credentials is an error here
    /// rather than silently ignored as kombu does, since it means the URL says two things.
    /// Errors quote the URL redacted.
    public static func parse(url: String) throws -> ParsedURL {
        let redacted = redact(url: url)
        func failure(_ reason: String) -> RedisConfigurationError {
            .invalidURL(redacted: redacted, reason: reason)
        }
        let segments = url.split(separator: ";", omittingEmptySubsequences: false)
        guard segments.count <= maximumSentinels else {
            throw failure("at most \(maximumSentinels) sentinels are supported, got \(segments.count)")
        }
        var result = ParsedURL(sentinels: [], database: 0)
        for (index, segment) in segments.enumerated() {
            let ordinal = segments.count > 1 ? " (sentinel #\(index + 1))" : ""
            guard isSentinelURL(String(segment)) else {
                throw failure(
                    "expected every ';'-separated part to start with sentinel://, e.g. "
                        + "sentinel://host1:26379;sentinel://host2:26379/0\(ordinal)")
            }
            var rest = segment.dropFirst(11)
            var username: String?
            var password: String?
            if let at = rest.lastIndex(of: "@") {
                let userinfo = rest[..<at]
                rest = rest[rest.index(after: at)...]
                let user = userinfo.firstIndex(of: ":").map { userinfo[..<$0] } ?? userinfo
                guard let decodedUser = RedisConfiguration.percentDecode(user) else {
                    throw failure("invalid percent-encoding in the user name (expected %XX with two hex digits)")
                }
                username = decodedUser.isEmpty ? nil : decodedUser
                if let colon = userinfo.firstIndex(of: ":") {
                    guard let decoded = RedisConfiguration.percentDecode(userinfo[userinfo.index(after: colon)...])
                    else {
                        throw failure("invalid percent-encoding in the password (expected %XX with two hex digits)")
                    }
                    password = decoded
                }
            }
            if rest.contains("?") {
                throw failure("query parameters are not supported in sentinel:// URLs\(ordinal)")
            }
            var database: Int?
            var hostPort = rest
            if let slash = rest.firstIndex(of: "/") {
                hostPort = rest[..<slash]
                let path = rest[rest.index(after: slash)...]
                if !path.isEmpty {
                    guard path.count <= 9, path.allSatisfy({ $0.isASCII && $0.isNumber }), let db = Int(path) else {
                        throw failure(
                            "expected a database number after the host, e.g. sentinel://host:26379/0, got \"/\(path)\"")
                    }
                    database = db
                }
            }
            let (host, port) = try RedisConfiguration.parseHostPort(
                hostPort, defaultPort: defaultPort, failure: failure)
            result.sentinels.append(.tcp(host: host, port: port))
            if index == 0 {
                result.database = database ?? 0
                result.username = username
                result.password = password
            } else {
                if let database, database != result.database {
                    throw failure(
                        "the database is given as /\(database) on sentinel #\(index + 1) but /\(result.database) on the "
                            + "first; kombu uses the first part's, so put it there")
                }
                if (username != nil || password != nil) && (username != result.username || password != result.password)
                {
                    throw failure(
                        "sentinel #\(index + 1) carries other credentials than the first part; kombu uses only the "
                            + "first part's (the Redis master's)")
                }
            }
        }
        return result
    }

    /// The URL with each part's user information replaced by `***`.
    public static func redact(url: String) -> String {
        url.split(separator: ";", omittingEmptySubsequences: false)
            .map { RedisConfiguration.redact(url: String($0)) }.joined(separator: ";")
    }
}
