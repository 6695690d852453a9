import Exposition
import Redis

extension EventListenerThread {
    /// Families of the subscription itself that the monitor cannot see: Pub/Sub messages dropped
    /// unread for being larger than ``RedisSubscriber/maximumMessageBytes`` (a forged or huge
    /// publish costs a counted, logged drop, never memory).
    func subscriberFamilies() -> [MetricFamily] {
        let dropped = subscriber.status.droppedMessages + (resultSubscriber?.status.droppedMessages ?? 0)
        return [
            MetricFamily(.eventMessagesDropped, value: Double(dropped))
        ]
    }
}
