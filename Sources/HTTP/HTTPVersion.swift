/// An HTTP protocol version as sent in a request line. The server speaks HTTP/1.0 and 1.1.
public struct HTTPVersion: Sendable, Hashable, CustomStringConvertible {
    /// The major digit.
    public var major: Int
    /// The minor digit.
    public var minor: Int

    /// A version from its two digits.
    public init(major: Int, minor: Int) {
        self.major = major
        self.minor = minor
    }

    /// HTTP/1.0: connections close after each response unless the client asks for keep-alive.
    public static let http10 = HTTPVersion(major: 1, minor: 0)
    /// HTTP/1.1: connections persist unless either side says `Connection: close`.
    public static let http11 = HTTPVersion(major: 1, minor: 1)

    /// `HTTP/1.1` style text.
    public var description: String { "HTTP/\(major).\(minor)" }
}
