import Celery
import FuzzSupport

/// Decodes the input as a Pub/Sub message: the bytes up to the first newline are the channel,
/// the rest the payload (worker events are base64 inside a kombu envelope, results plain JSON).
func fuzzCeleryEvent(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = fuzzInput(data, size)
    let newline = input.firstIndex(of: 10) ?? input.endIndex
    let channel = Array(input[..<newline])
    let payload = newline < input.endIndex ? Array(input[(newline + 1)...]) : []
    let decoder = CeleryEventDecoder(channels: CeleryEventChannels(keyPrefix: "", database: 0))
    _ = try? decoder.decode(channel: channel, payload: payload)
    return 0
}

runFuzzer(fuzzCeleryEvent)
