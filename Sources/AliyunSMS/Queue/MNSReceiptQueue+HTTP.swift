import AsyncHTTPClient
import Foundation
import NIOCore

extension MNSReceiptQueue {
    /// One MNS call: its name for messages, and the request before signing.
    struct Call: Sendable {
        /// `BatchReceiveMessage` or `BatchDeleteMessage`.
        var name: String
        /// `GET` or `DELETE`.
        var method: String
        /// Path and query exactly as sent (and signed).
        var resource: String
        /// The body (XML), empty for none.
        var body: [UInt8] = []
        /// How long the whole call may take.
        var timeout: Duration
    }

    /// The codes of a refusal of the token itself: renew it and try once more before giving up
    /// (it may have expired early, or been revoked).
    static let authRefusals: Set<String> = ["AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch", "SecurityTokenExpired", "InvalidSecurityToken"]
    /// The codes that mean the queue cannot be read with this account: exit 1.
    static let refusals: Set<String> = authRefusals.union(["QueueNotExist"])
    /// The codes worth trying again later: exit 75.
    static let transient: Set<String> = ["TimeExpired", "QpsLimitExceeded", "InternalError", "InternalServerError", "ServiceUnavailable", "ServerBusy"]
    /// The most of an answer read (16 messages of at most 64 KiB, Base64, with room to spare).
    static let maxAnswer = 8 << 20

    /// `call` signed with a valid token and sent; refused as an expired or invalid token, signed
    /// again with a token fetched at once and sent once more. The answer, whatever its status.
    func perform(_ call: Call) async throws(QueueError) -> HTTPResponse {
        let (token, generation) = try await validToken()
        let response = try await execute(call, token: token)
        guard Self.refusesToken(response) else { return response }
        let (fresh, _) = try await validToken(replacing: generation)
        return try await execute(call, token: fresh)
    }

    /// Whether `response` refuses the token (403, or one of `authRefusals`).
    static func refusesToken(_ response: HTTPResponse) -> Bool {
        guard response.status >= 400 else { return false }
        if case .error(let code, _, _) = MNSAnswer.read(response.body) {
            return authRefusals.contains(code) || code.contains("Token")
        }
        return response.status == 401 || response.status == 403
    }

    /// Sends `call` signed with `token`; a call that cannot be made or is not answered in time is
    /// `.unavailable`, in words that hold no header, query or body.
    private func execute(_ call: Call, token: MNSQueueToken) async throws(QueueError) -> HTTPResponse {
        var request = HTTPClientRequest(url: mnsEndpoint + call.resource)
        request.method = call.method == "DELETE" ? .DELETE : .GET
        for (name, value) in MNSSignature.headers(method: call.method, resource: call.resource, body: call.body, token: token, date: Date()) {
            request.headers.add(name: name, value: value)
        }
        request.headers.add(name: "user-agent", value: dybase.signer.userAgent)
        if !call.body.isEmpty { request.body = .bytes(ByteBuffer(bytes: call.body)) }
        do {
            return try await transport.client.answer(request, timeout: call.timeout, limit: Self.maxAnswer)
        } catch {
            let host = RemoteHTTP.host(of: mnsEndpoint)
            throw QueueError(.unavailable, "\(call.name) on queue '\(queueName)' at \(host) failed: \(RemoteHTTP.describe(error, timeout: call.timeout))", cause: error)
        }
    }

    /// The error for an answer that is not a success: refused, unavailable or malformed by its
    /// code and status. The provider's words are kept without any string to sign.
    func failure(_ call: Call, _ response: HTTPResponse) -> QueueError {
        let what = "\(call.name) on queue '\(queueName)'"
        guard case .error(let code, let message, let requestId) = MNSAnswer.read(response.body) else {
            let unavailable = response.status >= 500 || response.status == 429 || response.status == 408
            return QueueError(unavailable ? .unavailable : .malformed, "\(what) got HTTP \(response.status) without MNS's error XML")
        }
        let kind: QueueError.Code
        if Self.refusals.contains(code) {
            kind = .refused
        } else if Self.transient.contains(code) || code.hasPrefix("Throttling") || response.status >= 500 || response.status == 429 {
            kind = .unavailable
        } else {
            kind = .refused
        }
        let words = SMSClient.withoutStringToSign(message)
        let request = requestId.map { ", request \($0)" } ?? ""
        return QueueError(kind, "\(what) \(kind == .refused ? "was refused" : "failed"): \(code): \(words) (HTTP \(response.status)\(request))", providerCode: code)
    }
}
