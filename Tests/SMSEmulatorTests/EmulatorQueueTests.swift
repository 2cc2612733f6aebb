@testable import AliyunSMS
import Crypto
import Foundation
import Testing
@testable import SMSEmulator

/// The emulator playing Alibaba Cloud's receipt queues (`--queue`), over real loopback HTTP:
/// QueryTokenForMnsQueue, MNS signatures (signed here by a helper of the test's own, built from
/// the reference, and checked against vectors from the official Python SDK), long polls,
/// visibility timeouts and redelivery, deletes, faults and counts.
@Suite struct EmulatorQueueTests {
    typealias Answer = EmulatorSTSTests.Answer
    static let reportQueue = "Alicom-Queue-1234567890123456-SmsReport"
    static let replyQueue = "Alicom-Queue-1234567890123456-SmsUp"

    /// A serving emulator with `--queue` as `adjust` says, receipts queued at once, on a clock the
    /// test moves.
    struct Setup {
        let instance: EmulatorInstance
        let clock: EmulatorSTSTests.TestClock
        var port: Int { instance.server.port }
        var statistics: EmulatorStatistics { instance.record.statistics() }

        init(_ adjust: (inout EmulatorConfiguration) -> Void = { _ in }, plan adjustPlan: (inout ReportPlan) -> Void = { _ in }) async throws {
            let clock = EmulatorSTSTests.TestClock()
            var configuration = EmulatorConfiguration(accessKeyId: "id", accessKeySecret: "secret")
            configuration.signNames = ["云杉商城"]
            configuration.templates = ["SMS_1": EmulatorCoreTests.template]
            configuration.queue.enabled = true
            configuration.now = { clock.now }
            adjust(&configuration)
            var plan = ReportPlan(url: "")
            plan.delay = .zero
            adjustPlan(&plan)
            instance = try await EmulatorInstance.start(configuration: configuration, recordPath: nil, reportPlan: plan, host: "127.0.0.1", port: 0)
            self.clock = clock
        }

        /// Returns once a long poll waits on the queues (or after 20 s).
        func untilAPollWaits() async throws {
            let end = ContinuousClock.now + .seconds(20)
            while (instance.server.core.queue?.waiters.count ?? 0) == 0, ContinuousClock.now < end {
                try await Task.sleep(for: .milliseconds(10))
            }
        }

        func stop() async {
            _ = await instance.stop(grace: .zero)
        }

        /// Puts `count` receipts in the SmsReport queue, as accepted sends would.
        func putReceipts(_ count: Int) {
            var reports = CarrierReports()
            for index in 0..<count {
                reports.receipts.append(["biz_id": "900\(index)^0", "phone_number": "1380013800\(index % 10)", "success": "true", "err_code": "DELIVERED"])
                reports.repeated.append(false)
            }
            instance.server.core.queue?.put(reports, delay: .zero)
        }
    }

    /// A token as QueryTokenForMnsQueue gives it.
    struct Token {
        var keyId: String
        var secret: String
        var securityToken: String
    }

    // MARK: - Requests

    /// QueryTokenForMnsQueue signed with the emulator's key pair.
    static func tokenAnswer(_ setup: Setup, type: String = "SmsReport", queueName: String? = reportQueue, scheme: SignatureScheme = .v3) async throws -> Answer {
        let credentials = Credentials(accessKeyId: "id", accessKeySecret: "secret")
        var query = [("MessageType", type)]
        if let queueName { query.append(("QueueName", queueName)) }
        let operation = SMSOperation(action: "QueryTokenForMnsQueue", query: query, body: [])
        let signer = RequestSigner(credentials: credentials, endpoint: try Endpoint(url: setup.instance.url), scheme: scheme)
        let signed = signer.sign(operation, with: credentials, nonce: UUID().uuidString, timestamp: AliyunTime.timestamp(setup.clock.now))
        let target = "/" + (signed.url.split(separator: "/", maxSplits: 3).dropFirst(2).first.map { String($0.drop { $0 != "?" }) } ?? "")
        return await EmulatorSTSTests.exchange(setup.port, signed.method, target, headers: signed.headers, body: signed.body)
    }

