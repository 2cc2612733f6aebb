import Foundation
import Synchronization
import Testing
@testable import AliyunSMS

/// A transport answering every request with one status and body, keeping what it was asked.
private final class FixedAnswerTransport: SMSTransport {
    private let requests = Mutex<[SignedRequest]>([])
    let status: Int
    let body: [UInt8]

    init(status: Int = 200, body: [UInt8]) {
        self.status = status
        self.body = body
    }

    var received: [SignedRequest] { requests.withLock { $0 } }

    func execute(_ request: SignedRequest, timeout: Duration) async throws(TransportError) -> HTTPResponse {
        requests.withLock { $0.append(request) }
        return HTTPResponse(status: status, headers: [], body: body)
    }
}

/// GetSmsSign and GetSmsTemplate: requests placed as the SDK places them, answers read as the
/// official SDK models them (fixtures written by the SDK itself) and with their quirks, error
/// answers as failures with the provider's code, and an unanswered question never an ambiguous send.
@Suite struct AccountDetailsTests {
    /// An answer in Fixtures/, written by scripts/aliyun-account-fixtures.py from the official
    /// Python SDK's models (alibabacloud-dysmsapi20170525 4.6.0) and their `to_map()`.
    static func fixture(_ name: String) throws -> [UInt8] {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/\(name).json")
        return [UInt8](try Data(contentsOf: url))
    }

    static func client(_ transport: any SMSTransport, scheme: SignatureScheme = .v3) throws -> SMSClient {
        SMSClient(signer: RequestSigner(credentials: Credentials(accessKeyId: "id", accessKeySecret: "s"), endpoint: try Endpoint(url: "https://x.test"), scheme: scheme),
                  transport: transport)
    }

    @Test func theOperationsAreReadOnlyRPCPostsWithTheNameInTheQuery() throws {
        let sign = try SMSOperation.getSmsSign(signName: "云杉商城")
        #expect(sign.action == .getSmsSign && !sign.action.sendsMessages && sign.action.isKnown)
        #expect(sign.query.map(\.0) == ["SignName"] && sign.query.map(\.1) == ["云杉商城"] && sign.body.isEmpty)
        let template = try SMSOperation.getSmsTemplate(templateCode: "SMS_1")
        #expect(template.action == .getSmsTemplate && !template.action.sendsMessages)
        #expect(template.query.map(\.0) == ["TemplateCode"] && template.query.map(\.1) == ["SMS_1"] && template.body.isEmpty)
        #expect(throws: SMSOperation.Invalid.self) { try SMSOperation.getSmsSign(signName: "") }
        #expect(throws: SMSOperation.Invalid.self) { try SMSOperation.getSmsTemplate(templateCode: "") }
        for scheme in SignatureScheme.allCases {
            let request = RequestSigner(credentials: Credentials(accessKeyId: "id", accessKeySecret: "s"), endpoint: try Endpoint(url: "https://x.test"), scheme: scheme)
                .sign(sign, with: Credentials(accessKeyId: "id", accessKeySecret: "s"), nonce: "n", timestamp: "2027-03-01T00:00:00Z")
            #expect(request.method == "POST" && request.smsAction == .getSmsSign)
            #expect(request.url.contains("SignName=%E4%BA%91%E6%9D%89%E5%95%86%E5%9F%8E"))
        }
    }

