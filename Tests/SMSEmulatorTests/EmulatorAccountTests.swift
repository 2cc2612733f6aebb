@testable import AliyunSMS
import Foundation
import Testing
@testable import SMSEmulator

/// GetSmsSign and GetSmsTemplate answered from the configuration through the real client, the
/// refusal of sends whose sign or template is not approved, and the accept-any default.
@Suite struct EmulatorAccountTests {
    static let configurationText = #"""
        {"signNames": ["云杉商城"],
         "signs": [{"name": "云杉特卖", "status": "rejected", "rejectInfo": "签名与企业名称不符"},
                   {"name": "云杉会员", "status": 0},
                   {"name": "云杉快递", "carriers": [{"operator": "mobile", "status": 3}, {"operator": "unicom", "status": -1},
                                                      {"operator": "telecom", "status": 2, "reasons": ["NO_SEND_RECORD"]}]},
                   {"name": "云杉旧号", "status": "10"}],
         "templates": [{"code": "SMS_1", "content": "${name}您好"},
                       {"code": "SMS_2", "content": "您的验证码为${code}", "status": "approved", "type": "verification",
                        "variableAttributes": {"code": "numberCaptcha"}},
                       {"code": "SMS_3", "content": "双十一${discount}折，拒收请回复R", "status": 2, "type": 2, "rejectInfo": "缺少退订方式"},
                       {"code": "SMS_4", "content": "您的订单已发货", "status": "reviewing", "type": "notification"},
                       {"code": "SMS_5", "content": "x", "status": "canceled", "type": "3"}]}
        """#

    static func configured(_ adjust: (inout EmulatorConfiguration) -> Void = { _ in }) throws -> EmulatorCore {
        let path = try EmulatorConfigurationTests.file(configurationText)
        defer { try? FileManager.default.removeItem(atPath: path) }
        var configuration = EmulatorConfiguration(accessKeyId: "id", accessKeySecret: "secret")
        try configuration.learn(configuration: path)
        adjust(&configuration)
        return EmulatorCore(configuration: configuration, record: try EmulatorRecord(path: ":memory:"))
    }

    static func answer(_ core: EmulatorCore, _ operation: SMSOperation) throws -> [String: Any] {
        let reply = core.handle(try EmulatorCoreTests.request(operation))
        return try #require(try JSONSerialization.jsonObject(with: Data(reply.body)) as? [String: Any])
    }

    @Test func eachSignStatusAndItsRegistrations() async throws {
        let client = try EmulatorTransportTests.client(try Self.configured())
        let plain = try await client.signDetails("云杉商城").get()
        #expect(plain == SignDetails(signName: "云杉商城", status: .approved, carriers: KnownSign.allRegistered))
        let rejected = try await client.signDetails("云杉特卖").get()
        #expect(rejected.status == .rejected && rejected.rejectInfo == "签名与企业名称不符")
        #expect(try await client.signDetails("云杉会员").get().status == .reviewing)
        #expect(try await client.signDetails("云杉旧号").get().status == .canceled)
        let partly = try await client.signDetails("云杉快递").get()
        #expect(partly.status == .approved && partly.carriers == [CarrierRegistration(operatorCode: "mobile", status: 3), CarrierRegistration(operatorCode: "unicom", status: -1),
                                                                  CarrierRegistration(operatorCode: "telecom", status: 2, reasons: ["NO_SEND_RECORD"])])
    }

    @Test func eachTemplateStatusTypeAndAttributes() async throws {
        let client = try EmulatorTransportTests.client(try Self.configured(), scheme: .v1)
        let plain = try await client.templateDetails("SMS_1").get()
        #expect(plain == TemplateDetails(templateCode: "SMS_1", status: .approved, typeCode: nil, content: "${name}您好", variableAttributes: [:]))
        let code = try await client.templateDetails("SMS_2").get()
        #expect(code == TemplateDetails(templateCode: "SMS_2", status: .approved, typeCode: "0", content: "您的验证码为${code}", variableAttributes: ["code": "numberCaptcha"]))
        let rejected = try await client.templateDetails("SMS_3").get()
        #expect(rejected.status == .rejected && rejected.rejectInfo == "缺少退订方式" && rejected.typeCode == "2")
        #expect(try await client.templateDetails("SMS_4").get().status == .reviewing)
        let canceled = try await client.templateDetails("SMS_5").get()
        #expect(canceled.status == .canceled && canceled.typeCode == "3")
    }

    @Test func answersHaveTheSDKModelsTypes() throws {
        let core = try Self.configured()
        let sign = try Self.answer(core, try .getSmsSign(signName: "云杉快递"))
        #expect(sign["SignStatus"] is NSNumber && !(sign["SignStatus"] is String) && sign["Code"] as? String == "OK")
        let carriers = try #require(sign["SignIspRegisterDetailList"] as? [[String: Any]])
        #expect(carriers.map { $0["OperatorCode"] as? String } == ["mobile", "unicom", "telecom"])
        let reasons = try #require(carriers.last?["RegisterStatusReasons"] as? [[String: Any]])
        #expect(reasons.count == 1 && reasons.first?["ReasonCode"] as? String == "NO_SEND_RECORD" && (reasons.first?["ReasonDescList"] as? [Any])?.isEmpty == true)
        let template = try Self.answer(core, try .getSmsTemplate(templateCode: "SMS_2"))
        #expect(template["TemplateStatus"] as? String == "1" && template["TemplateType"] as? String == "0")
        #expect(template["VariableAttribute"] as? String == #"{"code":"numberCaptcha"}"#)
        #expect((template["AuditInfo"] as? [String: Any])?["AuditDate"] is String)
    }

    @Test func unknownNamesAreRefusedAsTheProviderRefusesThem() async throws {
        let client = try EmulatorTransportTests.client(try Self.configured())
        let sign = try #require(await client.signDetails("别的签名").failure)
        #expect(sign.code == "isv.SMS_SIGNATURE_ILLEGAL" && sign.errorClass == .fatal)
        let template = try #require(await client.templateDetails("SMS_9").failure)
        #expect(template.code == "isv.SMS_TEMPLATE_ILLEGAL" && template.errorClass == .fatal)
        let missing = try EmulatorCoreTests.core().handle(try EmulatorCoreTests.request(SMSOperation(action: .getSmsSign, query: [], body: [])))
        #expect(missing.status == 400 && EmulatorCoreTests.code(missing) == "MissingSignName")
        let extra = try EmulatorCoreTests.core().handle(try EmulatorCoreTests.request(SMSOperation(action: .getSmsTemplate, query: [("TemplateCode", "SMS_1"), ("SignName", "a")], body: [])))
        #expect(extra.status == 400 && EmulatorCoreTests.code(extra) == "InvalidParameter")
    }

    @Test func withNothingConfiguredEverySignAndTemplateIsApprovedTheTemplateWithoutContent() async throws {
        let core = EmulatorCore(configuration: EmulatorConfiguration(accessKeyId: "id", accessKeySecret: "secret"), record: try EmulatorRecord(path: ":memory:"))
        let client = try EmulatorTransportTests.client(core)
        #expect(try await client.signDetails("任何签名").get() == SignDetails(signName: "任何签名", status: .approved, carriers: KnownSign.allRegistered))
        // Approved, with no content, type or variable attributes: the emulator cannot know them.
        #expect(try await client.templateDetails("SMS_1").get() == TemplateDetails(templateCode: "SMS_1", status: .approved, typeCode: nil, content: ""))
        let answer = try Self.answer(core, try .getSmsTemplate(templateCode: "SMS_1"))
        #expect(answer["TemplateContent"] == nil && answer["TemplateType"] == nil && answer["VariableAttribute"] == nil)
        // Sends still accept any sign and template.
        let response = try await client.send(try .sendSms(phoneNumbers: ["13800138000"], signName: "任何签名", templateCode: "SMS_77", templateParameters: ["x": "1"]))
        #expect(response.isOK)
    }

    @Test func sendsWithASignOrTemplateNotApprovedAreRefused() async throws {
        let core = try Self.configured()
        let client = try EmulatorTransportTests.client(core)
        func refusal(sign: String, template: String, parameters: [String: String]) async throws -> String? {
            let operation = try SMSOperation.sendSms(phoneNumbers: ["13800138000"], signName: sign, templateCode: template, templateParameters: parameters)
            do {
                _ = try await client.send(operation)
                return nil
            } catch {
                return error.code
            }
        }
        for sign in ["云杉特卖", "云杉会员", "云杉旧号"] {
            #expect(try await refusal(sign: sign, template: "SMS_1", parameters: ["name": "张"]) == "isv.SMS_SIGNATURE_ILLEGAL", "\(sign)")
        }
        for template in ["SMS_3", "SMS_4", "SMS_5"] {
            #expect(try await refusal(sign: "云杉商城", template: template, parameters: ["discount": "8"]) == "isv.SMS_TEMPLATE_ILLEGAL", "\(template)")
        }
        #expect(try await refusal(sign: "云杉商城", template: "SMS_1", parameters: ["name": "张"]) == nil)
        #expect(try await refusal(sign: "云杉快递", template: "SMS_2", parameters: ["code": "1234"]) == nil, "an approved sign not registered everywhere still sends")
        let batch = try SMSOperation.sendBatchSms(phoneNumbers: ["13800138000", "13900000001"], signNames: ["云杉商城", "云杉特卖"], templateCode: "SMS_1",
                                                  templateParameters: [["name": "a"], ["name": "b"]])
        #expect(EmulatorCoreTests.code(core.handle(try EmulatorCoreTests.request(batch))) == "isv.SMS_SIGNATURE_ILLEGAL")
        #expect(core.record.messages().count == 2, "only the two accepted sends were recorded")
    }

    @Test func theQuestionsAreSignedAndDrawOnTheReadOnlyBudget() throws {
        let core = try Self.configured { $0.flowControl = UserFlowControl(requestsPerSecond: 1) }
        let wrong = core.handle(try EmulatorCoreTests.request(try .getSmsSign(signName: "云杉商城"), secret: "wrong"))
        #expect(wrong.status == 400 && EmulatorCoreTests.code(wrong) == "SignatureDoesNotMatch")
        #expect(EmulatorCoreTests.code(core.handle(try EmulatorCoreTests.request(try .getSmsSign(signName: "云杉商城")))) == "OK")
        let throttled = core.handle(try EmulatorCoreTests.request(try .getSmsTemplate(templateCode: "SMS_1")))
        #expect(throttled.status == 400 && EmulatorCoreTests.code(throttled) == "Throttling.User")
        #expect(EmulatorCoreTests.code(core.handle(try EmulatorCoreTests.request(EmulatorCoreTests.batch))) == "OK", "sends have their own budget")
    }

    @Test func aCampaignTeachesAnApprovedRegisteredSignAndItsTemplate() async throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("campaigns/spring-sale.yaml").path
        var configuration = EmulatorConfiguration(accessKeyId: "id", accessKeySecret: "secret")
        try await configuration.learn(campaign: path)
        let client = try EmulatorTransportTests.client(EmulatorCore(configuration: configuration, record: try EmulatorRecord(path: ":memory:")))
        #expect(try await client.signDetails("云杉商城").get() == SignDetails(signName: "云杉商城", status: .approved, carriers: KnownSign.allRegistered))
        let template = try await client.templateDetails("SMS_465012347").get()
        #expect(template.status == .approved && template.typeCode == "2")
        #expect(template.variableAttributes["name"] == "name" && template.variableAttributes["discount"] == "other_number2")
        #expect(template.content == configuration.templates["SMS_465012347"]?.content && !template.content.isEmpty)
    }

    @Test(arguments: [#"{"signs": [{"name": "a", "status": "approvedish"}]}"#, #"{"templates": [{"code": "SMS_1", "type": "marketing"}]}"#,
                      #"{"templates": [{"code": "SMS_1", "status": 5}]}"#])
    func anUnknownStatusOrTypeIsRefused(_ text: String) throws {
        let path = try EmulatorConfigurationTests.file(text)
        defer { try? FileManager.default.removeItem(atPath: path) }
        var configuration = EmulatorConfiguration(accessKeyId: "id", accessKeySecret: "secret")
        #expect {
            try configuration.learn(configuration: path)
        } throws: { error in
            (error as? EmulatorError)?.code == .configurationUnreadable && "\(error)".contains("unknown")
        }
    }
}

extension Result {
    /// The failure, or nil on success.
    var failure: Failure? {
        if case .failure(let error) = self { return error }
        return nil
    }
}
