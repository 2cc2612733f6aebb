import Foundation

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
            throw Self.unreadable(response, isSend: operation.action.sendsMessages)
        }
        guard decoded.isOK else { throw Self.failure(decoded, response: response, isSend: operation.action.sendsMessages) }
        return decoded
    }

    /// Asks what the platform recorded for one number on one day.
    public func querySendDetails(_ operation: SMSOperation) async throws(SMSFailure) -> QuerySendDetailsResponse {
        let response = try await call(operation)
        guard let decoded = QuerySendDetailsResponse(json: response.body) else {
            throw Self.unreadable(response, isSend: operation.action.sendsMessages)
        }
        guard decoded.code == "OK" else {
            throw Self.failure(SMSResponse(code: decoded.code, message: decoded.message), response: response, isSend: operation.action.sendsMessages)
        }
        return decoded
    }

    /// Signs `operation` with credentials asked of the provider now and sends it. A failure to
    /// get credentials sent nothing (`credentialsFailure`); a failure to get an answer is ambiguous
    /// only for an action that sends messages and only once the request may have left. A request
    /// refused because its security token expired was refused before it was processed: it is
    /// signed again with credentials the provider fetches anew and sent once more.
    func call(_ operation: SMSOperation) async throws(SMSFailure) -> HTTPResponse {
        let (request, used) = try await signed(operation)
        let response = try await execute(request, operation)
        guard Self.refusesAsExpired(response) else { return response }
        let fresh: Credentials
        do {
            fresh = try await signer.credentialsProvider.refresh(replacing: used)
        } catch {
            throw Self.credentialsFailure(error)
        }
        // The same credentials again (a fixed token from the environment or a profile): sending
        // again would only be refused again, and the refusal says what to do.
        guard fresh != used else { return response }
        let (again, _) = try await signed(operation, with: fresh)
        return try await execute(again, operation)
    }

    /// `operation` signed with the provider's credentials (or `credentials`), and which were used.
    private func signed(_ operation: SMSOperation, with credentials: Credentials? = nil) async throws(SMSFailure) -> (SignedRequest, Credentials) {
        do {
            return try await signer.requestAndCredentials(for: operation, with: credentials)
        } catch {
            throw Self.credentialsFailure(error)
        }
    }

    /// No credentials, so nothing sent: a place that could not answer (STS or the metadata
    /// service down, throttled) is tried again with backoff, as a network outage is; anything else
    /// (a refusal, nothing configured) stops the run.
    static func credentialsFailure(_ error: CredentialsError) -> SMSFailure {
        SMSFailure(errorClass: error.isTransient ? .backoff : .fatal, code: SMSFailure.credentialsCode, message: error.message, notSent: true, cause: error)
    }

    private func execute(_ request: SignedRequest, _ operation: SMSOperation) async throws(SMSFailure) -> HTTPResponse {
        do {
            return try await transport.execute(request, timeout: timeout)
        } catch {
            let errorClass: ErrorClass = error.stage == .notSent ? .backoff : (operation.action.sendsMessages ? .ambiguous : .backoff)
            throw SMSFailure(errorClass: errorClass, code: SMSFailure.transportCode, message: error.message, notSent: error.stage == .notSent, cause: error)
        }
    }

    /// The code the gateway answers a request whose STS security token has expired.
    public static let expiredTokenCode = "InvalidSecurityToken.Expired"

    /// Whether `response` refuses the request because its security token expired.
    static func refusesAsExpired(_ response: HTTPResponse) -> Bool {
        guard response.status != 200, let decoded = SMSResponse(json: response.body) else { return false }
        return decoded.code == expiredTokenCode
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
        return SMSFailure(errorClass: errorClass, code: SMSFailure.unreadableCode, message: "HTTP \(response.status) with a body that is not the API's JSON", httpStatus: response.status)
    }
}
