import Foundation
import Synchronization
import Testing
@testable import AliyunSMS
import SMSEmulator

/// The receipt queue client: the MNS signature against the official Python package, the XML
/// reader on answers shaped like MNS's, the token's times and renewal rule, and the calls over
/// real loopback HTTP against a scripted Dybaseapi and MNS that verifies every signature.
@Suite struct MNSQueueTests {
    // MARK: - Helpers

    /// Marker secrets: an error that holds one has leaked it.
    static let accountSecret = "MARKER-ACCOUNT-SECRET-7c2d"
    static let queueName = "Alicom-Queue-1234567890123456-SmsReport"

    /// Everything an error says, its cause included.
    static func words(_ error: QueueError) -> String {
        "\(error) | \(error.message) | \(String(describing: error.cause)) | \(String(reflecting: error))"
    }

    /// The error `body` throws, which must be a QueueError.
    static func failure<Value>(_ body: () async throws(QueueError) -> Value) async -> QueueError? {
        do {
            _ = try await body()
            return nil
        } catch {
            return error
        }
    }

    /// `yyyy-MM-dd HH:mm:ss` in Asia/Shanghai, as Dybaseapi writes a token's times.
    static func shanghai(_ date: Date) -> String {
        String(AliyunTime.timestamp(date.addingTimeInterval(8 * 3600)).dropLast()).replacingOccurrences(of: "T", with: " ")
    }

    /// A clock the test moves.
    final class TestClock: Sendable {
        private let date = Mutex(Date())
        var now: Date { date.withLock { $0 } }
        func advance(_ seconds: TimeInterval) { date.withLock { $0 = $0.addingTimeInterval(seconds) } }
        /// Back to the real time: the server's clock, which ran on while a busy machine answered.
        func catchUp() { date.withLock { $0 = Date() } }
    }

    /// A queue client of `service`'s queue, its token asked with the account's key (v3).
    static func queue(_ server: ScriptedHTTPServer, transport: HTTPClientTransport, mnsEndpoint: String? = nil,
                      clock: TestClock? = nil) throws -> MNSReceiptQueue {
        let signer = RequestSigner(credentials: Credentials(accessKeyId: "LTAI5tQueueTestKey", accessKeySecret: accountSecret),
                                   endpoint: try Endpoint(url: server.url), scheme: .v3)
        let dybase = SMSClient(signer: signer, transport: transport, timeout: .seconds(20))
        let now: @Sendable () -> Date
        if let clock { now = { clock.now } } else { now = { Date() } }
        return MNSReceiptQueue(kind: .smsReport, queueName: queueName, dybase: dybase, mnsEndpoint: mnsEndpoint ?? server.url, transport: transport, now: now, answerTime: .seconds(120))
    }

    // MARK: - The signature

    /// The vectors come from PY-MNS itself (`aliyun-mns-sdk` from PyPI, module `mns`): its
    /// `MNSClient.batch_receive_message` and `batch_delete_message` built the requests (URI, body,
    /// headers, `Authorization` through `get_signature`) with `time.strftime` fixed to the date
    /// below and the HTTP send replaced by a capture. PY-MNS sends `Content-MD5` as Base64 of the
    /// hex digest; we send RFC 1864 (Base64 of the 16-byte digest, as GO-MNS does), so the delete
    /// vector was signed by `get_signature` with that header value put in its place: the
    /// signature signs whatever is sent. Its own form is checked too.
    static let vectorToken = MNSQueueToken(accessKeyId: "STS.NVectorKeyId", accessKeySecret: Secret("vector-secret-MARKER"),
                                           securityToken: Secret("vector-token-MARKER"), created: nil, expires: Date(timeIntervalSince1970: 1_796_666_400))
    static let vectorDate = Date(timeIntervalSince1970: 1_796_662_800)

    @Test func receiveIsSignedAsThePythonSDKSignsIt() {
        let resource = "/queues/\(Self.queueName)/messages?numOfMessages=16&waitseconds=10"
        let headers = MNSSignature.headers(method: "GET", resource: resource, body: [], token: Self.vectorToken, date: Self.vectorDate)
        let named = Dictionary(headers, uniquingKeysWith: { first, _ in first })
        #expect(named["date"] == "Mon, 07 Dec 2026 17:00:00 GMT")
        #expect(named["x-mns-version"] == "2015-06-06")
        #expect(named["authorization"] == "MNS STS.NVectorKeyId:eQj1XpjCJewuQ0jdfWHX1YiOiq8=")
        #expect(named["security-token"] == "vector-token-MARKER")
        #expect(named["content-md5"] == nil && named["content-type"] == nil, "a receive carries no body, so neither header")
        #expect(headers.last?.0 == "security-token", "the token is sent beside the signature, not signed")
    }

