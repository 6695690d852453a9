// Literal kombu payloads as observed with celery 5.7 / kombu 5.7 (Tests/CeleryIntegrationTests
// checks the layout against real Celery).

/// One queue list element exactly as kombu 5.x stores it (body trimmed; still a valid string).
let sampleQueuedMessage = #"""
    {
     "body": "W1sxLCAxXSwge30sIHsiY2FsbGJhY2tzIjogbnVs...",
     "content-encoding": "utf-8",
     "content-type": "application/json",
     "headers": {
      "lang": "py", "task": "app.add", "id": "a95033dc-1273-4c2b-accc-4662c1d97534",
      "shadow": null, "eta": null, "expires": null, "group": null, "group_index": null,
      "retries": 0, "timelimit": [null, null],
      "root_id": "a95033dc-1273-4c2b-accc-4662c1d97534", "parent_id": null,
      "argsrepr": "[1, 1]", "kwargsrepr": "{}", "origin": "gen12999@vm",
      "ignore_result": null, "replaced_task_nesting": 0, "stamped_headers": null, "stamps": {}
     },
     "properties": {
      "correlation_id": "a95033dc-1273-4c2b-accc-4662c1d97534",
      "reply_to": "4213a6cf-d674-3e0d-ac78-b5f0e17b71ec",
      "delivery_mode": 2,
      "delivery_info": {"exchange": "", "routing_key": "celery"},
      "priority": 0, "body_encoding": "base64",
      "delivery_tag": "4e665d9a-283f-4a03-bebe-1a5bd5f6e710"
     }
    }
    """#

/// Builds a Celery-shaped message (same header set as `sampleQueuedMessage`) with the fields a test varies.
func celeryMessage(
    id: String = "a36e869e-de20-4f7c-a21f-2f71ad9434b4", task: String = "app.slow",
    tag: String, queue: String = "celery", priority: Int = 0, eta: String? = nil,
    expires: String? = nil, expiration: String? = nil, retries: Int = 0,
    redelivered: Bool = false, sentAt: Double? = nil
) -> String {
    func q(_ s: String?) -> String { s.map { "\"\($0)\"" } ?? "null" }
    var headers =
        #""lang": "py", "task": "\#(task)", "id": "\#(id)", "shadow": null, "eta": \#(q(eta)), "#
        + #""expires": \#(q(expires)), "group": null, "group_index": null, "retries": \#(retries), "#
        + #""timelimit": [null, null], "root_id": "\#(id)", "parent_id": null, "argsrepr": "[6]", "#
        + #""kwargsrepr": "{'tag': '0'}", "origin": "gen14200@vm", "ignore_result": false, "#
        + #""replaced_task_nesting": 0, "stamped_headers": null, "stamps": {}"#
    if redelivered { headers += #", "redelivered": true"# }
    if let sentAt { headers += #", "sent_at": \#(sentAt)"# }
    var deliveryInfo = #""exchange": "", "routing_key": "\#(queue)""#
    if redelivered { deliveryInfo += #", "redelivered": true"# }
    let expirationField = expiration.map { #""expiration": "\#($0)", "# } ?? ""
    return #"{"body": "W1s2XSwgeyJ0YWciOiAiMCJ9LCB7ImNhbGxiYWNrcyI6IG51bGx9XQ==", "content-encoding": "utf-8", "#
        + #""content-type": "application/json", "headers": {\#(headers)}, "#
        + #""properties": {"correlation_id": "\#(id)", "reply_to": "4213a6cf-d674-3e0d-ac78-b5f0e17b71ec", "#
        + #"\#(expirationField)"delivery_mode": 2, "delivery_info": {\#(deliveryInfo)}, "priority": \#(priority), "#
        + #""body_encoding": "base64", "delivery_tag": "\#(tag)"}}"#
}

/// An `unacked` hash value, `[message, exchange, routing_key]`, with the header set of
/// `sampleQueuedMessage`.
func unackedValue(
    tag: String, queue: String = "celery", task: String = "app.slow", eta: String? = nil,
    redelivered: Bool = false
) -> String {
    "[" + celeryMessage(task: task, tag: tag, queue: queue, eta: eta, redelivered: redelivered)
        + #", "", "\#(queue)"]"#
}

/// Bytes of a string.
func b(_ s: String) -> [UInt8] { Array(s.utf8) }

/// kombu's default separator.
let sep: [UInt8] = [0x06, 0x16]
