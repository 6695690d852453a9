import Testing

@testable import Notify

/// The compact id keeps every id exactly as it was made: the `webhook-id` a receiver
/// deduplicates on must not change between attempts.
@Suite struct NotificationIDTests {
    @Test func randomIDsRoundTrip() {
        for _ in 0..<200 {
            let id = Dispatcher.randomID()
            #expect(NotificationID(id).text == id)
        }
    }

    @Test func leadingZerosAndOtherFormsAreKept() {
        for id in [
            "msg_00000000000000000000000000000000", "msg_0000000000000001f000000000000000",
            "msg_FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF", "msg_1", "msg_0123456789abcdef0123456789abcdeg", "", "x",
        ] {
            #expect(NotificationID(id).text == id)
        }
    }

    @Test func aNotificationReturnsItsID() {
        let id = Dispatcher.randomID()
        let n = Notification(
            id: id, integration: IntegrationID(receiver: "r", kind: .webhook, index: 0), groupKey: "{}:{}",
            groupLabels: [:], alerts: [], createdAt: 0, reason: .firstNotification, groupID: "{}/0\u{0}{}:{}")
        #expect(n.id == id)
        #expect(n.groupKey == "{}:{}")
    }
}
