/// Why a client for a run could not be set up: no credentials, an endpoint that is not a URL,
/// authorities that cannot be read. Nothing was sent. Its words are the cause's, never a secret.
public struct SMSClientSetupError: Error, Sendable, CustomStringConvertible {
    /// What could not be set up.
    public enum Code: Sendable, Hashable {
        /// No credentials to sign with (`cause` is the `CredentialsError`).
        case credentials
        /// The endpoint cannot be parsed (`cause` is the `SMSOperation.Invalid`).
        case endpoint
        /// The extra trusted authorities named by the environment cannot be read.
        case trustRoots
    }

    /// What could not be set up.
    public var code: Code
    /// What is wrong, in words.
    public var message: String
    /// The error underneath, when there is one.
    public var cause: (any Error)?

    /// Creates an error.
    public init(_ code: Code, _ message: String, cause: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.cause = cause
    }

    public var description: String { message }
}
