import Sockets

#if canImport(Glibc)
    import Glibc
#endif

extension ConfigurationError {
    /// What a setting's value should have been. The text says what was expected, never the
    /// value (``ConfigurationError/invalidValue(_:shown:problem:)`` shows it when it is safe to).
    public enum ValueProblem: Equatable, Sendable, CustomStringConvertible {
        /// A switch: `true` or `false` (also `1`/`0`, `yes`/`no`, `on`/`off`).
        case notABoolean
        /// A duration within the range, in seconds.
        case durationOutOfRange(ClosedRange<Double>)
        /// A whole number within the range.
        case integerOutOfRange(ClosedRange<Int>)
        /// One of a few words: `choices` as listed (two read "a or b", more "one of a, b, c").
        case notOneOf(choices: [String])
        /// `[HOST]:PORT`.
        case notAListenAddress
        /// An absolute URL path such as `/metrics`.
        case notAnAbsolutePath
        /// A URL path another endpoint already answers.
        case pathTaken
        /// An `http://` or `https://` URL.
        case notAnHTTPURL
        /// A directory the exporter can write to; `errno` from `access`.
        case notAWritableDirectory(errno: Int32)
        /// A file whose directory the exporter can write to; `errno` from `access`.
        case directoryNotWritable(errno: Int32)
        /// A file that could not be read.
        case unreadableFile(RegularFile.ReadError)
        /// A file that cannot be opened or examined; `errno` from `access` or `stat`.
        case inaccessibleFile(errno: Int32)
        /// A path that names something other than a regular file.
        case notARegularFile
        /// A secret file that holds nothing.
        case emptySecretFile
        /// A Sentinel master name: 1 to 256 printable ASCII characters without spaces.
        case invalidSentinelMasterName
        /// A repeatable setting (an environment variable's comma-separated list, or a flag) that
        /// holds only blanks.
        case blankList
        /// A path that is empty.
        case emptyPath
        /// A path that exists but is not a directory.
        case notADirectory
        /// An absolute `http://` or `https://` URL for users' links; `reason` is the URL parser's
        /// (it never quotes the URL).
        case notAnExternalURL(reason: String)

        /// What was expected, e.g. `expected a whole number from 1 to 100`.
        public var description: String {
            switch self {
            case .notABoolean:
                return "expected true or false"
            case .durationOutOfRange(let range):
                return "expected a duration from \(DurationParser.format(range.lowerBound)) to "
                    + "\(DurationParser.format(range.upperBound)) such as 15s, 1m or 1h"
            case .integerOutOfRange(let range):
                return "expected a whole number from \(range.lowerBound) to \(range.upperBound)"
            case .notOneOf(let choices):
                return choices.count == 2
                    ? "expected \(choices[0]) or \(choices[1])" : "expected one of \(choices.joined(separator: ", "))"
            case .notAListenAddress:
                return "expected [HOST]:PORT such as :9540, 127.0.0.1:9540 or [::1]:9540"
            case .notAnAbsolutePath:
                return "expected an absolute path such as /metrics (no spaces, %, ?, # or control characters)"
            case .pathTaken:
                return "that path is another endpoint's (/, /-/*, /api/*, /static/*)"
            case .notAnHTTPURL:
                return "expected an http:// or https:// URL"
            case .notAWritableDirectory(let code):
                return "not a writable directory (\(String(cString: strerror(code))))"
            case .directoryNotWritable(let code):
                return "its directory is not writable (\(String(cString: strerror(code))))"
            case .unreadableFile(let error):
                return "cannot read the file (\(error.reason))"
            case .inaccessibleFile(let code):
                return "cannot read the file (\(String(cString: strerror(code))))"
            case .notARegularFile:
                return "cannot read the file (not a regular file)"
            case .emptySecretFile:
                return "the file is empty, expected the secret"
            case .invalidSentinelMasterName:
                return "expected a name of 1 to 256 printable ASCII characters without spaces"
            case .blankList:
                return "set but blank: expected one or more comma-separated values (unset it for the default)"
            case .emptyPath:
                return "expected a path, got an empty value"
            case .notADirectory:
                return "not a directory"
            case .notAnExternalURL(let reason):
                return "expected an absolute http:// or https:// URL such as https://exporter.example.com (\(reason))"
            }
        }
    }

    /// Settings of one Redis connection that need each other or exclude each other. Option names
    /// are as the source spells them (`--redis.tls.cert-file` on the command line,
    /// `tls_cert_file` in a targets file); `prefix` is a connection's flag prefix (`redis.`,
    /// `celery.result-backend-`).
    public enum OptionConflict: Equatable, Sendable, CustomStringConvertible {
        /// An option of the result backend's connection given without its URL.
        case needsURL(option: String, url: String)
        /// Two options given one without the other.
        case onlyTogether(String, String)
        /// A `sentinel://` URL without the master's name.
        case sentinelMasterMissing(prefix: String)
        /// A Sentinel option next to a URL that is not `sentinel://`.
        case needsSentinelURL(SentinelOption, prefix: String)
        /// TLS options (`--<tlsPrefix>.*`) next to a URL without TLS (`redactedURL`).
        case tlsOptionsNeedTLSURL(tlsPrefix: String, urlFlag: String, redactedURL: String)
        /// `option` was given but does nothing without what `needs` says.
        case hasNoEffect(option: String, needs: String)
        /// More explicit queues (`queues` names the option) than `maxQueues` allows.
        case tooManyQueues(count: Int, limit: Int, queues: String, maxQueues: String)

        /// The Sentinel options that need a `sentinel://` URL.
        public enum SentinelOption: Equatable, Sendable {
            case master, password, tls
        }

        /// What goes with what.
        public var description: String {
            switch self {
            case .needsURL(let option, let url):
                return "\(option) needs \(url) (without it results use the broker's connection)"
            case .onlyTogether(let first, let second):
                return "\(first) and \(second) go together: give both or neither"
            case .sentinelMasterMissing(let p):
                return "--\(p)url is a sentinel:// URL: --\(p)sentinel-master NAME is needed (kombu's master_name)"
            case .needsSentinelURL(.master, let p):
                return "--\(p)sentinel-master needs a sentinel://host:26379 URL in --\(p)url"
            case .needsSentinelURL(.password, let p):
                return "a Sentinel password (--\(p)sentinel-password-file) needs a sentinel:// URL in --\(p)url"
            case .needsSentinelURL(.tls, let p):
                return "--\(p)sentinel-tls needs a sentinel://host:26379 URL in --\(p)url"
            case .hasNoEffect(let option, let needs):
                return "\(option) has no effect without \(needs): drop it or give what it needs"
            case .tooManyQueues(let count, let limit, let queues, let maxQueues):
                return
                    "\(queues) lists \(count) queues, more than \(maxQueues) (\(limit)) allows: each is a label value on every poll; list fewer or raise \(maxQueues)"
            case .tlsOptionsNeedTLSURL(let tlsPrefix, let urlFlag, let redactedURL):
                return
                    "--\(tlsPrefix).* flags need a rediss:// URL in --\(urlFlag) (got \(ConfigurationError.printable(redactedURL)))"
            }
        }
    }
}
