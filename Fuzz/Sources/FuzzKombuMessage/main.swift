import Celery
import FuzzSupport

/// Decodes the input as a kombu message envelope (what sits in a queue list or unacked hash).
func fuzzKombuMessage(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = Array(fuzzInput(data, size))
    if let message = try? KombuMessage(bytes: bytes) { _ = message.publishedAt }
    return 0
}

runFuzzer(fuzzKombuMessage)
