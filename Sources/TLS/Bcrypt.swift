import CCrypt
import COpenSSL

#if canImport(Glibc)
    import Glibc
#endif

/// bcrypt password hashes (`$2y$10$…`, as `htpasswd -B` and Python's `bcrypt` write them), checked
/// with libxcrypt's `crypt_r`, for the `basic_auth_users` of a web configuration file.
///
/// Verifying is deliberately slow (cost 10 is tens of milliseconds): callers run it off the HTTP
/// loop thread and remember successes.
public enum Bcrypt {
    /// The highest cost accepted. Each step doubles the work: cost 18 (the highest in
    /// exporter-toolkit's own test files) is some 20 s per check on one core; beyond, one login
    /// would hold the verifier for minutes to days.
    public static let maximumCost = 18
    /// The lowest cost bcrypt defines.
    public static let minimumCost = 4
    /// bcrypt reads at most 72 bytes of a password; longer ones are refused instead of silently
    /// matching on their first 72 bytes.
    public static let maximumPasswordBytes = 72

    /// Why a hash is not usable, or nil when it is a well-formed bcrypt hash (`$2a$`, `$2b$` or
    /// `$2y$`, a two-digit cost from 4 to ``maximumCost``, 22 salt and 31 hash characters).
    /// The hash itself is never part of the message.
    public static func problem(with hash: String) -> String? {
        let bytes = Array(hash.utf8)
        guard bytes.count == 60, bytes[0] == UInt8(ascii: "$"), bytes[1] == UInt8(ascii: "2"),
            [UInt8(ascii: "a"), UInt8(ascii: "b"), UInt8(ascii: "y")].contains(bytes[2]),
            bytes[3] == UInt8(ascii: "$"), bytes[6] == UInt8(ascii: "$")
        else {
            return
                "is not a bcrypt hash (expected 60 characters starting $2y$, $2b$ or $2a$ and a cost, e.g. from htpasswd -nBC 10)"
        }
        guard let tens = digit(bytes[4]), let ones = digit(bytes[5]) else {
            return "is not a bcrypt hash (the cost after $2y$ must be two digits)"
        }
        let cost = tens * 10 + ones
        guard cost >= minimumCost && cost <= maximumCost else {
            return
                "has bcrypt cost \(cost); expected \(minimumCost) to \(maximumCost) (each step doubles the time a login takes)"
        }
        guard bytes[7...].allSatisfy(isSaltCharacter) else {
            return "is not a bcrypt hash (salt and hash use the characters ./A-Za-z0-9)"
        }
        return nil
    }

    /// The cost of a well-formed hash (see ``problem(with:)``).
    public static func cost(of hash: String) -> Int? {
        guard problem(with: hash) == nil else { return nil }
        let bytes = Array(hash.utf8)
        return digit(bytes[4])! * 10 + digit(bytes[5])!
    }

    /// Whether `password` hashes to `hash`. Slow on purpose (the hash's cost); false for a
    /// malformed hash, a password with a NUL byte (C strings would cut it there, so `"pw\0x"`
    /// would match `"pw"`) or one longer than ``maximumPasswordBytes``. The final comparison is
    /// constant-time.
    public static func verify(password: [UInt8], hash: String) -> Bool {
        guard problem(with: hash) == nil, password.count <= maximumPasswordBytes, !password.contains(0) else {
            return false
        }
        // struct crypt_data is large (~32 KiB): on the heap, zeroed as crypt_r requires.
        let data = UnsafeMutablePointer<crypt_data>.allocate(capacity: 1)
        defer { data.deallocate() }
        let raw = UnsafeMutableRawPointer(data)
        raw.initializeMemory(as: UInt8.self, repeating: 0, count: MemoryLayout<crypt_data>.size)
        defer { OPENSSL_cleanse(raw, MemoryLayout<crypt_data>.size) }  // it held the password
        let expected = Array(hash.utf8)
        var phrase = password + [0]
        defer { OPENSSL_cleanse(&phrase, phrase.count) }
        return phrase.withUnsafeBufferPointer { phraseBuffer -> Bool in
            let phrasePointer = UnsafeRawPointer(phraseBuffer.baseAddress!).assumingMemoryBound(to: CChar.self)
            guard let result = crypt_r(phrasePointer, hash, data) else { return false }
            let length = strlen(result)
            // libxcrypt returns a failure token ("*0") rather than NULL on some errors.
            guard length == expected.count else { return false }
            return expected.withUnsafeBytes { CRYPTO_memcmp($0.baseAddress, result, length) == 0 }
        }
    }

    /// A new bcrypt hash (`$2b$`) of `password` at `cost`, with a random salt; nil when the
    /// password cannot be hashed (a NUL byte, longer than ``maximumPasswordBytes``) or the cost
    /// is out of range. For tests and tooling: the exporter only verifies.
    public static func hash(password: [UInt8], cost: Int) -> String? {
        guard (minimumCost...maximumCost).contains(cost), password.count <= maximumPasswordBytes, !password.contains(0)
        else { return nil }
        var setting = [CChar](repeating: 0, count: 64)
        guard crypt_gensalt_rn("$2b$", UInt(cost), nil, 0, &setting, Int32(setting.count)) != nil else { return nil }
        let data = UnsafeMutablePointer<crypt_data>.allocate(capacity: 1)
        defer { data.deallocate() }
        UnsafeMutableRawPointer(data).initializeMemory(
            as: UInt8.self, repeating: 0, count: MemoryLayout<crypt_data>.size)
        let phrase = password.map { CChar(bitPattern: $0) } + [0]
        guard let result = crypt_r(phrase, setting, data) else { return nil }
        let text = String(cString: result)
        return problem(with: text) == nil ? text : nil
    }

    private static func digit(_ byte: UInt8) -> Int? {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") ? Int(byte - UInt8(ascii: "0")) : nil
    }

    private static func isSaltCharacter(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
            || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
            || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte == UInt8(ascii: ".")
            || byte == UInt8(ascii: "/")
    }
}
