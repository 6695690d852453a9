import JSON

/// The fields of one kombu message (the JSON element of a queue list, or the first element of an
/// `unacked` hash value) that the exporter uses. Layout as kombu 5.x stores it (a full stored message is in
/// Tests/CeleryTests/CeleryFixtures.swift):
///
/// ```
/// {"body": "…base64…", "headers": {"task": …, "id": …, "eta": …, "expires": …, "retries": …},
///  "properties": {"delivery_info": {"exchange": "", "routing_key": "celery"},
///                 "priority": 0, "delivery_tag": "…"}}
/// ```
///
/// Every field is optional: kombu messages from non-Celery producers (or protocol 1) lack
/// Celery's headers, and a missing field must not make the whole message undecodable.
/// The body (task arguments, possibly large or sensitive) is never decoded.
public struct KombuMessage: Equatable, Sendable {
    /// `headers.id`: the task id (uuid4; encodes no time).
    public var taskID: String?
    /// `headers.task`: the task name, e.g. `app.add`.
    public var taskName: String?
    /// `headers.eta` as Unix seconds; nil for no ETA (`null`) or an unparsable value.
    public var eta: Double?
    /// `headers.expires` as Unix seconds (ISO-8601 string, or a number).
    public var expires: Double?
    /// `headers.retries`.
    public var retries: Int?
    /// `properties.expiration` in milliseconds (kombu writes it as a string, e.g. `"3600000"`).
    public var expirationMilliseconds: Double?
    /// `properties.delivery_tag`: uuid4 set by the producer, reused as the `unacked` hash field.
    public var deliveryTag: String?
    /// `properties.priority` (0 is the highest).
    public var priority: Int?
    /// `properties.delivery_info.exchange` (`""` for the default direct exchange).
    public var exchange: String?
    /// `properties.delivery_info.routing_key`: the queue for Celery's default direct routing.
    public var routingKey: String?
    /// True when a restore put the message back (`headers.redelivered` or
    /// `properties.delivery_info.redelivered`, both set by kombu's restore sweep).
    public var redelivered: Bool
    /// `headers.sent_at` (Unix seconds) when the application adds it in a `before_task_publish`
    /// hook; the only exact enqueue time.
    public var sentAt: Double?

    /// Creates a message from its fields (tests and other decoders).
    public init(
        taskID: String? = nil, taskName: String? = nil, eta: Double? = nil, expires: Double? = nil,
        retries: Int? = nil, expirationMilliseconds: Double? = nil, deliveryTag: String? = nil,
        priority: Int? = nil, exchange: String? = nil, routingKey: String? = nil,
        redelivered: Bool = false, sentAt: Double? = nil
    ) {
        self.taskID = taskID
        self.taskName = taskName
        self.eta = eta
        self.expires = expires
        self.retries = retries
        self.expirationMilliseconds = expirationMilliseconds
        self.deliveryTag = deliveryTag
        self.priority = priority
        self.exchange = exchange
        self.routingKey = routingKey
        self.redelivered = redelivered
        self.sentAt = sentAt
    }

    /// Decodes the raw bytes of a queue list element.
    public init(bytes: [UInt8]) throws(KombuDecodingError) {
        let json: JSONValue
        do { json = try JSONValue.parse(bytes) } catch { throw .invalidJSON(error) }
        try self.init(json: json)
    }

    /// Decodes an already parsed message; the top level must be an object.
    public init(json: JSONValue) throws(KombuDecodingError) {
        guard case .object = json else { throw .messageNotAnObject }
        let headers = json["headers"]
        let properties = json["properties"]
        let deliveryInfo = properties?["delivery_info"]
        self.init(
            taskID: headers?["id"]?.stringValue,
            taskName: headers?["task"]?.stringValue,
            eta: KombuMessage.timestamp(headers?["eta"]),
            expires: KombuMessage.timestamp(headers?["expires"]),
            retries: headers?["retries"]?.intValue,
            expirationMilliseconds: KombuMessage.number(properties?["expiration"]),
            deliveryTag: properties?["delivery_tag"]?.stringValue,
            priority: properties?["priority"]?.intValue,
            exchange: deliveryInfo?["exchange"]?.stringValue,
            routingKey: deliveryInfo?["routing_key"]?.stringValue,
            redelivered: headers?["redelivered"]?.boolValue == true || deliveryInfo?["redelivered"]?.boolValue == true,
            sentAt: KombuMessage.number(headers?["sent_at"])
        )
    }

    /// The publish time when the message carries one: `sent_at`, else `expires − expiration`
    /// (both come from the same `now()` in Celery). Nil otherwise: kombu stores no enqueue time.
    /// Also nil outside ``plausiblePublishTimes``: a forged `sent_at` of -1e300 made a queue's
    /// oldest message 1e300 seconds old (a false alert, and a trap in the status page).
    public var publishedAt: Double? {
        let time: Double
        if let sentAt {
            time = sentAt
        } else if let expires, let expirationMilliseconds {
            time = expires - expirationMilliseconds / 1000
        } else {
            return nil
        }
        return KombuMessage.plausiblePublishTimes.contains(time) ? time : nil
    }

    /// Unix times a message can have been published at: from 1970 to 2100. A message claiming
    /// another time is aged from when the exporter first saw it, as one without a time is.
    public static let plausiblePublishTimes: ClosedRange<Double> = 0...4_102_444_800

    /// An ISO-8601 string or a number of Unix seconds; anything else (null, garbage) is nil.
    private static func timestamp(_ value: JSONValue?) -> Double? {
        switch value {
        case .string(let s)?: return ISO8601Timestamp.parse(s)
        case .number(let d)? where d.isFinite: return d
        default: return nil
        }
    }

    /// A finite number, or a string holding one (kombu writes `expiration` as a string).
    private static func number(_ value: JSONValue?) -> Double? {
        switch value {
        case .number(let d)? where d.isFinite: return d
        case .string(let s)?:
            guard let d = Double(s), d.isFinite else { return nil }
            return d
        default: return nil
        }
    }
}
