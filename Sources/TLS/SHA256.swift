import COpenSSL

/// SHA-256 (FIPS 180-4) from libcrypto: PagerDuty's `dedup_key` and content-derived
/// notification ids are SHA-256 digests.
public enum SHA256 {
    /// The 32-byte digest of `message`.
    public static func hash(_ message: [UInt8]) -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        // A zero-length array may have no storage; OpenSSL wants a non-NULL pointer.
        let bytes = message.isEmpty ? [0] : message
        let result = bytes.withUnsafeBytes { m in
            digest.withUnsafeMutableBufferPointer { d in
                EVP_Digest(m.baseAddress, message.count, d.baseAddress, &length, EVP_sha256(), nil)
            }
        }
        precondition(result == 1 && length == 32, "SHA-256 failed in libcrypto")
        return Array(digest.prefix(32))
    }

    /// The digest of `text`'s UTF-8 bytes as 64 lowercase hex digits (Go's `fmt.Sprintf("%x", …)`).
    public static func hex(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(64)
        for b in hash(Array(text.utf8)) {
            let s = String(b, radix: 16)
            if s.count == 1 { out += "0" }
            out += s
        }
        return out
    }
}
