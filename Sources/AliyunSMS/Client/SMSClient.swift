import Foundation

/// Why a call did not succeed, and what to do about it.
public struct SMSFailure: Error, Sendable, Hashable, CustomStringConvertible {
    /// What to do: retry later, back off, give up on the recipients, stop, or reconcile.
    public var errorClass: ErrorClass
    /// The platform's code, or `Transport` for a failure to get an answer.
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

    /// Creates a failure.
    public init(errorClass: ErrorClass, code: String, message: String, httpStatus: Int? = nil, requestId: String? = nil,
                retryAfter: Duration? = nil, limitWindow: LimitWindow? = nil, notSent: Bool = false) {
        self.errorClass = errorClass
        self.code = code
        self.message = message
        self.httpStatus = httpStatus
        self.requestId = requestId
        self.retryAfter = retryAfter
        self.limitWindow = limitWindow
        self.notSent = notSent
    }

    public var description: String {
        "\(code): \(message)" + (httpStatus.map { " (HTTP \($0))" } ?? "")
    }
}

/// The clock window of a per-number frequency limit (`isv.BUSINESS_LIMIT_CONTROL`).
public enum LimitWindow: String, Sendable, Hashable {
    case minute, hour, day

    /// The window named in the platform's message (`触发分钟级流控`, `触发小时级流控`, `触发天级流控`);
    /// a day when it names none, the safe reading.
    public static func parse(_ message: String) -> LimitWindow {
        if message.contains("分钟") || message.lowercased().contains("minute") { return .minute }
        if message.contains("小时") || message.lowercased().contains("hour") { return .hour }
        return .day
    }
}

/// Calls Dysmsapi: signs every attempt afresh, sends it, and turns the answer into a response or
/// a classified failure. It never retries by itself; the caller decides by `ErrorClass`.
public struct SMSClient: Sendable {
    /// Signs requests.
    public var signer: RequestSigner
    /// Sends them.
    public var transport: any SMSTransport
    /// The longest wait for an answer.
    public var timeout: Duration

    /// Creates a client.
    public init(signer: RequestSigner, transport: any SMSTransport, timeout: Duration = .seconds(30)) {
        self.signer = signer
        self.transport = transport
        self.timeout = timeout
    }

    /// Sends a send operation (SendSms or SendBatchSms): the response when `Code` is `OK`.
    public func send(_ operation: SMSOperation) async throws(SMSFailure) -> SMSResponse {
        let response = try await call(operation)
        guard let decoded = SMSResponse(json: response.body) else {
            throw Self.unreadable(response, isSend: true)
        }
        guard decoded.isOK else { throw Self.failure(decoded, response: response, isSend: true) }
        return decoded
    }

    /// Asks what the platform recorded for one number on one day.
    public func querySendDetails(_ operation: SMSOperation) async throws(SMSFailure) -> QuerySendDetailsResponse {
        let response = try await call(operation)
        guard let decoded = QuerySendDetailsResponse(json: response.body) else {
            throw Self.unreadable(response, isSend: false)
        }
        guard decoded.code == "OK" else {
            throw Self.failure(SMSResponse(code: decoded.code, message: decoded.message), response: response, isSend: false)
        }
        return decoded
    }

    private func call(_ operation: SMSOperation) async throws(SMSFailure) -> HTTPResponse {
        let request = signer.sign(operation)
        do {
            return try await transport.execute(request, timeout: timeout)
        } catch {
            let isSend = operation.action != "QuerySendDetails"
            let errorClass: ErrorClass = error.stage == .notSent ? .backoff : (isSend ? .ambiguous : .backoff)
            throw SMSFailure(errorClass: errorClass, code: "Transport", message: error.message, notSent: error.stage == .notSent)
        }
    }

    static func failure(_ decoded: SMSResponse, response: HTTPResponse, isSend: Bool) -> SMSFailure {
        let errorClass = ErrorClass.classify(code: decoded.code, isSend: isSend)
        let retryAfter = response.header("x-acs-retry-after").flatMap(Int.init).flatMap { $0 > 0 ? Duration.milliseconds($0) : nil }
        return SMSFailure(errorClass: errorClass, code: decoded.code, message: withoutStringToSign(decoded.message), httpStatus: response.status,
                          requestId: decoded.requestId, retryAfter: retryAfter,
                          limitWindow: errorClass == .later ? LimitWindow.parse(decoded.message) : nil)
    }

    /// The platform's words without the string it signed, which Alibaba Cloud appends to
    /// SignatureDoesNotMatch ("server string to sign is: …"): it holds the whole AccessKey id and
    /// the request's parameters, phone numbers included, and is kept out of logs and state.
    static func withoutStringToSign(_ message: String) -> String {
        guard let cut = message.range(of: "string to sign", options: .caseInsensitive) else { return message }
        var text = String(message[..<cut.lowerBound])
        if text.lowercased().hasSuffix("server ") { text = String(text.dropLast("server ".count)) }
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// An answer without a readable body: a proxy's error page, a truncated body. For a send
    /// whose status does not prove it was refused unprocessed, it is ambiguous.
    static func unreadable(_ response: HTTPResponse, isSend: Bool) -> SMSFailure {
        let refusedUnprocessed = response.status == 429 || response.status == 503 || (400..<500).contains(response.status) && response.status != 408
        let errorClass: ErrorClass = refusedUnprocessed ? .backoff : (isSend ? .ambiguous : .backoff)
        return SMSFailure(errorClass: errorClass, code: "UnreadableResponse", message: "HTTP \(response.status) with a body that is not the API's JSON", httpStatus: response.status)
    }
}
