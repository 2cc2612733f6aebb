@testable import AliyunSMS
import Foundation
import Testing
@testable import SMSEmulator

/// The emulator's behaviour, request by request, without the network.
@Suite struct EmulatorCoreTests {
    static let template = KnownTemplate(code: "SMS_1", placeholders: ["name"], content: "${name}您好")

    static func core(_ adjust: (inout EmulatorConfiguration) -> Void = { _ in }) throws -> EmulatorCore {
        var configuration = EmulatorConfiguration(accessKeyId: "id", accessKeySecret: "secret")
        configuration.signNames = ["云杉商城"]
        configuration.templates = ["SMS_1": template]
        adjust(&configuration)
        return EmulatorCore(configuration: configuration, record: try EmulatorRecord(path: ":memory:"))
    }

    static func request(_ operation: SMSOperation, scheme: SignatureScheme = .v3, secret: String = "secret", now: Date = Date(), nonce: String? = nil) throws -> EmulatorRequest {
        let signer = RequestSigner(credentials: Credentials(accessKeyId: "id", accessKeySecret: secret), endpoint: try Endpoint(url: "http://127.0.0.1:9"), scheme: scheme)
        let signed = nonce.map { signer.sign(operation, nonce: $0, timestamp: AliyunTime.timestamp(now)) } ?? signer.sign(operation, now: now)
        let uri = "/" + (signed.url.split(separator: "/", maxSplits: 3).dropFirst(2).first.map { String($0.drop { $0 != "?" }) } ?? "")
        return EmulatorRequest(method: signed.method, uri: uri, headers: signed.headers, body: signed.body)
    }

    static func code(_ reply: EmulatorReply) -> String? {
        SMSResponse(json: reply.body)?.code
    }

    static let batch: SMSOperation = {
        (try? SMSOperation.sendBatchSms(phoneNumbers: ["13800138000", "+8613900000001"], signNames: ["云杉商城", "云杉商城"], templateCode: "SMS_1",
                                        templateParameters: [["name": "张伟 ~*+/%&="], ["name": "李娜😀"]], outId: "camp:plan:1"))
            ?? SMSOperation(action: "", query: [], body: [])
    }()

    @Test(arguments: SignatureScheme.allCases)
    func acceptsSignedRequestsAndRecordsEveryRecipient(_ scheme: SignatureScheme) throws {
        let core = try Self.core()
        let reply = core.handle(try Self.request(Self.batch, scheme: scheme))
        #expect(reply.status == 200)
        let response = try #require(SMSResponse(json: reply.body))
        #expect(response.code == "OK" && response.bizId != nil)
        let rows = core.record.messages()
        #expect(rows.map(\.phone) == ["13800138000", "13900000001"])
        #expect(rows.allSatisfy { $0.outId == "camp:plan:1" && $0.bizId == response.bizId })
        #expect(rows.first?.parameters == #"{"name":"张伟 ~*+/%&="}"#)
    }

    @Test(arguments: SignatureScheme.allCases)
    func aWrongSecretDoesNotMatch(_ scheme: SignatureScheme) throws {
        let reply = try Self.core().handle(try Self.request(Self.batch, scheme: scheme, secret: "wrong"))
        #expect(reply.status == 400)
        #expect(Self.code(reply) == "SignatureDoesNotMatch")
    }

    @Test func staleTimestampsAndReusedNoncesAreRefused() throws {
        let core = try Self.core()
        let old = core.handle(try Self.request(Self.batch, now: Date().addingTimeInterval(-16 * 60)))
        #expect(old.status == 400 && Self.code(old) == "InvalidTimeStamp.Expired")
        #expect(Self.code(core.handle(try Self.request(Self.batch, nonce: "n-1"))) == "OK")
        let again = core.handle(try Self.request(Self.batch, nonce: "n-1"))
        #expect(again.status == 400 && Self.code(again) == "SignatureNonceUsed")
        #expect(core.record.messages().count == 2, "the refused copy was not recorded")
    }

