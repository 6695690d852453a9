import Sockets
import TLS

extension RedisConfiguration {
    /// Parses a Redis URL:
    ///
    /// - `redis://[user[:password]@]host[:port][/db]`
    /// - `rediss://[user[:password]@]host[:port][/db][?ssl_cert_reqs=required|none]` (TLS)
    /// - `unix://[user[:password]@]/path/to/redis.sock[?db=N]`
    /// - `redis+socket://[user[:password]@]/path/to/redis.sock[?virtual_host=N]` (kombu's spelling)
    ///
    /// User and password are percent-decoded; an IPv6 host is written in brackets (`[::1]`).
    /// The port defaults to 6379 and the database to 0; `?db=N` is accepted for every scheme.
    /// `ssl_cert_reqs` is accepted because Celery broker URLs carry it (`none` skips verification).
    /// Errors quote the URL with its user information replaced by `***`.
    public init(url: String) throws {
        self.init()
        let redacted = RedisConfiguration.redact(url: url)
        func failure(_ reason: String) -> RedisConfigurationError {
            .invalidURL(redacted: redacted, reason: reason)
        }

        guard let schemeEnd = url.firstRange(of: "://") else {
            throw failure(
                "expected a URL starting with redis://, rediss:// or unix://, e.g. \(RedisConfiguration.defaultURL)")
        }
        let scheme = url[..<schemeEnd.lowerBound].lowercased()
        guard ["redis", "rediss", "unix", RedisConfiguration.kombuSocketScheme].contains(scheme) else {
            throw failure("unsupported scheme \"\(scheme)\" (expected redis, rediss, unix or redis+socket)")
        }
        let isSocket = scheme == "unix" || scheme == RedisConfiguration.kombuSocketScheme
        var rest = Substring(url[schemeEnd.upperBound...])

        // Credentials end at the LAST "@": passwords are often pasted without percent-encoding
        // their "@" or "/", and no host, path or supported query contains one.
        if let at = rest.lastIndex(of: "@") {
            let userinfo = rest[..<at]
            rest = rest[rest.index(after: at)...]
            let user: Substring
            var secret: Substring?
            if let colon = userinfo.firstIndex(of: ":") {
                user = userinfo[..<colon]
                secret = userinfo[userinfo.index(after: colon)...]
            } else {
                user = userinfo
            }
            guard let decodedUser = RedisConfiguration.percentDecode(user) else {
                throw failure("invalid percent-encoding in the user name (expected %XX with two hex digits)")
            }
            username = decodedUser.isEmpty ? nil : decodedUser
            if let secret {
                guard let decoded = RedisConfiguration.percentDecode(secret) else {
                    // Never quote the password, not even the malformed part.
                    throw failure("invalid percent-encoding in the password (expected %XX with two hex digits)")
                }
                password = decoded
            }
        }

        var query: Substring?
        if let question = rest.firstIndex(of: "?") {
            query = rest[rest.index(after: question)...]
            rest = rest[..<question]
        }

        var databaseFromPath: Int?
        if isSocket {
            guard let path = RedisConfiguration.percentDecode(rest), path.hasPrefix("/"), path.count > 1 else {
                throw failure(
                    "expected an absolute socket path after \(scheme)://, e.g. unix:///run/redis/redis.sock?db=0")
            }
            endpoint = .unix(path: path)
        } else {
            var hostPort = rest
            if let slash = rest.firstIndex(of: "/") {
                hostPort = rest[..<slash]
                let path = rest[rest.index(after: slash)...]
                if !path.isEmpty {
                    guard path.allSatisfy({ $0.isASCII && $0.isNumber }), let db = Int(path) else {
                        throw failure(
                            "expected a database number after the host, e.g. redis://localhost:6379/0, got \"/\(path)\""
                        )
                    }
                    databaseFromPath = db
                }
            }
            let (host, port) = try RedisConfiguration.parseHostPort(hostPort, failure: failure)
            endpoint = .tcp(host: host, port: port)
            if scheme == "rediss" {
                tls = TLSClientConfiguration(serverName: host)
            }
        }
        if let databaseFromPath { database = databaseFromPath }

        if let query, !query.isEmpty {
            for item in query.split(separator: "&", omittingEmptySubsequences: true) {
                let parts = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                let key = String(parts[0])
                let value = parts.count > 1 ? RedisConfiguration.percentDecode(parts[1]) ?? "" : ""
                switch key {
                case "db" where scheme != RedisConfiguration.kombuSocketScheme:
                    guard value.allSatisfy({ $0.isASCII && $0.isNumber }), let db = Int(value) else {
                        throw failure("expected a database number in db=, e.g. ?db=0, got \"\(value)\"")
                    }
                    if let databaseFromPath, databaseFromPath != db {
                        throw failure("the database is given twice (path /\(databaseFromPath) and ?db=\(db))")
                    }
                    database = db
                case "db" where scheme == RedisConfiguration.kombuSocketScheme:
                    // kombu ignores db= on a socket URL and uses virtual_host (default 0): honouring
                    // it here would watch another database than the workers use.
                    throw failure("redis+socket:// takes the database as ?virtual_host=N (kombu ignores db=)")
                case "virtual_host" where scheme == RedisConfiguration.kombuSocketScheme:
                    database = try RedisConfiguration.kombuVirtualHost(value, failure: failure)
                case "ssl_cert_reqs" where scheme == "rediss":
                    switch value.lowercased() {
                    case "required", "cert_required", "optional", "cert_optional": tls?.insecureSkipVerify = false
                    case "none", "cert_none": tls?.insecureSkipVerify = true
                    default:
                        throw failure("expected ssl_cert_reqs=required or ssl_cert_reqs=none, got \"\(value)\"")
                    }
                default:
                    // Name the key only: a value could be a secret (e.g. ?password=...).
                    let supported =
                        switch scheme {
                        case "rediss": "db, ssl_cert_reqs"
                        case RedisConfiguration.kombuSocketScheme: "virtual_host"
                        default: "db"
                        }
                    throw failure("unsupported query parameter \"\(key)\" (supported: \(supported))")
                }
            }
        }
    }

