import COpenSSL

/// `count` cryptographically secure random bytes from OpenSSL's CSPRNG (`RAND_bytes`), e.g. for
/// webhook delivery ids or nonces. Traps if the generator cannot be seeded: continuing with
/// predictable bytes would be worse than stopping.
public func secureRandomBytes(_ count: Int) -> [UInt8] {
    precondition(count >= 0, "secureRandomBytes: negative count")
    guard count > 0 else { return [] }
    var bytes = [UInt8](repeating: 0, count: count)
    let rc = bytes.withUnsafeMutableBufferPointer { RAND_bytes($0.baseAddress, Int32(count)) }
    precondition(rc == 1, "RAND_bytes failed: the system random generator is unavailable")
    return bytes
}
