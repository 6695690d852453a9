import Celery

/// Literal Pub/Sub payloads as Celery publishes them, and kombu's event envelope built the
/// way kombu builds it (JSON body, base64-encoded, `body_encoding: base64`).
enum EventsFixtures {
    /// A worker heartbeat body as Celery sends it, apart from the parameters.
    static func heartbeatBody(
        host: String = "w1@vm", active: Int = 0, processed: Int = 1, freq: Double = 2.0,
        type: String = "worker-heartbeat"
    ) -> String {
        #"{"hostname": "\#(host)", "utcoffset": 0.0, "pid": 19690, "clock": 6, "freq": \#(freq), "active": \#(active), "processed": \#(processed), "loadavg": [0.1, 0.2, 0.3], "sw_ident": "py-celery", "sw_ver": "5.7.0", "sw_sys": "Linux", "timestamp": 1795625562.03, "type": "\#(type)"}"#
    }

    /// kombu's envelope around `body` as published on `/0.celeryev/worker.heartbeat`.
    static func envelope(body: String, routingKey: String = "worker.heartbeat", base64: Bool = true) -> [UInt8] {
        let encodedBody = base64 ? base64Encode(Array(body.utf8)) : jsonString(body)
        let encoding = base64 ? #", "body_encoding": "base64""# : ""
        let text =
            #"{"body": "\#(encodedBody)", "content-encoding": "utf-8", "content-type": "application/json", "headers": {"hostname": "w1@vm"}, "properties": {"delivery_mode": 1, "delivery_info": {"exchange": "celeryev", "routing_key": "\#(routingKey)"}, "priority": 0\#(encoding), "delivery_tag": "3f0e6b8a-5d2c-4a8e-9f0e-1c2d3e4f5a6b"}}"#
        return Array(text.utf8)
    }

    /// A heartbeat message: channel and payload.
    static func heartbeat(
        host: String = "w1@vm", active: Int = 0, processed: Int = 1, freq: Double = 2.0, prefix: String = "",
        db: Int = 0, type: String = "worker-heartbeat"
    ) -> (channel: [UInt8], payload: [UInt8]) {
        let routingKey = "worker." + type.dropFirst("worker-".count)
        return (
            Array("\(prefix)/\(db).celeryev/\(routingKey)".utf8),
            envelope(
                body: heartbeatBody(host: host, active: active, processed: processed, freq: freq, type: type),
                routingKey: routingKey)
        )
    }

    /// The result channel of `id`.
    static func resultChannel(_ id: String, prefix: String = "") -> [UInt8] {
        Array("\(prefix)celery-task-meta-\(id)".utf8)
    }

    /// Result metas (STARTED, SUCCESS, FAILURE, `result_extended`) as Celery stores them.
    static func started(_ id: String, host: String = "w1@vm") -> [UInt8] {
        Array(
            #"{"status": "STARTED", "result": {"pid": 14240, "hostname": "\#(host)"}, "traceback": null, "children": [], "date_done": null, "task_id": "\#(id)"}"#
                .utf8)
    }
    static func success(_ id: String) -> [UInt8] {
        Array(
            #"{"status": "SUCCESS", "result": 5, "traceback": null, "children": [], "date_done": "2026-11-25T16:48:16.098057+00:00", "task_id": "\#(id)"}"#
                .utf8)
    }
    static func failure(_ id: String) -> [UInt8] {
        Array(
            #"{"status": "FAILURE", "result": {"exc_type": "ValueError", "exc_message": ["boom!"], "exc_module": "builtins"}, "traceback": "Traceback (most recent call last):\n ValueError: boom!\n", "children": [], "date_done": "2026-11-25T16:48:16.1+00:00", "task_id": "\#(id)"}"#
                .utf8)
    }
    static func workerLost(_ id: String) -> [UInt8] {
        Array(
            #"{"status": "FAILURE", "result": {"exc_type": "WorkerLostError", "exc_message": ["Worker exited prematurely: signal 9 (SIGKILL) Job: 1."], "exc_module": "billiard.exceptions"}, "traceback": null, "children": [], "date_done": "2026-11-25T16:48:16.1+00:00", "task_id": "\#(id)"}"#
                .utf8)
    }
    static func retry(_ id: String) -> [UInt8] {
        Array(
            #"{"status": "RETRY", "result": {"exc_type": "RuntimeError", "exc_message": ["try again"], "exc_module": "builtins"}, "traceback": "Traceback", "children": [[["\#(id)", null], null]], "date_done": null, "task_id": "\#(id)"}"#
                .utf8)
    }
    static func extended(_ id: String, status: String, name: String) -> [UInt8] {
        let done = status == "STARTED" ? "null" : #""2026-11-25T16:53:19.691058+00:00""#
        let result = status == "STARTED" ? #"{"pid": 19859, "hostname": "w1@vm"}"# : #""slept 3 x""#
        return Array(
            #"{"status": "\#(status)", "result": \#(result), "traceback": null, "children": [], "date_done": \#(done), "name": "\#(name)", "args": [3], "kwargs": {"tag": "x"}, "worker": "w1@vm", "retries": 0, "queue": "celery", "task_id": "\#(id)"}"#
                .utf8)
    }

    /// Standard base64 with padding (test-side encoder, independent of the decoder under test).
    static func base64Encode(_ bytes: [UInt8]) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
        var out = ""
        var i = 0
        while i < bytes.count {
            let n = min(3, bytes.count - i)
            var chunk: UInt32 = 0
            for k in 0..<3 { chunk = chunk << 8 | UInt32(k < n ? bytes[i + k] : 0) }
            for k in 0..<4 {
                if k <= n {
                    out.append(alphabet[Int((chunk >> UInt32(18 - 6 * k)) & 0x3F)])
                } else {
                    out.append("=")
                }
            }
            i += 3
        }
        return out
    }

    /// `text` as the inside of a JSON string literal (quotes and backslashes escaped).
    static func jsonString(_ text: String) -> String {
        var out = ""
        for c in text {
            switch c {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            default: out.append(c)
            }
        }
        return out
    }
}
