import Exposition

/// The status page's static files, embedded in the binary (nothing on disk, no CDN, works
/// offline) and served from `/static/` so the CSP needs no `'unsafe-inline'`. Compressed once.
enum StatusAssets {
    /// One file: its type and bytes, plain and gzipped.
    struct Asset: Sendable {
        var contentType: String
        var plain: [UInt8]
        var gzipped: [UInt8]

        init(_ contentType: String, _ text: String) {
            self.contentType = contentType
            plain = Array(text.utf8)
            gzipped = Gzip.compress(plain)
        }
    }

    /// The files by request path.
    static let byPath: [String: Asset] = [
        "/static/status.css": Asset("text/css; charset=utf-8", stylesheet),
        "/static/status.js": Asset("text/javascript; charset=utf-8", script),
        "/static/favicon.svg": Asset("image/svg+xml", favicon),
    ]

    /// A small queue-like glyph; served so browsers do not log a 404 for `/favicon.ico`.
    static let favicon = """
        <svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><rect width="16" height="16" rx="3" fill="#0969da"/>\
        <rect x="3" y="9" width="2" height="4" fill="#fff"/><rect x="7" y="6" width="2" height="7" fill="#fff"/>\
        <rect x="11" y="3" width="2" height="10" fill="#fff"/></svg>

        """
}