    @Test func businessRulesAnswerWithThePlatformsCodes() throws {
        let core = try Self.core()
        func send(_ operation: SMSOperation) throws -> String? { Self.code(core.handle(try Self.request(operation))) }
        #expect(try send(try .sendSms(phoneNumbers: ["12345"], signName: "云杉商城", templateCode: "SMS_1", templateParameters: ["name": "a"])) == "isv.MOBILE_NUMBER_ILLEGAL")
        #expect(try send(try .sendSms(phoneNumbers: ["13800138000"], signName: "别的签名", templateCode: "SMS_1", templateParameters: ["name": "a"])) == "isv.SMS_SIGNATURE_ILLEGAL")
        #expect(try send(try .sendSms(phoneNumbers: ["13800138000"], signName: "云杉商城", templateCode: "SMS_9", templateParameters: ["name": "a"])) == "isv.SMS_TEMPLATE_ILLEGAL")
        #expect(try send(try .sendSms(phoneNumbers: ["13800138000"], signName: "云杉商城", templateCode: "SMS_1", templateParameters: ["nom": "a"])) == "isv.TEMPLATE_MISSING_PARAMETERS")
        let numbers = Array(repeating: "13800138000", count: 1001).joined(separator: ",")
        #expect(try send(SMSOperation(action: "SendSms", query: [("PhoneNumbers", numbers), ("SignName", "云杉商城"), ("TemplateCode", "SMS_1"), ("TemplateParam", #"{"name":"a"}"#)], body: [])) == "isv.MOBILE_COUNT_OVER_LIMIT")
        #expect(try send(SMSOperation(action: "SendSms", query: [("PhoneNumbers", "13800138000"), ("SignName", "云杉商城"), ("TemplateCode", "SMS_1"), ("TemplateParam", #"{"name":8}"#)], body: [])) == "isv.INVALID_JSON_PARAM")
        #expect(try send(SMSOperation(action: "SendBatchSms", query: [("TemplateCode", "SMS_1")], body: [("PhoneNumberJson", #"["13800138000","13800138001"]"#), ("SignNameJson", #"["云杉商城"]"#), ("TemplateParamJson", #"[{"name":"a"},{"name":"b"}]"#)])) == "isv.INVALID_PARAMETERS")
        let unknown = core.handle(try Self.request(SMSOperation(action: "SendSms", query: [("PhoneNumbers", "13800138000"), ("SignName", "云杉商城"), ("TemplateCode", "SMS_1"), ("Colour", "red")], body: [])))
        #expect(unknown.status == 400 && Self.code(unknown) == "InvalidParameter")
        let missing = core.handle(try Self.request(SMSOperation(action: "SendSms", query: [("SignName", "云杉商城"), ("TemplateCode", "SMS_1")], body: [])))
        #expect(missing.status == 400 && Self.code(missing) == "MissingPhoneNumbers")
        #expect(core.record.messages().isEmpty, "nothing refused is recorded")
    }

    @Test func theDailyCapRefusesTheWholeRequest() throws {
        let core = try Self.core { $0.faults.dailyCap = 1 }
        #expect(Self.code(core.handle(try Self.request(Self.batch))) == "OK")
        let second = core.handle(try Self.request(Self.batch))
        #expect(second.status == 200 && Self.code(second) == "isv.BUSINESS_LIMIT_CONTROL")
        #expect(core.record.messages().count == 2)
    }

    @Test func faultsFollowTheSeedAndAmbiguousOnesAreRecorded() throws {
        func outcomes(seed: UInt64) throws -> [String] {
            let core = try Self.core { $0.faults = { var plan = FaultPlan(); plan.throttleRate = 0.3; plan.unavailableRate = 0.2; plan.ambiguousRate = 0.2; plan.seed = seed; return plan }() }
            return try (0..<60).map { _ in
                let reply = core.handle(try Self.request(Self.batch))
                return reply.dropConnection ? "dropped" : "\(reply.status) \(Self.code(reply) ?? "")"
            }
        }
        let first = try outcomes(seed: 7)
        #expect(first == (try outcomes(seed: 7)), "the same seed gives the same faults")
        #expect(first.contains("400 Throttling.User") && first.contains("503 ServiceUnavailable") && first.contains("200 OK"))
        #expect(first.contains("dropped") || first.contains("500 InternalError"))
        let core = try Self.core { $0.faults.ambiguousRate = 1 }
        let reply = core.handle(try Self.request(Self.batch))
        #expect(reply.dropConnection || reply.status == 500)
        #expect(core.record.messages().count == 2, "an ambiguous answer follows a real recording")
    }

    @Test func querySendDetailsAnswersFromTheRecord() throws {
        let core = try Self.core()
        let bizId = try #require(SMSResponse(json: core.handle(try Self.request(Self.batch)).body)?.bizId)
        let today = EmulatorCore.chinaDate(Date())
        let reply = core.handle(try Self.request(try .querySendDetails(phoneNumber: "13900000001", sendDate: today, bizId: bizId)))
        let decoded = try #require(QuerySendDetailsResponse(json: reply.body))
        #expect(decoded.code == "OK" && decoded.totalCount == 1)
        #expect(decoded.details.first?.outId == "camp:plan:1")
        #expect(decoded.details.first?.sendStatus == 3)
        let other = try #require(QuerySendDetailsResponse(json: core.handle(try Self.request(try .querySendDetails(phoneNumber: "13700000000", sendDate: today))).body))
        #expect(other.totalCount == 0)
    }

    @Test func statisticsCountRepeats() throws {
        let core = try Self.core()
        _ = core.handle(try Self.request(Self.batch))
        _ = core.handle(try Self.request(Self.batch))
        let statistics = core.record.statistics()
        #expect(statistics.messages == 4 && statistics.requests == 2 && statistics.distinctNumbers == 2)
        #expect(statistics.numbersRecordedMoreThanOnce == 2 && statistics.extraCopies == 2)
    }
}
