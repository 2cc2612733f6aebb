/// Sends signed requests: the real HTTP client, or anything that answers like Alibaba Cloud.
public protocol SMSTransport: Sendable {
    /// Sends `request` and waits at most `timeout` for the whole answer.
    func execute(_ request: SignedRequest, timeout: Duration) async throws(TransportError) -> HTTPResponse
}
