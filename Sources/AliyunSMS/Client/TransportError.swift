/// A failure to get an answer, split by whether the request may have reached the server.
public struct TransportError: Error, Sendable, CustomStringConvertible {
    /// How far the request got.
    public enum Stage: Sendable, Hashable {
        /// It never left: no connection, TLS failed, refused. Safe to retry.
        case notSent
        /// It was (or may have been) written, and no answer came: the server may have acted on it.
        case ambiguous
    }

    /// The error's code: how far the request got.
    public typealias Code = Stage

    /// How far the request got.
    public var stage: Stage
    /// What happened, in words.
    public var message: String
    /// The HTTP client's or the socket's error underneath, when there is one.
    public var cause: (any Error)?

    /// The error's code: how far the request got (the same as `stage`).
    public var code: Code { stage }

    /// Creates an error.
    public init(_ stage: Stage, _ message: String, cause: (any Error)? = nil) {
        self.stage = stage
        self.message = message
        self.cause = cause
    }

    public var description: String { message }
}
