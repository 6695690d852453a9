import COpenSSL

/// Keyed-hash message authentication codes (RFC 2104), for signing webhook payloads.
public enum HMAC {
    /// HMAC-SHA-256 of `message` under `key`: 32 bytes. Any key length works (RFC 4231).
    public static func sha256(key: [UInt8], message: [UInt8]) -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        // A zero-length array may have no storage; OpenSSL wants non-NULL pointers.
        let keyBytes = key.isEmpty ? [0] : key
        let messageBytes = message.isEmpty ? [0] : message
        let result = keyBytes.withUnsafeBytes { k in
            messageBytes.withUnsafeBytes { m in
                digest.withUnsafeMutableBufferPointer { d in
                    COpenSSL.HMAC(
                        EVP_sha256(), k.baseAddress, Int32(key.count),
                        m.bindMemory(to: UInt8.self).baseAddress, message.count,
                        d.baseAddress, &length)
                }
            }
        }
        precondition(result != nil && length == 32, "HMAC-SHA-256 failed in libcrypto")
        return Array(digest.prefix(Int(length)))
    }
}
