import AliyunSMS
import Foundation

/// The checks every MNS request passes, in order: the path and method, the `Date` and
/// `Authorization` headers, the token's key id, the signature (§2.3a), `Content-MD5` against the
/// body, the `security-token`, the token's expiry (403 `AccessDenied` "The token has expired."),
/// the time (408 `TimeExpired` beyond 15 minutes), the queue and the token's right to it; then the
/// call's own parameters.
extension MNSQueueService {
    /// The `<Error>` answer refusing a request.
    struct Refused: Error {
        var reply: EmulatorReply
    }

    /// The call, or the `<Error>` answer refusing it.
    func prepare(_ request: EmulatorRequest) -> Result<Call, Refused> {
        let requestId = Self.requestId()
        func refuse(_ status: Int, _ code: String, _ message: String) -> Result<Call, Refused> {
            .failure(Refused(reply: Self.error(status, code, message, request: request, requestId: requestId)))
        }
        let parts = request.uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        let segments = parts[0].split(separator: "/", omittingEmptySubsequences: false)
        guard segments.count == 4, segments[1] == "queues", segments[3] == "messages", request.method == "GET" || request.method == "DELETE" else {
            return refuse(400, "InvalidRequestURL", "The emulator's queues answer GET and DELETE on /queues/<name>/messages.")
        }
        let queue = String(segments[2])
        if let refusal = authenticationRefusal(request, queue: queue) { return refuse(refusal.status, refusal.code, refusal.message) }
        guard let query = PercentEncoding.parseForm(parts.count > 1 ? parts[1] : "") else {
            return refuse(400, "InvalidQueryString", "The query string is not valid percent-encoding.")
        }
        // Names in any case: the Go SDK spells them NumOfMessages and WaitSeconds.
        let values = Dictionary(query.map { ($0.0.lowercased(), $0.1) }, uniquingKeysWith: { first, _ in first })
        if request.method == "GET" {
            guard let max = values["numofmessages"].flatMap({ Int($0) }), (1...16).contains(max) else {
                return refuse(400, "InvalidArgument", "numOfMessages is 1 to 16.")
            }
            let wait = values["waitseconds"].map { Int($0) ?? -1 } ?? 0
            guard (0...30).contains(wait) else { return refuse(400, "InvalidArgument", "waitseconds is 0 to 30.") }
            return .success(Call(queue: queue, kind: .receive(max: max, wait: wait), requestId: requestId))
        }
        if let handle = values["receipthandle"] {
            return .success(Call(queue: queue, kind: .delete(handles: [handle], batch: false), requestId: requestId))
        }
        guard let handles = MNSXML.receiptHandles(request.body) else { return refuse(400, "MalformedXML", "The body is not a ReceiptHandles document.") }
        guard !handles.isEmpty else { return refuse(400, "MissingReceiptHandle", "The ReceiptHandles document holds no ReceiptHandle.") }
        guard handles.count <= 16 else { return refuse(400, "InvalidArgument", "At most 16 receipt handles per BatchDeleteMessage.") }
        return .success(Call(queue: queue, kind: .delete(handles: handles, batch: true), requestId: requestId))
    }

    /// Why the request may not touch `queue`; nil when it may.
    private func authenticationRefusal(_ request: EmulatorRequest, queue: String) -> EmulatorCore.Refusal? {
        typealias Refusal = EmulatorCore.Refusal
        guard let dateText = request.header("date") ?? request.header("x-mns-date") else { return Refusal(400, "MissingDateHeader", "The Date header is missing.") }
        guard let date = MNSSignatureCheck.parseDate(dateText) else { return Refusal(400, "InvalidDateHeader", "The Date header is not an HTTP date in GMT.") }
        guard let authorization = request.header("authorization") else {
            return Refusal(400, "MissingAuthorizationHeader", "The Authorization header is missing.")
        }
        guard authorization.hasPrefix("MNS "), let colon = authorization.lastIndex(of: ":") else {
            return Refusal(400, "InvalidAuthorizationHeader", "The Authorization header is not 'MNS <AccessKeyId>:<Signature>'.")
        }
        let keyId = String(authorization[authorization.index(authorization.startIndex, offsetBy: 4)..<colon])
        let signature = String(authorization[authorization.index(after: colon)...])
        guard let token = state.withLock({ $0.tokens[keyId] }) else {
            return Refusal(403, "InvalidAccessKeyId", "The access Id you provided is not exist.")
        }
        let expected = MNSSignatureCheck.signature(stringToSign: MNSSignatureCheck.stringToSign(method: request.method, headers: request.headers, resource: request.uri),
                                              secret: token.accessKeySecret)
        guard expected == signature else { return Refusal(403, "SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided.") }
        if let md5 = request.header("content-md5"), !MNSSignatureCheck.contentMD5Matches(md5, body: request.body) {
            return Refusal(400, "InvalidDegist", "The Content-MD5 you specified is invalid.")
        }
        guard request.header("security-token") == token.securityToken else {
            return Refusal(403, "AccessDenied", "The security-token header is missing or not the one issued with the access key.")
        }
        let now = configuration.now()
        guard now < token.expires else { return Refusal(403, "AccessDenied", "The token has expired.") }
        guard abs(now.timeIntervalSince(date)) <= 15 * 60 else { return Refusal(408, "TimeExpired", "The Date header is more than 15 minutes from the server's time.") }
        guard state.withLock({ $0.queues[queue] != nil }) else { return Refusal(404, "QueueNotExist", "The queue name you provided is not exist.") }
        guard token.queueName == queue else { return Refusal(403, "AccessDenied", "The token was issued for another queue.") }
        return nil
    }
}