    @Test func deleteIsSignedAsThePythonSDKSignsIt() {
        let body = MNSReceiptQueue.receiptHandlesXML(["1-ODU4OTkzNDU5My0xNDMyNzI3ODI3LTItOA==", "a&b<c>"])
        #expect(String(decoding: body, as: UTF8.self) == #"<?xml version="1.0" encoding="utf-8"?><ReceiptHandles xmlns="http://mns.aliyuncs.com/doc/v1/"><ReceiptHandle>1-ODU4OTkzNDU5My0xNDMyNzI3ODI3LTItOA==</ReceiptHandle><ReceiptHandle>a&amp;b&lt;c&gt;</ReceiptHandle></ReceiptHandles>"#)
        let resource = "/queues/\(Self.queueName)/messages"
        let named = Dictionary(MNSSignature.headers(method: "DELETE", resource: resource, body: body, token: Self.vectorToken, date: Self.vectorDate),
                               uniquingKeysWith: { first, _ in first })
        #expect(named["content-md5"] == "b7hxGUE3IYNL/YIMrxpq4w==")
        #expect(named["content-type"] == "text/xml;charset=UTF-8")
        #expect(named["authorization"] == "MNS STS.NVectorKeyId:Irw6LPHxk6l3R4/fvTylPIu0qtc=")
        // PY-MNS's own Content-MD5 (Base64 of the hex digest) and the Authorization it sent with it.
        let python = MNSSignature.stringToSign(method: "DELETE", contentMD5: "NmZiODcxMTk0MTM3MjE4MzRiZmQ4MjBjYWYxYTZhZTM=", contentType: "text/xml;charset=UTF-8",
                                               date: "Mon, 07 Dec 2026 17:00:00 GMT", headers: [("x-mns-version", "2015-06-06"), ("host", "127.0.0.1:1")], resource: resource)
        #expect(MNSSignature.signature(stringToSign: python, secret: Self.vectorToken.accessKeySecret) == "BhNYfA+ILvfRWP43DzVRGsQimD8=")
    }

    @Test func onlyMNSHeadersAreSignedSortedAndLowerCased() {
        let text = MNSSignature.stringToSign(method: "get", contentMD5: "", contentType: "", date: "D",
                                             headers: [("X-MNS-Version", "2015-06-06"), ("host", "h"), ("x-mns-a", "1"), ("security-token", "t")], resource: "/r")
        #expect(text == "GET\n\n\nD\nx-mns-a:1\nx-mns-version:2015-06-06\n/r")
    }

    // MARK: - The XML reader

    static let messagesXML = """
        <?xml version="1.0" encoding="UTF-8"?>
        <Messages xmlns="http://mns.aliyuncs.com/doc/v1/">
          <Message>
            <MessageId>5F290C926D472878-2-14D9529A8FA-200000001</MessageId>
            <ReceiptHandle>1-ODU4OTkzNDU5My0xNDMyNzI3ODI3LTItOA==</ReceiptHandle>
            <MessageBodyMD5>C5DD56A39F5F7BB8B3337C6D11B6D8C7</MessageBodyMD5>
            <MessageBody>eyJiaXpfaWQiOiIxMjM0XjAifQ==</MessageBody>
            <EnqueueTime>1250700979248</EnqueueTime>
            <NextVisibleTime>1250700799348</NextVisibleTime>
            <FirstDequeueTime>1250700779318</FirstDequeueTime>
            <DequeueCount>1</DequeueCount>
            <Priority>8</Priority>
          </Message>
          <Message>
            <MessageId>5F290C926D472878-2-14D9529A8FA-200000002</MessageId>
            <ReceiptHandle>1-a&amp;b</ReceiptHandle>
            <MessageBodyMD5>00</MessageBodyMD5>
            <MessageBody>&lt;x&gt; &quot;q&quot; &apos;a&apos; &#20013;&#x6587; <![CDATA[raw <b> & ]]>end</MessageBody>
            <EnqueueTime>1250700979249</EnqueueTime>
            <NextVisibleTime>1250700799348</NextVisibleTime>
            <FirstDequeueTime>1250700779318</FirstDequeueTime>
            <DequeueCount> 3 </DequeueCount>
            <Priority>8</Priority>
          </Message>
        </Messages>
        """

