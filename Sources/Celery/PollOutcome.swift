/// What one poll produced: the sampled state, or the stage that failed and why.
public enum PollOutcome: Equatable, Sendable {
    /// Every round trip completed (single commands may still have answered with an error reply,
    /// counted in ``SampledState/commandErrors``).
    case sampled(SampledState)
    /// A round trip failed on the transport: nothing of this poll is current.
    case failed(PollFailure)
}
