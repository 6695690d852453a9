import JSON
import Testing

@testable import Celery

@Suite struct KombuMessageTests {
    @Test func decodesTheQueuedMessageSample() throws {
        let m = try KombuMessage(bytes: b(sampleQueuedMessage))
        #expect(
            m
                == KombuMessage(
                    taskID: "a95033dc-1273-4c2b-accc-4662c1d97534", taskName: "app.add", eta: nil, expires: nil,
                    retries: 0, expirationMilliseconds: nil, deliveryTag: "4e665d9a-283f-4a03-bebe-1a5bd5f6e710",
                    priority: 0, exchange: "", routingKey: "celery", redelivered: false, sentAt: nil))
        #expect(m.publishedAt == nil)
    }

    @Test func etaAndRetriesOfARetriedTask() throws {
        // A retry is a new message with retries+1 and eta = now + countdown.
        let m = try KombuMessage(
            bytes: b(
                celeryMessage(
                    id: "b4f2286b-7d23-4ce5-b321-c79f4dc47855", task: "app.flaky",
                    tag: "07e2d95b-062a-4173-9021-6bb8f193e8eb",
                    eta: "2026-11-25T17:05:51.450377+00:00", retries: 1)))
        #expect(m.taskName == "app.flaky")
        #expect(m.retries == 1)
        #expect(abs(m.eta! - 1795626351.450377) < 1e-6)
        #expect(m.deliveryTag == "07e2d95b-062a-4173-9021-6bb8f193e8eb")
    }

    @Test func publishTimeFromExpiresMinusExpiration() throws {
        // expires=3600 → headers.expires 17:46:20.536056, properties.expiration "3600000";
        // publish time = expires − 3600 s = 16:46:20.536.
        let m = try KombuMessage(
            bytes: b(
                celeryMessage(
                    tag: "t", expires: "2026-11-25T17:46:20.536056+00:00", expiration: "3600000")))
        #expect(m.expirationMilliseconds == 3_600_000)
        #expect(abs(m.expires! - 1795628780.536056) < 1e-6)
        #expect(abs(m.publishedAt! - 1795625180.536056) < 1e-6)
    }

    @Test func sentAtHeaderFromABeforeTaskPublishHook() throws {
        // A before_task_publish hook's sent_at=1795626257.2743378 survived in the stored message.
        let m = try KombuMessage(bytes: b(celeryMessage(tag: "t", sentAt: 1795626257.2743378)))
        #expect(m.sentAt == 1795626257.2743378)
        #expect(m.publishedAt == 1795626257.2743378)
    }

    /// Issue 9: a forged `sent_at` (or `expires`) far outside any real time made the oldest
    /// message 1e300 s old: a false alert, and a trap in the status page.
    @Test(arguments: [-1e300, -1, 1e300, 4_102_444_801])
    func implausiblePublishTimesAreNoPublishTime(_ sentAt: Double) throws {
        let m = try KombuMessage(bytes: b(celeryMessage(tag: "t", sentAt: sentAt)))
        #expect(m.sentAt == sentAt)
        #expect(m.publishedAt == nil)
        let old = try KombuMessage(
            bytes: b(celeryMessage(tag: "t", expires: "0001-01-01T00:00:00+00:00", expiration: "1000")))
        #expect(old.expires != nil)
        #expect(old.publishedAt == nil)
    }

    @Test func redeliveredFromEitherPlace() throws {
        // A restore sets headers.redelivered and properties.delivery_info.redelivered.
        #expect(try KombuMessage(bytes: b(celeryMessage(tag: "t", redelivered: true))).redelivered)
        let headerOnly = #"{"headers": {"redelivered": true}, "properties": {}}"#
        #expect(try KombuMessage(bytes: b(headerOnly)).redelivered)
        let infoOnly = #"{"properties": {"delivery_info": {"redelivered": true}}}"#
        #expect(try KombuMessage(bytes: b(infoOnly)).redelivered)
        #expect(try !KombuMessage(bytes: b(#"{"headers": {"redelivered": "yes"}}"#)).redelivered)
    }

    @Test func priorityFromTheE2Experiment() throws {
        let m = try KombuMessage(bytes: b(celeryMessage(tag: "t", priority: 5)))
        #expect(m.priority == 5)
    }

    @Test func missingOrOddFieldsAreNilNotErrors() throws {
        let odd = #"{"headers": {"eta": "tomorrow", "retries": "1", "expires": 1795628780.5}}"#
        let m = try KombuMessage(bytes: b(odd))
        #expect(m.eta == nil)
        #expect(m.retries == nil)
        #expect(m.expires == 1795628780.5)
        #expect(m.routingKey == nil)
        #expect(try KombuMessage(bytes: b("{}")) == KombuMessage())
    }

    @Test func nonObjectsAndNonJSONAreErrors() {
        #expect(throws: KombuDecodingError.messageNotAnObject) {
            try KombuMessage(bytes: b("[1, 2]"))
        }
        #expect(throws: KombuDecodingError.invalidJSON(JSONError(.unexpectedByte, at: 0))) {
            try KombuMessage(bytes: b("hello"))
        }
        #expect(throws: KombuDecodingError.self) { try KombuMessage(bytes: []) }
    }

    @Test func decodesTheUnackedValueSample() throws {
        // Field afbb5e42-…, value [message, "", "celery"].
        let tag = "afbb5e42-9512-489f-be01-c09a62a78bea"
        let entry = try KombuUnackedEntry(bytes: b(unackedValue(tag: tag)))
        #expect(entry.exchange == "")
        #expect(entry.routingKey == "celery")
        #expect(entry.message.taskName == "app.slow")
        #expect(entry.message.taskID == "a36e869e-de20-4f7c-a21f-2f71ad9434b4")
        #expect(entry.message.deliveryTag == tag)
        #expect(entry.message.eta == nil)
    }

    @Test(arguments: [
        "not json", "", "{}", "[]", #"[{}, ""]"#, #"[{}, "", "celery", 1]"#, #"[{}, 1, "celery"]"#,
        #"[{}, "", null]"#, #"["msg", "", "celery"]"#, #"[{"headers": "#,
    ])
    func garbageUnackedValuesAreErrors(value: String) {
        #expect(throws: KombuDecodingError.self) { try KombuUnackedEntry(bytes: b(value)) }
    }

    @Test func eachShapeHasItsOwnCase() {
        #expect(throws: KombuDecodingError.unackedNotATriple) { try KombuUnackedEntry(bytes: b(#"[{}, ""]"#)) }
        #expect(throws: KombuDecodingError.unackedRoutingNotStrings) {
            try KombuUnackedEntry(bytes: b(#"[{}, 1, "celery"]"#))
        }
        #expect(throws: KombuDecodingError.messageNotAnObject) {
            try KombuUnackedEntry(bytes: b(#"["msg", "", "celery"]"#))
        }
        // Descriptions name what was expected, never the payload.
        let secret = #"{"password": "hunter2""#
        let error = #expect(throws: KombuDecodingError.self) { try KombuMessage(bytes: b(secret)) }
        #expect(error.map { !"\($0)".contains("hunter2") && "\($0)".hasPrefix("kombu payload is not JSON") } == true)
    }
}