    @Test func anApprovedRegisteredSignAsTheSDKModelsIt() async throws {
        let transport = FixedAnswerTransport(body: try Self.fixture("account-sign-approved"))
        let details = try await Self.client(transport).signDetails("云杉商城").get()
        #expect(details == SignDetails(signName: "云杉商城", status: .approved, rejectInfo: nil,
                                       carriers: ["mobile", "unicom", "telecom"].map { CarrierRegistration(operatorCode: $0, status: 3) }))
        #expect(transport.received.map(\.smsAction) == [.getSmsSign])
    }

    @Test func aRejectedSignKeepsItsReasonAndHasNoCarriers() throws {
        let details = try #require(SignDetails(json: try Self.fixture("account-sign-rejected")))
        #expect(details.status == .rejected && details.rejectInfo == "签名与企业名称不符" && details.carriers.isEmpty)
    }

    @Test func eachOperatorsRegistrationAndItsReasons() throws {
        let details = try #require(SignDetails(json: try Self.fixture("account-sign-registering")))
        #expect(details.status == .approved && details.rejectInfo == nil)
        #expect(details.carriers == [CarrierRegistration(operatorCode: "mobile", status: 3), CarrierRegistration(operatorCode: "unicom", status: -1),
                                     CarrierRegistration(operatorCode: "telecom", status: 2, reasons: ["NO_SEND_RECORD: 签名超过6个月无发送记录"])])
    }

    @Test func anApprovedTemplateAsTheSDKModelsIt() async throws {
        let transport = FixedAnswerTransport(body: try Self.fixture("account-template-approved"))
        let details = try await Self.client(transport, scheme: .v1).templateDetails("SMS_100001").get()
        #expect(details == TemplateDetails(templateCode: "SMS_100001", status: .approved, rejectInfo: nil, typeCode: "0",
                                           content: "您的验证码为${code}，5分钟内有效。", variableAttributes: ["code": "numberCaptcha"]))
        #expect(transport.received.map(\.smsAction) == [.getSmsTemplate])
    }

    @Test func aRejectedPromotionalTemplate() throws {
        let details = try #require(TemplateDetails(json: try Self.fixture("account-template-rejected")))
        #expect(details.status == .rejected && details.rejectInfo == "营销模板需包含退订方式" && details.typeCode == "2")
        #expect(details.variableAttributes == ["discount": "other_number", "link": "link_param"])
    }

    @Test func statusesAndTypesAreReadAsNumbersOrStringsAndTheAttributesAsAnObject() throws {
        let sign = try #require(SignDetails(json: Array(#"{"Code":"OK","SignName":"a","SignStatus":"10","SignIspRegisterDetailList":[{"OperatorCode":"mobile","RegisterStatus":"-2"}]}"#.utf8)))
        #expect(sign.status == .canceled && sign.carriers == [CarrierRegistration(operatorCode: "mobile", status: -2)])
        let template = try #require(TemplateDetails(json: Array(#"{"Code":"OK","TemplateCode":"SMS_1","TemplateStatus":0,"TemplateType":1,"TemplateContent":"x","VariableAttribute":{"n":"name"}}"#.utf8)))
        #expect(template.status == .reviewing && template.typeCode == "1" && template.variableAttributes == ["n": "name"])
        let odd = try #require(TemplateDetails(json: Array(#"{"Code":"OK","TemplateStatus":"7","VariableAttribute":"not json","AuditInfo":{"RejectInfo":"  "}}"#.utf8)))
        #expect(odd.status == .other("7") && odd.variableAttributes.isEmpty && odd.rejectInfo == nil && odd.typeCode == nil && odd.content.isEmpty)
        #expect(ReviewStatus(wireValue: "1") == .approved && ReviewStatus.canceled.wireValue == "10" && "\(ReviewStatus.other("7"))" == "status 7")
    }

    @Test func aMissingNameIsTheAskedOne() async throws {
        let transport = FixedAnswerTransport(body: Array(#"{"Code":"OK","SignStatus":1}"#.utf8))
        #expect(try await Self.client(transport).signDetails("云杉商城").get().signName == "云杉商城")
    }

    @Test func anErrorAnswerIsAFailureWithTheProvidersCode() async throws {
        let missing = FixedAnswerTransport(body: try Self.fixture("account-template-missing"))
        let failure = try #require(await Self.client(missing).templateDetails("SMS_9").failure)
        #expect(failure.code == "isv.SMS_TEMPLATE_ILLEGAL" && failure.errorClass == .fatal && failure.requestId == "7E1A2B3C-4D5E-4F60-8172-93A4B5C6D7E8")
        #expect(TemplateDetails(json: try Self.fixture("account-template-missing")) == nil)
        let throttled = FixedAnswerTransport(status: 400, body: Array(#"{"Code":"Throttling.User","Message":"Request was denied due to user flow control."}"#.utf8))
        let busy = try #require(await Self.client(throttled).signDetails("云杉商城").failure)
        #expect(busy.code == "Throttling.User" && busy.errorClass == .backoff && busy.httpStatus == 400)
        let systemError = FixedAnswerTransport(status: 500, body: Array(#"{"Code":"isp.SYSTEM_ERROR","Message":"?"}"#.utf8))
        #expect(try #require(await Self.client(systemError).signDetails("云杉商城").failure).errorClass == .backoff, "nothing was sent: ask again")
        let empty = try #require(await Self.client(FixedAnswerTransport(body: [])).signDetails("").failure)
        #expect(empty.code == "MissingSignName" && empty.notSent)
    }

    @Test func aReadOnlyCallWithoutAnAnswerIsAFailureToAskNeverAnAmbiguousSend() async throws {
        let silent = try Self.client(RecordingTransport(failure: TransportError(.ambiguous, "no answer")))
        let sign = try #require(await silent.signDetails("云杉商城").failure)
        #expect(sign.errorClass == .backoff && sign.code == SMSFailure.transportCode)
        let template = try #require(await silent.templateDetails("SMS_1").failure)
        #expect(template.errorClass == .backoff && template.code == SMSFailure.transportCode)
        let garbled = try Self.client(FixedAnswerTransport(status: 502, body: Array("<html>bad gateway</html>".utf8)))
        #expect(try #require(await garbled.templateDetails("SMS_1").failure).errorClass == .backoff)
        let notSent = try Self.client(RecordingTransport(failure: TransportError(.notSent, "could not connect")))
        #expect(try #require(await notSent.signDetails("云杉商城").failure).notSent)
    }
}

extension Result {
    /// The failure, or nil on success.
    var failure: Failure? {
        if case .failure(let error) = self { return error }
        return nil
    }
}