    @Test func messagesAreReadWithEntitiesAndCDATA() throws {
        guard case .messages(let messages) = MNSAnswer.read(Array(Self.messagesXML.utf8)) else {
            Issue.record("not read as messages")
            return
        }
        try #require(messages.count == 2)
        #expect(messages[0] == QueueMessage(messageId: "5F290C926D472878-2-14D9529A8FA-200000001", receiptHandle: "1-ODU4OTkzNDU5My0xNDMyNzI3ODI3LTItOA==",
                                            body: "eyJiaXpfaWQiOiIxMjM0XjAifQ==", dequeueCount: 1, enqueueTime: Date(timeIntervalSince1970: 1_250_700_979.248)))
        #expect(messages[1].receiptHandle == "1-a&b")
        #expect(messages[1].body == "<x> \"q\" 'a' 中文 raw <b> & end")
        #expect(messages[1].dequeueCount == 3)
        #expect(MNSAnswer.read(Array(#"<Messages xmlns="http://mns.aliyuncs.com/doc/v1"/>"#.utf8)).map { if case .messages(let list) = $0 { list.isEmpty } else { false } } == true)
    }

    @Test func errorShapesAreRead() {
        let errors = """
            <?xml version="1.0" encoding="UTF-8"?>
            <Errors xmlns="http://mns.aliyuncs.com/doc/v1/">
              <Error><ErrorCode>ReceiptHandleError</ErrorCode><ErrorMessage>The receipt handle you provide is not valid.</ErrorMessage><ReceiptHandle>0-00</ReceiptHandle></Error>
              <Error><ErrorCode>MessageNotExist</ErrorCode><ErrorMessage>Message not exist.</ErrorMessage><ReceiptHandle>1-a&amp;b</ReceiptHandle></Error>
            </Errors>
            """
        guard case .failures(let failures) = MNSAnswer.read(Array(errors.utf8)) else {
            Issue.record("not read as failures")
            return
        }
        #expect(failures.map(\.handle) == ["0-00", "1-a&b"] && failures.map(\.code) == ["ReceiptHandleError", "MessageNotExist"])
        let error = """
            <?xml version="1.0" encoding="UTF-8"?>
            <Error xmlns="http://mns.aliyuncs.com/doc/v1/">
              <Code>QueueNotExist</Code>
              <Message>The queue name you provided is not exist.</Message>
              <RequestId>5F290C926D472878-1</RequestId>
              <HostId>http://1943695596114318.mns.cn-hangzhou.aliyuncs.com</HostId>
            </Error>
            """
        guard case .error(let code, let message, let requestId) = MNSAnswer.read(Array(error.utf8)) else {
            Issue.record("not read as an error")
            return
        }
        #expect(code == "QueueNotExist" && message == "The queue name you provided is not exist." && requestId == "5F290C926D472878-1")
    }

    @Test(arguments: [
        "", "not xml", "{\"Code\":\"OK\"}", "<html><body>502 Bad Gateway</body></html>", "<Messages><Message>",
        "<Messages><Message><MessageId>x</MessageId></Message></Messages>",
        "<Messages><Message><MessageId>x</MessageId><ReceiptHandle>h</ReceiptHandle><MessageBody>b</MessageBody><DequeueCount>one</DequeueCount></Message></Messages>",
        "<Messages><Other/></Messages>", "<Messages></Message>", "<Error><Code>X</Code></Error>junk", "<Error><Message>no code</Message></Error>",
        "<!DOCTYPE Error [<!ENTITY x \"QueueNotExist\">]><Error><Code>&x;</Code></Error>", "<Error><Code>&unknown;</Code></Error>",
        "<Error><Code>&#0;</Code></Error>", "<Error><Code>A & B</Code></Error>", "<Errors><Error><ErrorCode>X</ErrorCode></Error></Errors>",
        String(repeating: "<a>", count: 100) + String(repeating: "</a>", count: 100),
    ])
    func anythingElseIsMalformed(_ text: String) {
        #expect(MNSAnswer.read(Array(text.utf8)) == nil)
    }

    @Test func invalidUTF8IsMalformed() {
        #expect(MNSAnswer.read(Array("<Error><Code>".utf8) + [0xFF, 0xFE] + Array("</Code></Error>".utf8)) == nil)
    }

    // MARK: - The token's times and renewal

    @Test func tokenTimesAreShanghaiTime() {
        #expect(MNSQueueToken.parseShanghaiTime("2026-12-08 01:00:00") == Date(timeIntervalSince1970: 1_796_662_800))
        #expect(MNSQueueToken.parseShanghaiTime("2027-01-01 00:00:00") == Date(timeIntervalSince1970: 1_798_761_600 - 8 * 3600))
        for bad in ["", "2026-12-08T01:00:00", "2026-12-08 01:00:00Z", "2026-02-30 00:00:00", "2026-12-08 25:00:00", "08/12/2026 01:00:00", "2026-12-08  1:00:00"] {
            #expect(MNSQueueToken.parseShanghaiTime(bad) == nil, "\(bad)")
        }
        let object: [String: Any] = ["Code": "OK", "MessageTokenDTO": ["AccessKeyId": "STS.a", "AccessKeySecret": "s", "SecurityToken": "t",
                                                                        "CreateTime": "2026-12-08 00:00:00", "ExpireTime": "2026-12-08 01:00:00"]]
        let token = MNSQueueToken(answer: object)
        #expect(token?.created == Date(timeIntervalSince1970: 1_796_659_200) && token?.expires == Date(timeIntervalSince1970: 1_796_662_800))
        #expect(MNSQueueToken(answer: ["Code": "OK", "MessageTokenDTO": ["AccessKeyId": "STS.a", "AccessKeySecret": "s", "SecurityToken": "t", "ExpireTime": "soon"]]) == nil)
        #expect(MNSQueueToken(answer: ["Code": "OK"]) == nil)
    }

    @Test func renewalComesAtTwoMinutesOrHalfTheLifetimeWhicheverIsShorter() {
        let start = Date(timeIntervalSince1970: 1_796_659_200)
        func token(lifetime: TimeInterval, created: Bool = true) -> MNSQueueToken {
            MNSQueueToken(accessKeyId: "STS.a", accessKeySecret: Secret("s"), securityToken: Secret("t"), created: created ? start : nil,
                          expires: start.addingTimeInterval(lifetime))
        }
        let hour = token(lifetime: 3600)
        #expect(!hour.needsRenewal(at: start.addingTimeInterval(3479)) && hour.needsRenewal(at: start.addingTimeInterval(3481)))
        let minute = token(lifetime: 60)
        #expect(!minute.needsRenewal(at: start.addingTimeInterval(29)) && minute.needsRenewal(at: start.addingTimeInterval(31)))
        let unknownStart = token(lifetime: 60, created: false)
        #expect(unknownStart.needsRenewal(at: start), "without CreateTime the margin is two minutes")
        #expect(hour.needsRenewal(at: start.addingTimeInterval(4000)))
    }
}

