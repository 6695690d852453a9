import Celery
import FuzzSupport
import JSON

/// Decodes the input as a result backend value (`celery-task-meta-<id>`) and as generic JSON.
func fuzzTaskMeta(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = Array(fuzzInput(data, size))
    _ = TaskMeta(bytes: bytes)
    _ = try? JSONValue.parse(bytes)
    return 0
}

runFuzzer(fuzzTaskMeta)
