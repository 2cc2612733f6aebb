/// Why a queue call failed, classified for the exit status. The message names the call, the
/// queue and the provider's code and words, never a secret, a token or a signature.
public struct QueueError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure, for the exit status.
    public enum Code: Sendable, Hashable {
        /// Refused for good (exit 1): QueueNotExist, AccessDenied, InvalidAccessKeyId,
        /// SignatureDoesNotMatch, a refused token request.
        case refused
        /// Worth trying again later (exit 75): throttling, 5xx, unreachable, a timeout.
        case unavailable
        /// The answer could not be read (the puller treats it like `unavailable`).
        case malformed
    }

    /// What kind of failure.
    public var code: Code
    /// What happened, in words.
    public var message: String
    /// The error underneath (an `SMSFailure` of the token request, the HTTP client's error).
    public var cause: (any Error)?
    /// The provider's error code (`QueueNotExist`, `QpsLimitExceeded`, …), when it gave one.
    public var providerCode: String?

    /// Creates an error.
    public init(_ code: Code, _ message: String, providerCode: String? = nil, cause: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.providerCode = providerCode
        self.cause = cause
    }

    public var description: String { message }
}
