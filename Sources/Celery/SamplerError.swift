/// Failures the sampler raises itself (beyond what the executor throws); the poll fails the stage
/// and shows the description in logs, the readiness body and the status page.
enum SamplerError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The executor returned a different number of replies than commands (every later reply would
    /// be misattributed, so the round is not used).
    case replyCountMismatch(sent: Int, received: Int)

    /// One line for logs.
    var description: String {
        switch self {
        case .replyCountMismatch(let sent, let received):
            return "Redis answered a pipeline of \(sent) commands with \(received) replies"
        }
    }
}