// MARK: - Over loopback HTTP, against a scripted Dybaseapi and MNS

/// Dybaseapi and MNS in one scripted server: tokens issued with marker secrets, every MNS request's
/// signature, security token and Content-MD5 verified as §2.3a describes, and the answers the
/// test queues up (an empty poll, 404 MessageNotExist, when none is queued).
final class ScriptedQueueService: Sendable {
    struct State {
        var tokenAnswers: [ScriptedHTTPServer.Answer] = []
        var mnsAnswers: [ScriptedHTTPServer.Answer] = []
        /// Issued key id -> (secret, security token).
        var issued: [String: (String, String)] = [:]
        var tokenRequests: [ScriptedHTTPServer.Request] = []
        var mnsRequests: [ScriptedHTTPServer.Request] = []
        var badSignatures = 0
        var lifetime: TimeInterval = 3600
    }

    let state = Mutex(State())

    static func error(_ status: Int, _ code: String, _ message: String) -> ScriptedHTTPServer.Answer {
        ScriptedHTTPServer.Answer(status: status, contentType: "text/xml", body: """
            <?xml version="1.0" encoding="UTF-8"?>
            <Error xmlns="http://mns.aliyuncs.com/doc/v1/"><Code>\(code)</Code><Message>\(message)</Message><RequestId>R-1</RequestId><HostId>http://127.0.0.1</HostId></Error>
            """)
    }

    func answer(_ request: ScriptedHTTPServer.Request) -> ScriptedHTTPServer.Answer? {
        state.withLock { state in
            if request.path.hasPrefix("/queues/") { return Self.mns(request, &state) }
            state.tokenRequests.append(request)
            if !state.tokenAnswers.isEmpty { return state.tokenAnswers.removeFirst() }
            let number = state.issued.count + 1
            let (id, secret, token) = ("STS.MNS\(number)", "MARKER-MNS-SECRET-\(number)", "MARKER-MNS-TOKEN-\(number)")
            state.issued[id] = (secret, token)
            let now = Date()
            return ScriptedHTTPServer.Answer(status: 200, body: """
                {"Code":"OK","Message":"OK","RequestId":"T-\(number)","MessageTokenDTO":{"AccessKeyId":"\(id)","AccessKeySecret":"\(secret)",\
                "SecurityToken":"\(token)","CreateTime":"\(MNSQueueTests.shanghai(now))","ExpireTime":"\(MNSQueueTests.shanghai(now.addingTimeInterval(state.lifetime)))"}}
                """)
        }
    }

    private static func mns(_ request: ScriptedHTTPServer.Request, _ state: inout State) -> ScriptedHTTPServer.Answer {
        state.mnsRequests.append(request)
        let headers = request.headers
        let authorization = headers["authorization"] ?? ""
        let id = authorization.dropFirst(4).prefix { $0 != ":" }
        guard authorization.hasPrefix("MNS "), let (secret, token) = state.issued[String(id)], headers["security-token"] == token,
              headers["x-mns-version"] == "2015-06-06", headers["date"]?.hasSuffix(" GMT") == true,
              headers["content-md5"] == (request.body.isEmpty ? nil : MNSSignature.contentMD5(Array(request.body.utf8))) else {
            state.badSignatures += 1
            return error(403, "AccessDenied", "bad token or headers")
        }
        let text = MNSSignature.stringToSign(method: request.method, contentMD5: headers["content-md5"] ?? "", contentType: headers["content-type"] ?? "",
                                             date: headers["date"] ?? "", headers: Array(headers), resource: request.path)
        guard authorization == "MNS \(id):" + MNSSignature.signature(stringToSign: text, secret: Secret(secret)) else {
            state.badSignatures += 1
            return error(403, "SignatureDoesNotMatch", "The request signature we calculated does not match, string to sign is: \(text)")
        }
        if !state.mnsAnswers.isEmpty { return state.mnsAnswers.removeFirst() }
        return error(404, "MessageNotExist", "Message not exist.")
    }

