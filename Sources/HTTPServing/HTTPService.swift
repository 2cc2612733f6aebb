/// What a listener serves: it judges each request from its head (read the body, up to a limit,
/// or answer at once), then answers the whole request. No SwiftNIO in sight: the listener reads,
/// writes, times out and closes.
///
/// A refusal and an answer to a body over its limit close the connection; any other answer keeps
/// it when the client asked to keep it, unless the answer says otherwise.
public protocol HTTPService: Sendable {
    /// Judges a request from its head, before any of its body is read.
    func judge(_ head: HTTPServiceHead) -> HTTPHeadDecision
    /// Answers a request read whole (its head was judged `.read`).
    func respond(to request: HTTPServiceRequest) async -> HTTPServiceResponse
    /// The answer to a request whose body is, or is announced to be, larger than its limit
    /// (`HTTPServiceResponse.noAnswer` to close the connection without one).
    func refuseTooLarge(_ head: HTTPServiceHead) -> HTTPServiceResponse
    /// An answer made at once on the connection's own thread, to be written after `delay`; nil
    /// (the default) to be answered by `respond` in a task. A service that waits on nothing but
    /// a timer (the emulator) answers here, so that its answers never wait for a thread of Swift's
    /// shared pool: a pool whose threads are all blocked (a busy test process) would hold them
    /// past a stop's grace.
    func answerNow(to request: HTTPServiceRequest) -> (response: HTTPServiceResponse, delay: Duration)?
}

extension HTTPService {
    /// Answered by `respond`, in a task.
    public func answerNow(to request: HTTPServiceRequest) -> (response: HTTPServiceResponse, delay: Duration)? { nil }
}