    /// kombu's scheme for a Redis broker on a unix socket (`redis+socket:///run/redis.sock`).
    static let kombuSocketScheme = "redis+socket"

    /// The database of kombu's `virtual_host`: empty or `/` is 0, one leading `/` is dropped
    /// (kombu's `_prepare_virtual_host`), the rest must be a number.
    private static func kombuVirtualHost(
        _ value: String, failure: (String) -> RedisConfigurationError
    ) throws -> Int {
        let digits = value.hasPrefix("/") ? value.dropFirst() : Substring(value)
        if digits.isEmpty { return 0 }
        guard digits.allSatisfy({ $0.isASCII && $0.isNumber }), let db = Int(digits) else {
            throw failure("expected a database number in virtual_host=, e.g. ?virtual_host=0, got \"\(value)\"")
        }
        return db
    }

    /// `host[:port]` or `[v6][:port]`; `defaultPort` when no port is given (26379 for Sentinel).
    static func parseHostPort(
        _ text: Substring, defaultPort: UInt16 = RedisConfiguration.defaultPort,
        failure: (String) -> RedisConfigurationError
    ) throws -> (String, UInt16) {
        var host: Substring
        var portText: Substring?
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else {
                throw failure("expected \"]\" after the IPv6 address, e.g. redis://[::1]:6379/0")
            }
            host = text[text.index(after: text.startIndex)..<close]
            let after = text[text.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else {
                    throw failure("expected \":port\" after the IPv6 address, e.g. redis://[::1]:6379/0")
                }
                portText = after.dropFirst()
            }
            guard !host.isEmpty, host.allSatisfy({ $0.isHexDigit || $0 == ":" || $0 == "." || $0 == "%" }) else {
                throw failure("expected an IPv6 address inside the brackets, e.g. redis://[::1]:6379/0")
            }
        } else {
            if let colon = text.firstIndex(of: ":") {
                host = text[..<colon]
                portText = text[text.index(after: colon)...]
            } else {
                host = text
            }
            guard !host.isEmpty else {
                throw failure("expected a host name after the scheme, e.g. redis://localhost:6379/0")
            }
            guard host.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "." || $0 == "_") })
            else {
                throw failure("expected a host name or address (letters, digits, \"-\", \".\"; IPv6 in brackets)")
            }
        }
        var port = defaultPort
        if let portText {
            guard let value = UInt16(portText), value > 0 else {
                throw failure("expected a port number from 1 to 65535 after \":\", got \"\(portText)\"")
            }
            port = value
        }
        return (String(host), port)
    }

    /// Decodes `%XX` escapes (UTF-8); nil when an escape is malformed.
    static func percentDecode(_ text: Substring) -> String? {
        guard text.contains("%") else { return String(text) }
        var bytes: [UInt8] = []
        let utf8 = Array(text.utf8)
        var index = 0
        while index < utf8.count {
            if utf8[index] == UInt8(ascii: "%") {
                guard index + 2 < utf8.count,
                    let high = hexValue(utf8[index + 1]), let low = hexValue(utf8[index + 2])
                else { return nil }
                bytes.append(high << 4 | low)
                index += 3
            } else {
                bytes.append(utf8[index])
                index += 1
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }

    /// The URL with the whole user information (everything between the scheme and the last "@":
    /// user name and password, since a password pasted without its ":" looks like a user name)
    /// and the value of every query parameter other than `db`, `ssl_cert_reqs` and `virtual_host`
    /// (`?password=...`) replaced by `***`. Works on malformed input too, so parse errors can
    /// quote it.
    public static func redact(url: String) -> String {
        var base = Substring(url)
        var query: Substring?
        if let question = url.lastIndex(of: "?"), !url[question...].contains("@") {
            base = url[..<question]
            query = url[url.index(after: question)...]
        }
        var result = redactCredentials(base)
        if let query {
            let items = query.split(separator: "&", omittingEmptySubsequences: false).map { item -> String in
                guard let equals = item.firstIndex(of: "=") else { return String(item) }
                let key = item[..<equals]
                return ["db", "ssl_cert_reqs", "virtual_host"].contains(key) ? String(item) : key + "=***"
            }
            result += "?" + items.joined(separator: "&")
        }
        return result
    }

    private static func redactCredentials(_ url: Substring) -> String {
        let (prefix, afterScheme): (Substring, Substring)
        if let schemeEnd = url.firstRange(of: "://") {
            prefix = url[..<schemeEnd.upperBound]
            afterScheme = url[schemeEnd.upperBound...]
        } else {
            prefix = ""
            afterScheme = url
        }
        guard let at = afterScheme.lastIndex(of: "@") else { return String(url) }
        return String(prefix) + "***" + afterScheme[at...]
    }
}