    static func messages(_ handles: [String]) -> ScriptedHTTPServer.Answer {
        let items = handles.enumerated().map { index, handle in
            "<Message><MessageId>M-\(index)</MessageId><ReceiptHandle>\(handle)</ReceiptHandle><MessageBodyMD5>0</MessageBodyMD5>"
                + "<MessageBody>eyJiaXpfaWQiOiIxIn0=</MessageBody><EnqueueTime>1796662800000</EnqueueTime><NextVisibleTime>1796662830000</NextVisibleTime>"
                + "<FirstDequeueTime>1796662800000</FirstDequeueTime><DequeueCount>1</DequeueCount><Priority>8</Priority></Message>"
        }
        return ScriptedHTTPServer.Answer(status: 200, contentType: "text/xml",
                                         body: #"<?xml version="1.0" encoding="UTF-8"?><Messages xmlns="http://mns.aliyuncs.com/doc/v1/">"# + items.joined() + "</Messages>")
    }
}

extension MNSQueueTests {
    static func scripted(_ adjust: (inout ScriptedQueueService.State) -> Void = { _ in }) throws -> (ScriptedHTTPServer, ScriptedQueueService) {
        let service = ScriptedQueueService()
        service.state.withLock { adjust(&$0) }
        let server = try ScriptedHTTPServer { service.answer($0) }
        return (server, service)
    }

