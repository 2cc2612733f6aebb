/// An HTTP answer: status, headers (names in lower case) and body.
public struct HTTPResponse: Sendable {
    /// The status code.
    public var status: Int
    /// The headers.
    public var headers: [(String, String)]
    /// The body bytes.
    public var body: [UInt8]

    /// Creates a response.
    public init(status: Int, headers: [(String, String)], body: [UInt8]) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// The first value of a header.
    public func header(_ name: String) -> String? {
        let lower = name.lowercased()
        return headers.first { $0.0.lowercased() == lower }?.1
    }
}

/// A failure to get an answer, split by whether the request may have reached the server.
public struct TransportError: Error, Sendable, CustomStringConvertible {
    /// How far the request got.
    public enum Stage: Sendable, Hashable {
        /// It never left: no connection, TLS failed, refused. Safe to retry.
        case notSent
        /// It was (or may have been) written, and no answer came: the server may have acted on it.
        case ambiguous
    }

    /// How far the request got.
    public var stage: Stage
    /// What happened, in words.
    public var message: String

    /// Creates an error.
    public init(_ stage: Stage, _ message: String) {
        self.stage = stage
        self.message = message
    }

    public var description: String { message }
}

/// Sends signed requests: the real HTTP client, or anything that answers like Alibaba Cloud.
public protocol SMSTransport: Sendable {
    /// Sends `request` and waits at most `timeout` for the whole answer.
    func execute(_ request: SignedRequest, timeout: Duration) async throws(TransportError) -> HTTPResponse
}