    static func token(_ setup: Setup, type: String = "SmsReport", queueName: String? = reportQueue) async throws -> Token {
        let answer = try await tokenAnswer(setup, type: type, queueName: queueName)
        let dto = try #require(answer.json["MessageTokenDTO"] as? [String: Any], "\(answer.body)")
        return Token(keyId: try #require(dto["AccessKeyId"] as? String), secret: try #require(dto["AccessKeySecret"] as? String),
                     securityToken: try #require(dto["SecurityToken"] as? String))
    }

    /// The test's own MNS signature, from the reference (§2.3a): HMAC-SHA1 over METHOD, Content-MD5,
    /// Content-Type, Date, the sorted `x-mns-` headers and the resource.
    static func sign(method: String, contentMD5: String = "", contentType: String = "", date: String, mnsHeaders: [(String, String)], resource: String, secret: String) -> String {
        let canonical = mnsHeaders.sorted { $0.0 < $1.0 }.map { "\($0.0):\($0.1)\n" }.joined()
        let text = "\(method)\n\(contentMD5)\n\(contentType)\n\(date)\n\(canonical)\(resource)"
        return Data(HMAC<Insecure.SHA1>.authenticationCode(for: Data(text.utf8), using: SymmetricKey(data: Data(secret.utf8)))).base64EncodedString()
    }

    /// An HTTP date in GMT, as the SDKs write it.
    static func httpDate(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        return formatter.string(from: date)
    }

    /// An MNS request signed with `token` (or `secret`), carrying `securityToken` (default: the token's).
    static func mns(_ setup: Setup, _ method: String, _ resource: String, token: Token, body: [UInt8] = [], secret: String? = nil,
                    securityToken: String? = nil, date: Date? = nil, contentMD5: String? = nil) async -> Answer {
        let dateText = httpDate(date ?? setup.clock.now)
        let mnsHeaders = [("x-mns-version", "2015-06-06")]
        var headers = [("Date", dateText)] + mnsHeaders
        var md5 = "", type = ""
        if !body.isEmpty {
            md5 = contentMD5 ?? Data(Insecure.MD5.hash(data: body)).base64EncodedString()
            type = "text/xml;charset=UTF-8"
            headers += [("Content-MD5", md5), ("Content-Type", type)]
        }
        let signature = sign(method: method, contentMD5: md5, contentType: type, date: dateText, mnsHeaders: mnsHeaders, resource: resource, secret: secret ?? token.secret)
        headers += [("Authorization", "MNS \(token.keyId):\(signature)"), ("security-token", securityToken ?? token.securityToken)]
        return await EmulatorSTSTests.exchange(setup.port, method, resource, headers: headers, body: body)
    }

    static func receive(_ setup: Setup, _ token: Token, queue: String = reportQueue, max: Int = 16, wait: Int = 0, secret: String? = nil,
                        securityToken: String? = nil, date: Date? = nil) async -> Answer {
        await mns(setup, "GET", "/queues/\(queue)/messages?numOfMessages=\(max)&waitseconds=\(wait)", token: token, secret: secret, securityToken: securityToken, date: date)
    }

    static func delete(_ setup: Setup, _ token: Token, _ handles: [String], queue: String = reportQueue) async -> Answer {
        let body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><ReceiptHandles xmlns=\"http://mns.aliyuncs.com/doc/v1/\">"
            + handles.map { "<ReceiptHandle>\($0)</ReceiptHandle>" }.joined() + "</ReceiptHandles>"
        return await mns(setup, "DELETE", "/queues/\(queue)/messages", token: token, body: Array(body.utf8))
    }

    /// A received message's fields.
    struct Received {
        var fields: [String: String]
        var handle: String { fields["ReceiptHandle"] ?? "" }
        var id: String { fields["MessageId"] ?? "" }
        var body: String { fields["MessageBody"] ?? "" }
        var dequeueCount: Int { Int(fields["DequeueCount"] ?? "") ?? 0 }
    }

    /// The messages of a `<Messages>` answer (the emulator escapes nothing in them here).
    static func messages(_ answer: Answer) -> [Received] {
        answer.body.components(separatedBy: "<Message>").dropFirst().map { chunk in
            var fields: [String: String] = [:]
            for name in ["MessageId", "ReceiptHandle", "MessageBodyMD5", "MessageBody", "EnqueueTime", "NextVisibleTime", "FirstDequeueTime", "DequeueCount", "Priority"] {
                if let start = chunk.range(of: "<\(name)>"), let end = chunk.range(of: "</\(name)>", range: start.upperBound..<chunk.endIndex) {
                    fields[name] = String(chunk[start.upperBound..<end.lowerBound])
                }
            }
            return Received(fields: fields)
        }
    }

    /// The `<Code>` of an `<Error>` answer.
    static func errorCode(_ answer: Answer) -> String? {
        guard let start = answer.body.range(of: "<Code>"), let end = answer.body.range(of: "</Code>") else { return nil }
        return String(answer.body[start.upperBound..<end.lowerBound])
    }

    // MARK: - The signature, against the official Python SDK

    @Test func theSignatureMatchesThePythonSDKsVectors() {
        // aliyun-mns-sdk 1.3.0 `MNSClient.get_signature`, key STS.MNSvectorKey, secret EmulatorMnsSecretVector.
        let date = "Thu, 07 Mar 2012 18:49:58 GMT"
        let receive = MNSSignatureCheck.stringToSign(method: "GET", headers: [("host", "127.0.0.1"), ("date", date), ("x-mns-version", "2015-06-06"), ("security-token", "x")],
                                                     resource: "/queues/\(Self.reportQueue)/messages?numOfMessages=16&waitseconds=10")
        #expect(MNSSignatureCheck.signature(stringToSign: receive, secret: "EmulatorMnsSecretVector") == "Z0XJOppK46d4DBSU6jf9OPqWmgE=")
        let body = Array(#"<?xml version="1.0" encoding="UTF-8"?><ReceiptHandles xmlns="http://mns.aliyuncs.com/doc/v1/"><ReceiptHandle>1-1-1-ABC</ReceiptHandle></ReceiptHandles>"#.utf8)
        let pythonMD5 = "MDBhZWIzZmIxMjY2Njk0MjZlYWZkMTM1OWU2NTdhOTI="
        #expect(MNSSignatureCheck.contentMD5Matches(pythonMD5, body: body))
        #expect(MNSSignatureCheck.contentMD5Matches(Data(Insecure.MD5.hash(data: body)).base64EncodedString(), body: body))
        #expect(!MNSSignatureCheck.contentMD5Matches(pythonMD5, body: body + [0x20]))
        let delete = MNSSignatureCheck.stringToSign(method: "DELETE", headers: [("Date", date), ("Content-MD5", pythonMD5), ("Content-Type", "text/xml;charset=UTF-8"),
                                                                               ("X-MNS-Version", "2015-06-06")],
                                                    resource: "/queues/\(Self.reportQueue)/messages")
        #expect(MNSSignatureCheck.signature(stringToSign: delete, secret: "EmulatorMnsSecretVector") == "KybUh0UYMoN6JP49Kykh8uOVjZI=")
        // The test's own signer agrees.
        #expect(Self.sign(method: "GET", date: date, mnsHeaders: [("x-mns-version", "2015-06-06")], resource: "/queues/\(Self.reportQueue)/messages?numOfMessages=16&waitseconds=10",
                          secret: "EmulatorMnsSecretVector") == "Z0XJOppK46d4DBSU6jf9OPqWmgE=")
    }