    @Test func receivesPollsEmptyAndDeletesWithOneToken() async throws {
        let (server, service) = try Self.scripted { $0.mnsAnswers = [ScriptedQueueService.messages(["h-1", "h-2"])] }
        defer { server.stop() }
        let transport = HTTPClientTransport()
        let queue = try Self.queue(server, transport: transport)
        let received = try await queue.receive(waitSeconds: 1)
        #expect(received.map(\.receiptHandle) == ["h-1", "h-2"] && received.map(\.body) == ["eyJiaXpfaWQiOiIxIn0=", "eyJiaXpfaWQiOiIxIn0="])
        #expect(try await queue.receive(max: 40, waitSeconds: 99).isEmpty, "an empty poll is 404 MessageNotExist")
        service.state.withLock { $0.mnsAnswers = [ScriptedHTTPServer.Answer(status: 204, body: "")] }
        #expect(try await queue.delete(["h-1", "h-2"]).isEmpty)
        #expect(await queue.tokensFetched == 1)
        let state = service.state.withLock { $0 }
        #expect(state.badSignatures == 0)
        #expect(state.mnsRequests.map(\.path) == [
            "/queues/\(Self.queueName)/messages?numOfMessages=16&waitseconds=1", "/queues/\(Self.queueName)/messages?numOfMessages=16&waitseconds=30",
            "/queues/\(Self.queueName)/messages",
        ])
        #expect(state.mnsRequests.map(\.method) == ["GET", "GET", "DELETE"])
        #expect(state.mnsRequests[2].body.contains("<ReceiptHandle>h-2</ReceiptHandle>") && state.mnsRequests[2].headers["content-type"] == "text/xml;charset=UTF-8")
        let token = try #require(state.tokenRequests.first)
        #expect(token.headers["x-acs-action"] == "QueryTokenForMnsQueue" && token.headers["x-acs-version"] == "2017-05-25")
        #expect(token.path.contains("MessageType=SmsReport") && token.path.contains("QueueName=\(Self.queueName)"))
        await transport.shutdown()
    }

    @Test func deletesInBatchesOfSixteenAndReportsFailedHandles() async throws {
        let failed = """
            <?xml version="1.0" encoding="UTF-8"?><Errors xmlns="http://mns.aliyuncs.com/doc/v1/"><Error><ErrorCode>MessageNotExist</ErrorCode>\
            <ErrorMessage>Message not exist.</ErrorMessage><ReceiptHandle>h-18</ReceiptHandle></Error></Errors>
            """
        let (server, service) = try Self.scripted {
            $0.mnsAnswers = [ScriptedHTTPServer.Answer(status: 204, body: ""), ScriptedHTTPServer.Answer(status: 404, contentType: "text/xml", body: failed),
                             ScriptedQueueService.error(400, "ReceiptHandleError", "The receipt handle you provide is not valid.")]
        }
        defer { server.stop() }
        let transport = HTTPClientTransport()
        let queue = try Self.queue(server, transport: transport)
        let handles = (0..<20).map { "h-\($0)" }
        let failures = try await queue.delete(handles)
        #expect(failures.map(\.handle) == ["h-18"] && failures.map(\.code) == ["MessageNotExist"])
        #expect(try await queue.delete(["bad"]).map(\.code) == ["ReceiptHandleError"], "a whole request refused for its handle fails that handle")
        #expect(try await queue.delete([]).isEmpty)
        let requests = service.state.withLock { $0.mnsRequests }
        #expect(requests.count == 3)
        #expect(requests.first.map { $0.body.components(separatedBy: "<ReceiptHandle>").count - 1 } == 16)
        #expect(requests.dropFirst().first.map { $0.body.components(separatedBy: "<ReceiptHandle>").count - 1 } == 4)
        #expect(service.state.withLock { $0.badSignatures } == 0)
        await transport.shutdown()
    }

    /// (Against the emulator, whose tokens expire in real time, the same is checked end to end
    /// between processes by `ReceiptsPullTests`, with a 2-second token: in this process a
    /// blocked shared pool could outlast any short token between its renewal and the call.)
    @Test func aTokenRefusedAsExpiredIsRenewedAndTheCallMadeOnceMore() async throws {
        let (server, service) = try Self.scripted { $0.mnsAnswers = [ScriptedQueueService.error(403, "AccessDenied", "The token has expired.")] }
        defer { server.stop() }
        let transport = HTTPClientTransport()
        let queue = try Self.queue(server, transport: transport)
        #expect(try await queue.receive(waitSeconds: 0).isEmpty)
        #expect(await queue.tokensFetched == 2)
        let ids = service.state.withLock { $0.mnsRequests.map { $0.headers["authorization"]?.prefix(12) ?? "" } }
        #expect(ids == ["MNS STS.MNS1", "MNS STS.MNS2"])
        // Refused again with the fresh token: refused for good, the reason named, no secret.
        service.state.withLock { $0.mnsAnswers = Array(repeating: ScriptedQueueService.error(403, "AccessDenied", "The token has expired."), count: 2) }
        let error = try #require(await Self.failure { () async throws(QueueError) in try await queue.receive(waitSeconds: 0) })
        #expect(error.code == .refused && error.providerCode == "AccessDenied" && error.message.contains("AccessDenied"))
        #expect(await queue.tokensFetched == 3)
        #expect(!Self.words(error).contains("MARKER"))
        await transport.shutdown()
    }

    @Test func theTokenIsRenewedBeforeItExpiresOnTheInjectedClock() async throws {
        let (server, _) = try Self.scripted { $0.lifetime = 3600 }
        defer { server.stop() }
        let transport = HTTPClientTransport()
        let clock = TestClock()
        let queue = try Self.queue(server, transport: transport, clock: clock)
        // The token's ExpireTime comes from the server's real clock, which runs on while a busy
        // machine answers: the steps leave a wide margin either side of the two minutes.
        _ = try await queue.receive(waitSeconds: 0)
        clock.catchUp()
        clock.advance(1000)
        _ = try await queue.receive(waitSeconds: 0)
        #expect(await queue.tokensFetched == 1, "more than two minutes remain")
        clock.advance(2550)
        _ = try await queue.receive(waitSeconds: 0)
        // Renewed (a busy machine may add one more renewal after a slow answer; none would fail).
        #expect(await queue.tokensFetched >= 2, "less than two minutes remained")
        await transport.shutdown()
    }

    @Test func aShortLivedTokenIsRenewedAtHalfItsLifetime() async throws {
        // 200 s: half of it (100 s) is shorter than two minutes, so half decides.
        let (server, _) = try Self.scripted { $0.lifetime = 200 }
        defer { server.stop() }
        let transport = HTTPClientTransport()
        let clock = TestClock()
        let queue = try Self.queue(server, transport: transport, clock: clock)
        _ = try await queue.receive(waitSeconds: 0)
        clock.catchUp()
        _ = try await queue.receive(waitSeconds: 0)
        #expect(await queue.tokensFetched == 1)
        clock.advance(150)
        _ = try await queue.receive(waitSeconds: 0)
        #expect(await queue.tokensFetched >= 2, "less than half of its 200 s remained")
        await transport.shutdown()
    }

    @Test func callsWaitingForATokenShareOneRenewal() async throws {
        let (server, service) = try Self.scripted()
        defer { server.stop() }
        let transport = HTTPClientTransport()
        let queue = try Self.queue(server, transport: transport)
        try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<4 { group.addTask { try await queue.receive(waitSeconds: 0).count } }
            for try await count in group { #expect(count == 0) }
        }
        #expect(await queue.tokensFetched == 1 && service.state.withLock { $0.tokenRequests.count } == 1)
        await transport.shutdown()
    }

    static let mnsFailures: [(ScriptedHTTPServer.Answer, QueueError.Code, String?)] = [
        (ScriptedQueueService.error(404, "QueueNotExist", "The queue name you provided is not exist."), .refused, "QueueNotExist"),
        (ScriptedQueueService.error(403, "SignatureDoesNotMatch", "no, string to sign is: GET MARKER"), .refused, "SignatureDoesNotMatch"),
        (ScriptedQueueService.error(408, "TimeExpired", "The http request you sent is expired."), .unavailable, "TimeExpired"),
        (ScriptedQueueService.error(400, "QpsLimitExceeded", "too many"), .unavailable, "QpsLimitExceeded"),
        (ScriptedQueueService.error(500, "InternalError", "oops"), .unavailable, "InternalError"),
        (ScriptedQueueService.error(400, "InvalidArgument", "numOfMessages"), .refused, "InvalidArgument"),
        (ScriptedHTTPServer.Answer(status: 503, contentType: "text/html", body: "<html>busy</html>"), .unavailable, nil),
        (ScriptedHTTPServer.Answer(status: 200, contentType: "text/xml", body: "<Messages><Message>"), .malformed, nil),
        (ScriptedHTTPServer.Answer(status: 400, contentType: "text/html", body: "proxy says no"), .malformed, nil),
    ]

    @Test(arguments: 0..<mnsFailures.count)
    func mnsFailuresAreClassified(_ index: Int) async throws {
        let (answer, code, providerCode) = Self.mnsFailures[index]
        let retried = providerCode == "SignatureDoesNotMatch"
        let (server, _) = try Self.scripted { $0.mnsAnswers = Array(repeating: answer, count: retried ? 2 : 1) }
        defer { server.stop() }
        let transport = HTTPClientTransport()
        let queue = try Self.queue(server, transport: transport)
        let error = try #require(await Self.failure { () async throws(QueueError) in try await queue.receive(waitSeconds: 0) })
        #expect(error.code == code && error.providerCode == providerCode, "\(error)")
        #expect(await queue.tokensFetched == (retried ? 2 : 1), "only a refusal of the token is retried with a new one")
        #expect(!Self.words(error).contains("MARKER") && !Self.words(error).contains("string to sign"), "\(Self.words(error))")
        #expect(error.message.contains(Self.queueName))
        await transport.shutdown()
    }

    static let tokenFailures: [(ScriptedHTTPServer.Answer, QueueError.Code)] = [
        (ScriptedHTTPServer.Answer(status: 403, body: #"{"Code":"Forbidden.RAM","Message":"User not authorized","RequestId":"T"}"#), .refused),
        (ScriptedHTTPServer.Answer(status: 400, body: #"{"Code":"SignatureDoesNotMatch","Message":"bad, server string to sign is: POST&%2F&AccessKeyId%3DLTAI"}"#), .refused),
        (ScriptedHTTPServer.Answer(status: 400, body: #"{"Code":"Throttling.User","Message":"Request was denied due to user flow control."}"#), .unavailable),
        (ScriptedHTTPServer.Answer(status: 500, body: #"{"Code":"InternalError","Message":"The request processing has failed."}"#), .unavailable),
        (ScriptedHTTPServer.Answer(status: 502, contentType: "text/html", body: "<html>bad gateway</html>"), .unavailable),
        (ScriptedHTTPServer.Answer(status: 200, body: #"{"Code":"OK","Message":"OK","RequestId":"T"}"#), .malformed),
        (ScriptedHTTPServer.Answer(status: 200, body: #"{"Code":"OK","MessageTokenDTO":{"AccessKeyId":"STS.a","AccessKeySecret":"MARKER-S","SecurityToken":"MARKER-T","ExpireTime":"2026-12-08T01:00:00Z"}}"#), .malformed),
    ]

    @Test(arguments: 0..<tokenFailures.count)
    func tokenFailuresAreClassified(_ index: Int) async throws {
        let (answer, code) = Self.tokenFailures[index]
        let (server, service) = try Self.scripted { $0.tokenAnswers = [answer] }
        defer { server.stop() }
        let transport = HTTPClientTransport()
        let queue = try Self.queue(server, transport: transport)
        let error = try #require(await Self.failure { () async throws(QueueError) in try await queue.receive(waitSeconds: 0) })
        #expect(error.code == code, "\(error)")
        #expect(error.message.contains("QueryTokenForMnsQueue"))
        #expect(!Self.words(error).contains("MARKER") && !Self.words(error).contains("string to sign"), "\(Self.words(error))")
        #expect(service.state.withLock { $0.mnsRequests.isEmpty }, "nothing is asked of MNS without a token")
        await transport.shutdown()
    }

    @Test func aQueueWithoutANameIsRefusedWithoutAsking() async throws {
        let (server, service) = try Self.scripted()
        defer { server.stop() }
        let transport = HTTPClientTransport()
        let signer = RequestSigner(credentials: Credentials(accessKeyId: "LTAI5tQueueTestKey", accessKeySecret: Self.accountSecret),
                                   endpoint: try Endpoint(url: server.url), scheme: .v1)
        let queue = MNSReceiptQueue(kind: .smsUp, queueName: "", dybase: SMSClient(signer: signer, transport: transport), mnsEndpoint: server.url, transport: transport, answerTime: .seconds(120))
        let error = try #require(await Self.failure { () async throws(QueueError) in try await queue.receive(waitSeconds: 0) })
        #expect(error.code == .refused && error.message.contains("needs a queue name"), "\(error)")
        #expect(service.state.withLock { $0.tokenRequests.isEmpty && $0.mnsRequests.isEmpty })
        await transport.shutdown()
    }

    @Test func unreachableEndpointsAreUnavailable() async throws {
        let (server, _) = try Self.scripted()
        defer { server.stop() }
        let closed = try ScriptedHTTPServer { _ in nil }
        let deadURL = closed.url
        closed.stop()
        let transport = HTTPClientTransport()
        let noMNS = try Self.queue(server, transport: transport, mnsEndpoint: deadURL)
        let mnsError = try #require(await Self.failure { () async throws(QueueError) in try await noMNS.receive(waitSeconds: 0) })
        #expect(mnsError.code == .unavailable && mnsError.message.contains("BatchReceiveMessage"), "\(mnsError)")
        let noDybase = try Self.queue(closed, transport: transport, mnsEndpoint: server.url)
        let tokenError = try #require(await Self.failure { () async throws(QueueError) in try await noDybase.delete(["h"]) })
        #expect(tokenError.code == .unavailable && tokenError.message.contains("QueryTokenForMnsQueue"), "\(tokenError)")
        #expect(!Self.words(mnsError).contains("MARKER") && !Self.words(tokenError).contains("MARKER"))
        await transport.shutdown()
    }
}

// MARK: - Against the emulator's queue (`salvo emulator --queue`)

extension MNSQueueTests {
    /// A serving emulator with its receipt queues on, receipts queued as soon as a send is accepted.
    static func emulator(_ adjust: (inout EmulatorConfiguration) -> Void = { _ in }) async throws -> EmulatorInstance {
        var configuration = EmulatorConfiguration(accessKeyId: "LTAI5tQueueTestKey", accessKeySecret: accountSecret)
        configuration.queue.enabled = true
        adjust(&configuration)
        var plan = ReportPlan(url: "")
        plan.delay = .zero
        return try await EmulatorInstance.start(configuration: configuration, recordPath: nil, reportPlan: plan, host: "127.0.0.1", port: 0)
    }

    /// A client of the account at the emulator (its SMS API and Dybaseapi are the same URL).
    static func account(_ url: String, transport: HTTPClientTransport, scheme: SignatureScheme = .v3) throws -> SMSClient {
        SMSClient(signer: RequestSigner(credentials: Credentials(accessKeyId: "LTAI5tQueueTestKey", accessKeySecret: accountSecret),
                                        endpoint: try Endpoint(url: url), scheme: scheme), transport: transport, timeout: .seconds(20))
    }

    /// Sends to `count` numbers, so that `count` receipts are queued.
    static func send(_ count: Int, through client: SMSClient) async throws {
        let numbers = (0..<count).map { "1380013\(String(format: "%04d", $0))" }
        let operation = try SMSOperation.sendBatchSms(phoneNumbers: numbers, signNames: Array(repeating: "云杉商城", count: count), templateCode: "SMS_1",
                                                      templateParameters: Array(repeating: ["name": "张 伟"], count: count))
        _ = try await client.send(operation)
    }

    /// The receipt JSON object a message body holds (Base64 of one object, not an array).
    static func receipt(_ message: QueueMessage) -> [String: Any]? {
        Data(base64Encoded: message.body).flatMap { try? JSONSerialization.jsonObject(with: $0) as? [String: Any] }
    }

    /// Receive, an empty poll and delete over loopback. Redelivery after the visibility timeout is
    /// checked where real time cannot be stolen by the rest of this test process: on the emulator's
    /// queue itself (`EmulatorQueueTests`) and end to end between processes (`ReceiptsPullTests`).
    @Test(arguments: SignatureScheme.allCases)
    func receivesPollsEmptyAndDeletes(_ scheme: SignatureScheme) async throws {
        let instance = try await Self.emulator { $0.queue.visibility = .seconds(600) }
        let transport = HTTPClientTransport()
        let account = try Self.account(instance.url, transport: transport, scheme: scheme)
        try await Self.send(20, through: account)
        let queue = MNSReceiptQueue(kind: .smsReport, queueName: QueueEmulation.reportQueueName, dybase: account, mnsEndpoint: instance.url, transport: transport,
                                    answerTime: .seconds(120))
        var received: [QueueMessage] = []
        for _ in 0..<20 where received.count < 20 {
            let batch = try await queue.receive(max: 16, waitSeconds: 2)
            #expect(batch.count <= 16)
            received += batch
        }
        #expect(received.count == 20)
        #expect(Set(received.compactMap { Self.receipt($0)?["phone_number"] as? String }).count == 20)
        #expect(received.allSatisfy { $0.dequeueCount == 1 && $0.enqueueTime != nil })
        #expect(try await queue.receive(waitSeconds: 1).isEmpty, "all 20 are invisible: the long poll ends empty")
        #expect(try await queue.delete(received.map(\.receiptHandle)).isEmpty)
        // A handle used twice is refused, not an error.
        let again = try await queue.delete(Array(received.prefix(2).map(\.receiptHandle)))
        #expect(again.count == 2, "\(again)")
        let statistics = instance.record.statistics()
        #expect(statistics.queued == 20 && statistics.queueDeleted == 20 && statistics.queueRedelivered == 0)
        #expect(await queue.tokensFetched == 1)
        await transport.shutdown()
        _ = await instance.stop(grace: .zero)
    }

    @Test func aQueueTheAccountDoesNotHaveIsRefused() async throws {
        let instance = try await Self.emulator()
        let transport = HTTPClientTransport()
        let account = try Self.account(instance.url, transport: transport)
        let queue = MNSReceiptQueue(kind: .smsReport, queueName: "Alicom-Queue-1-Wrong", dybase: account, mnsEndpoint: instance.url, transport: transport, answerTime: .seconds(120))
        let error = try #require(await Self.failure { () async throws(QueueError) in try await queue.receive(waitSeconds: 0) })
        #expect(error.code == .refused && error.providerCode == "QueueNotExist" && error.message.contains("Alicom-Queue-1-Wrong"), "\(error)")
        let words = Self.words(error)
        #expect(!words.contains("MARKER") && !words.contains("EmulatorMnsSecret") && !words.contains("CAIS"), "\(words)")
        // The replies' queue is its own: a token for SmsUp reads it, and it is empty.
        let replies = MNSReceiptQueue(kind: .smsUp, queueName: QueueEmulation.replyQueueName, dybase: account, mnsEndpoint: instance.url, transport: transport, answerTime: .seconds(120))
        #expect(try await replies.receive(waitSeconds: 0).isEmpty)
        await transport.shutdown()
        _ = await instance.stop(grace: .zero)
    }
}
