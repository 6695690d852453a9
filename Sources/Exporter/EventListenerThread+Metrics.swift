import Exposition
import Redis

extension EventListenerThread {
    /// Families of the subscription itself that the monitor cannot see: Pub/Sub messages dropped
    /// unread for being larger than ``RedisSubscriber/maximumMessageBytes`` (a forged or huge
    /// publish costs a counted, logged drop, never memory).
    func subscriberFamilies() -> [MetricFamily] {
        let dropped = subscriber.status.droppedMessages + (resultSubscriber?.status.droppedMessages ?? 0)
        return [
            MetricFamily(
                name: "celery_redis_event_messages_dropped",
                help: "Pub/Sub messages dropped unread because they were larger than "
                    + "\(subscriber.maximumMessageBytes) bytes; each is a missed result write or worker event "
                    + "(the census's next pass corrects result counts).",
                type: .counter, samples: [Sample(value: Double(dropped))])
        ]
    }
}