    // MARK: - Tokens

    @Test(arguments: [SignatureScheme.v3, .v1])
    func aTokenIsIssuedForTheQueueOfItsType(scheme: SignatureScheme) async throws {
        let setup = try await Setup { $0.queue.tokenLifetime = .seconds(900) }
        let answer = try await Self.tokenAnswer(setup, scheme: scheme)
        #expect(answer.status == 200 && answer.code == "OK", "\(answer.body)")
        let dto = try #require(answer.json["MessageTokenDTO"] as? [String: Any])
        #expect(Set(dto.keys) == ["AccessKeyId", "AccessKeySecret", "SecurityToken", "CreateTime", "ExpireTime"])
        #expect((dto["AccessKeyId"] as? String)?.hasPrefix("STS.MNS") == true)
        // ExpireTime is "yyyy-MM-dd HH:mm:ss" in Asia/Shanghai.
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "Asia/Shanghai")
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss"
        let expires = try #require((dto["ExpireTime"] as? String).flatMap(formatter.date(from:)))
        #expect(abs(expires.timeIntervalSince(setup.clock.now) - 900) < 2)
        let up = try await Self.tokenAnswer(setup, type: "SmsUp", queueName: nil, scheme: scheme)
        #expect(up.status == 200 && up.code == "OK", "\(up.body)")
        await setup.stop()
    }

    @Test func aTokenForAnUnknownTypeOrAnotherQueueIsRefused() async throws {
        let setup = try await Setup()
        let type = try await Self.tokenAnswer(setup, type: "DypnsSmsVerifyReport", queueName: nil)
        #expect(type.status == 404 && type.code == "QueueNotExist", "\(type.body)")
        let name = try await Self.tokenAnswer(setup, type: "SmsReport", queueName: Self.replyQueue)
        #expect(name.status == 404 && name.code == "QueueNotExist", "\(name.body)")
        let missing = try await Self.tokenAnswer(setup, type: "", queueName: nil)
        #expect(missing.status == 400 && missing.code == "MissingMessageType", "\(missing.body)")
        // A token reads its own queue only.
        let token = try await Self.token(setup)
        let other = await Self.receive(setup, token, queue: Self.replyQueue)
        #expect(other.status == 403 && Self.errorCode(other) == "AccessDenied", "\(other.body)")
        let missingQueue = await Self.receive(setup, token, queue: "Alicom-Queue-1-Nothing")
        #expect(missingQueue.status == 404 && Self.errorCode(missingQueue) == "QueueNotExist", "\(missingQueue.body)")
        await setup.stop()
    }

    @Test func withoutQueueTheActionAndPathsAreUnknown() async throws {
        let setup = try await Setup { $0.queue.enabled = false }
        let answer = try await Self.tokenAnswer(setup)
        #expect(answer.status == 404 && answer.code == "InvalidApi.NotFound", "\(answer.body)")
        let path = await EmulatorSTSTests.exchange(setup.port, "GET", "/queues/\(Self.reportQueue)/messages?numOfMessages=1")
        #expect(path.status == 404 && path.code == "InvalidApi.NotFound", "\(path.body)")
        await setup.stop()
    }

    // MARK: - Receiving, checks

    @Test func aReceiveIsCheckedForSignatureTokenAndTime() async throws {
        let setup = try await Setup { $0.queue.tokenLifetime = .seconds(60) }
        setup.putReceipts(1)
        let token = try await Self.token(setup)
        let wrongSignature = await Self.receive(setup, token, secret: "not-the-secret")
        #expect(wrongSignature.status == 403 && Self.errorCode(wrongSignature) == "SignatureDoesNotMatch", "\(wrongSignature.body)")
        #expect(wrongSignature.body.contains("<RequestId>") && wrongSignature.body.contains("<HostId>"))
        let wrongToken = await Self.receive(setup, token, securityToken: "CAISnotTheToken")
        #expect(wrongToken.status == 403 && Self.errorCode(wrongToken) == "AccessDenied", "\(wrongToken.body)")
        let skewed = await Self.receive(setup, token, date: setup.clock.now.addingTimeInterval(16 * 60))
        #expect(skewed.status == 408 && Self.errorCode(skewed) == "TimeExpired", "\(skewed.body)")
        let tooMany = await Self.receive(setup, token, max: 17)
        #expect(tooMany.status == 400 && Self.errorCode(tooMany) == "InvalidArgument")
        // The Go SDK's spelling of the query names is accepted.
        let goSpelling = await Self.mns(setup, "GET", "/queues/\(Self.reportQueue)/messages?NumOfMessages=20&WaitSeconds=0", token: token)
        #expect(goSpelling.status == 400 && Self.errorCode(goSpelling) == "InvalidArgument", "\(goSpelling.body)")
        // A Content-MD5 that is not the body's (signed as sent) is refused.
        let body = Array("<ReceiptHandles xmlns=\"http://mns.aliyuncs.com/doc/v1/\"><ReceiptHandle>1-1-1-A</ReceiptHandle></ReceiptHandles>".utf8)
        let digest = await Self.mns(setup, "DELETE", "/queues/\(Self.reportQueue)/messages", token: token, body: body,
                                    contentMD5: Data(Insecure.MD5.hash(data: Array("other".utf8))).base64EncodedString())
        #expect(digest.status == 400 && Self.errorCode(digest) == "InvalidDegist", "\(digest.body)")
        let tooLong = await Self.receive(setup, token, wait: 31)
        #expect(tooLong.status == 400 && Self.errorCode(tooLong) == "InvalidArgument")
        let right = await Self.receive(setup, token)
        #expect(right.status == 200, "\(right.body)")
        #expect(right.headers["x-mns-request-id"] != nil)
        let message = try #require(Self.messages(right).first)
        #expect(message.dequeueCount == 1 && message.id.count == 32)
        #expect(message.fields["MessageBodyMD5"] == Insecure.MD5.hash(data: Data(message.body.utf8)).map { String(format: "%02X", $0) }.joined())
        // Past its ExpireTime the token is refused.
        setup.clock.advance(seconds: 61)
        let expired = await Self.receive(setup, token)
        #expect(expired.status == 403 && Self.errorCode(expired) == "AccessDenied" && expired.body.contains("The token has expired."), "\(expired.body)")
        await setup.stop()
    }

    // MARK: - Long polls

    @Test func anEmptyLongPollEndsWithMessageNotExist() async throws {
        let setup = try await Setup()
        let token = try await Self.token(setup)
        let answer = await Self.receive(setup, token, wait: 1)
        #expect(answer.status == 404 && Self.errorCode(answer) == "MessageNotExist", "\(answer.body)")
        await setup.stop()
    }

    @Test func aMessageArrivingDuringTheWaitEndsIt() async throws {
        let setup = try await Setup()
        let token = try await Self.token(setup)
        let started = ContinuousClock.now
        async let polled = Self.receive(setup, token, wait: 30)
        try await setup.untilAPollWaits()
        setup.putReceipts(2)
        let answer = await polled
        #expect(answer.status == 200, "\(answer.body)")
        #expect(Self.messages(answer).count >= 1)
        // Woken by the message, not by the end of its 30 s.
        #expect(ContinuousClock.now - started < .seconds(25))
        await setup.stop()
    }

    @Test func stoppingEndsTheLongPollsWaiting() async throws {
        let setup = try await Setup()
        let token = try await Self.token(setup)
        let started = ContinuousClock.now
        async let polled = Self.receive(setup, token, wait: 30)
        try await setup.untilAPollWaits()
        _ = await setup.instance.stop(grace: .seconds(10))
        let answer = await polled
        #expect(answer.status == 404 && Self.errorCode(answer) == "MessageNotExist", "\(answer.body)")
        #expect(ContinuousClock.now - started < .seconds(25))
    }

    // MARK: - Visibility, redelivery, deletes

    @Test func anUndeletedMessageComesBackWithANewHandle() async throws {
        let setup = try await Setup { $0.queue.visibility = .seconds(30) }
        setup.putReceipts(1)
        let token = try await Self.token(setup)
        let first = try #require(Self.messages(await Self.receive(setup, token)).first)
        #expect(first.dequeueCount == 1)
        // Invisible for its visibility timeout.
        #expect(await Self.receive(setup, token).status == 404)
        setup.clock.advance(seconds: 31)
        let second = try #require(Self.messages(await Self.receive(setup, token)).first)
        #expect(second.id == first.id && second.dequeueCount == 2 && second.handle != first.handle)
        #expect(second.fields["FirstDequeueTime"] == first.fields["FirstDequeueTime"])
        let stale = await Self.delete(setup, token, [first.handle])
        #expect(stale.status == 404 && stale.body.contains("<Errors") && stale.body.contains("<ErrorCode>MessageNotExist</ErrorCode>"), "\(stale.body)")
        let current = await Self.delete(setup, token, [second.handle])
        #expect(current.status == 204 && current.body.isEmpty, "\(current.body)")
        #expect(setup.statistics.queued == 1 && setup.statistics.queueRedelivered == 1 && setup.statistics.queueDeleted == 1)
        await setup.stop()
    }

    @Test func aBatchDeleteListsOnlyTheHandlesThatFailed() async throws {
        let setup = try await Setup()
        setup.putReceipts(3)
        let token = try await Self.token(setup)
        let received = Self.messages(await Self.receive(setup, token))
        #expect(received.count == 3)
        let all = await Self.delete(setup, token, received.prefix(2).map(\.handle))
        #expect(all.status == 204, "\(all.body)")
        let partial = await Self.delete(setup, token, [received[2].handle, received[0].handle, "garbage"])
        #expect(partial.status == 404, "\(partial.body)")
        #expect(!partial.body.contains(received[2].handle) && partial.body.contains(received[0].handle))
        #expect(partial.body.contains("<ErrorCode>ReceiptHandleError</ErrorCode>"))
        // One handle in the query (DeleteMessage).
        setup.putReceipts(1)
        let single = try #require(Self.messages(await Self.receive(setup, token)).first)
        let one = await Self.mns(setup, "DELETE", "/queues/\(Self.reportQueue)/messages?ReceiptHandle=\(single.handle)", token: token)
        #expect(one.status == 204, "\(one.body)")
        let again = await Self.mns(setup, "DELETE", "/queues/\(Self.reportQueue)/messages?ReceiptHandle=\(single.handle)", token: token)
        #expect(again.status == 404 && Self.errorCode(again) == "MessageNotExist", "\(again.body)")
        let tooMany = await Self.delete(setup, token, Array(repeating: "1-1-1-A", count: 17))
        #expect(tooMany.status == 400 && Self.errorCode(tooMany) == "InvalidArgument")
        #expect(setup.statistics.queueDeleted == 4)
        #expect(await Self.receive(setup, token).status == 404)
        await setup.stop()
    }

    // MARK: - Faults

    @Test func failingDeletesDeleteNothing() async throws {
        let setup = try await Setup { $0.queue.failDeletes = 1 }
        setup.putReceipts(1)
        let token = try await Self.token(setup)
        let message = try #require(Self.messages(await Self.receive(setup, token)).first)
        let failed = await Self.delete(setup, token, [message.handle])
        #expect(failed.status == 500 && Self.errorCode(failed) == "InternalError", "\(failed.body)")
        #expect(setup.statistics.queueDeleted == 0)
        let again = await Self.delete(setup, token, [message.handle])
        #expect(again.status == 204, "\(again.body)")
        #expect(setup.statistics.queueDeleted == 1)
        await setup.stop()
    }

    @Test func malformedMessagesAreQueuedFirst() async throws {
        let setup = try await Setup { $0.queue.malformed = 2 }
        let token = try await Self.token(setup)
        let bodies = Self.messages(await Self.receive(setup, token)).map(\.body)
        #expect(bodies == ["not-base64!", Data("{oops".utf8).base64EncodedString()])
        #expect(setup.statistics.queued == 2)
        await setup.stop()
    }

    // MARK: - A campaign's receipts

    @Test func aSentBatchsReceiptsAndRepliesAreQueued() async throws {
        let setup = try await Setup(plan: { $0.replyRate = 1 })
        let credentials = Credentials(accessKeyId: "id", accessKeySecret: "secret")
        let signer = RequestSigner(credentials: credentials, endpoint: try Endpoint(url: setup.instance.url), scheme: .v3)
        let signed = signer.sign(EmulatorCoreTests.batch, with: credentials, nonce: UUID().uuidString, timestamp: AliyunTime.timestamp(setup.clock.now))
        let target = "/" + (signed.url.split(separator: "/", maxSplits: 3).dropFirst(2).first.map { String($0.drop { $0 != "?" }) } ?? "")
        let sent = await EmulatorSTSTests.exchange(setup.port, signed.method, target, headers: signed.headers, body: signed.body)
        #expect(sent.code == "OK", "\(sent.body)")
        let bizId = try #require(sent.json["BizId"] as? String)
        let token = try await Self.token(setup)
        let received = Self.messages(await Self.receive(setup, token))
        #expect(received.count == 2)
        var phones: Set<String> = []
        for message in received {
            let data = try #require(Data(base64Encoded: message.body))
            let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
            #expect(object["biz_id"] as? String == bizId && object["success"] as? Bool == true && object["out_id"] as? String == "camp:plan:1")
            phones.insert(object["phone_number"] as? String ?? "")
        }
        #expect(phones == ["13800138000", "13900000001"])
        #expect(await Self.delete(setup, token, received.map(\.handle)).status == 204)
        let statistics = setup.statistics
        #expect(statistics.queued == 4 && statistics.queueDeleted == 2 && statistics.reportsDelivered == 2 && statistics.reportsAcknowledged == 2)
        // Every recipient replied: the replies are in the SmsUp queue, read with an SmsUp token.
        let upToken = try await Self.token(setup, type: "SmsUp", queueName: Self.replyQueue)
        let replies = Self.messages(await Self.receive(setup, upToken, queue: Self.replyQueue))
        #expect(replies.count == 2)
        let reply = try #require(replies.first.flatMap { Data(base64Encoded: $0.body) }.flatMap { try? JSONSerialization.jsonObject(with: $0) as? [String: Any] })
        #expect(reply["content"] is String && reply["sign_name"] as? String == "云杉商城")
        await setup.stop()
    }
}
