/// What one flush decided for one integration of one group: the notification that should now
/// be pending (it replaces any older pending one), or nil when nothing is owed (a pending one,
/// now stale, is withdrawn).
public struct GroupFlush: Sendable, Equatable {
    /// The integration concerned.
    public var integration: IntegrationID
    /// The dispatcher's group id (route id and group key).
    public var groupID: String
    /// The notification carrying the group's current alerts, or nil.
    public var notification: Notification?

    /// Creates a flush result.
    public init(integration: IntegrationID, groupID: String, notification: Notification?) {
        self.integration = integration
        self.groupID = groupID
        self.notification = notification
    }
}
