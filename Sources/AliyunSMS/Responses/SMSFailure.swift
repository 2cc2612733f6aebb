/// Why a call did not succeed, and what to do about it.
public struct SMSFailure: Error, Sendable, Hashable, CustomStringConvertible {
    /// What to do: retry later, back off, give up on the recipients, stop, or reconcile.
    public var errorClass: ErrorClass
    /// The platform's code (an open set, so a string), or one of Salvo's own: `Transport` for a
    /// failure to get an answer, `Credentials` for none to sign with, `UnreadableResponse`.
    /// `errorClass` says what to do about it.
    public var code: String
    /// The platform's words, or what happened.
    public var message: String
    /// The HTTP status, when an answer came.
    public var httpStatus: Int?
    /// The platform's request id, when it gave one.
    public var requestId: String?
    /// How long the platform asked to wait (`x-acs-retry-after`), if it did.
    public var retryAfter: Duration?
    /// For a per-number frequency limit, the window that was hit.
    public var limitWindow: LimitWindow?
    /// The request never left: no connection, TLS refused, a proxy said no. Nothing reached the
    /// provider, so it is no reason to give a batch up.
    public var notSent: Bool
    /// The error underneath, when the failure is not the platform's answer: a `TransportError`
    /// (code `Transport`) or a `CredentialsError` (code `Credentials`). Not compared by `==`.
    public var cause: (any Error)?

    /// The `code` of a failure to get an answer.
    public static let transportCode = "Transport"
    /// The `code` of a failure to get credentials to sign with.
    public static let credentialsCode = "Credentials"
    /// The `code` of an answer whose body is not the API's JSON.
    public static let unreadableCode = "UnreadableResponse"

    /// Creates a failure.
    public init(errorClass: ErrorClass, code: String, message: String, httpStatus: Int? = nil, requestId: String? = nil,
                retryAfter: Duration? = nil, limitWindow: LimitWindow? = nil, notSent: Bool = false, cause: (any Error)? = nil) {
        self.errorClass = errorClass
        self.code = code
        self.message = message
        self.httpStatus = httpStatus
        self.requestId = requestId
        self.retryAfter = retryAfter
        self.limitWindow = limitWindow
        self.notSent = notSent
        self.cause = cause
    }

    public var description: String {
        "\(code): \(message)" + (httpStatus.map { " (HTTP \($0))" } ?? "")
    }

    public static func == (left: SMSFailure, right: SMSFailure) -> Bool {
        left.errorClass == right.errorClass && left.code == right.code && left.message == right.message && left.httpStatus == right.httpStatus
            && left.requestId == right.requestId && left.retryAfter == right.retryAfter && left.limitWindow == right.limitWindow
            && left.notSent == right.notSent
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(errorClass)
        hasher.combine(code)
        hasher.combine(message)
        hasher.combine(httpStatus)
        hasher.combine(requestId)
        hasher.combine(retryAfter)
        hasher.combine(limitWindow)
        hasher.combine(notSent)
    }
}
