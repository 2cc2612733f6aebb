@testable import AliyunSMS
import Foundation
import Testing
@testable import SMSEmulator

/// Templates with a destination: an international template (type 3) takes country code and
/// number, digits only, and refuses mainland numbers; a mainland template refuses international
/// ones; the mainland's per-number caps leave international numbers alone.
@Suite struct EmulatorInternationalTests {
    /// An international notification template, as a configuration file states it.
    static let international: KnownTemplate = {
        var template = KnownTemplate(code: "SMS_INTL", placeholders: ["name"], content: "Hi ${name}, your order has shipped.", status: .approved,
                                     typeCode: "3", variableAttributes: [:])
        template.intlType = 0
        return template
    }()

    /// A core knowing the mainland template `SMS_1` and the international `SMS_INTL`.
    static func core(_ adjust: (inout EmulatorConfiguration) -> Void = { _ in }) throws -> EmulatorCore {
        try EmulatorCoreTests.core { configuration in
            configuration.signNames = ["云杉商城", "Yunshan"]
            configuration.templates["SMS_INTL"] = international
            adjust(&configuration)
        }
    }

    static func batch(_ phones: [String], template: String = "SMS_INTL", outId: String = "camp:plan:1") throws -> SMSOperation {
        try .sendBatchSms(phoneNumbers: phones, signNames: phones.map { _ in "Yunshan" }, templateCode: template,
                          templateParameters: phones.map { _ in ["name": "Ann"] }, outId: outId)
    }

    static func single(_ phones: [String], template: String = "SMS_INTL") throws -> SMSOperation {
        try .sendSms(phoneNumbers: phones, signName: "Yunshan", templateCode: template, templateParameters: ["name": "Ann"], outId: "camp:plan:2")
    }

    static func send(_ core: EmulatorCore, _ operation: SMSOperation) throws -> String? {
        EmulatorCoreTests.code(core.handle(try EmulatorCoreTests.request(operation)))
    }

    // MARK: - Over the core

    @Test func anInternationalTemplateSendsToSeveralCountriesAsWritten() throws {
        let core = try Self.core()
        #expect(try Self.send(core, try Self.batch(["85291234567", "6591234567", "447911123456"])) == "OK")
        #expect(try Self.send(core, try Self.single(["85261234567", "447700900123"])) == "OK")
        #expect(core.record.messages().map(\.phone) == ["85291234567", "6591234567", "447911123456", "85261234567", "447700900123"])
    }

    @Test func elevenDigitsStartingOneAreANorthAmericanNumberForAnInternationalTemplate() throws {
        // 1 + 305 555 0100 has the form of a mainland mobile too; the provider's format for an
        // international template is country code + number, so it is +1.
        let core = try Self.core()
        #expect(try Self.send(core, try Self.batch(["85291234567", "13055550100"])) == "OK")
        #expect(core.record.messages().count == 2)
    }

    @Test(arguments: ["+8613800138000", "008613800138000", "8613800138000"])
    func aMainlandNumberWithAnInternationalTemplateIsNotSupported(_ mainland: String) throws {
        let core = try Self.core()
        #expect(try Self.send(core, try Self.batch(["85291234567", mainland])) == "isv.DOMESTIC_NUMBER_NOT_SUPPORTED")
        #expect(try Self.send(core, try Self.single([mainland])) == "isv.DOMESTIC_NUMBER_NOT_SUPPORTED")
        #expect(core.record.messages().isEmpty, "the whole request is refused")
    }

    @Test func anInternationalNumberWithAMainlandTemplateIsIllegal() throws {
        let core = try Self.core()
        #expect(try Self.send(core, try Self.batch(["13800138000", "85291234567"], template: "SMS_1")) == "isv.MOBILE_NUMBER_ILLEGAL")
        #expect(try Self.send(core, try Self.single(["85291234567"], template: "SMS_1")) == "isv.MOBILE_NUMBER_ILLEGAL")
        #expect(core.record.messages().isEmpty)
        #expect(try Self.send(core, try Self.single(["13800138000"], template: "SMS_1")) == "OK", "the mainland template still takes mainland numbers")
    }

    @Test(arguments: ["+85291234567", "0085291234567", "852 9123 4567", "852912", "8529123456789012", "99912345678"])
    func aNumberNotWrittenAsCountryCodeAndDigitsIsIllegal(_ number: String) throws {
        let core = try Self.core()
        #expect(try Self.send(core, try Self.batch([number])) == "isv.MOBILE_NUMBER_ILLEGAL")
        #expect(core.record.messages().isEmpty)
    }

    @Test func theMainlandDailyCapDoesNotCountInternationalNumbers() throws {
        let core = try Self.core { $0.faults.dailyCap = 1 }
        for _ in 0..<3 {
            #expect(try Self.send(core, try Self.batch(["85291234567", "6591234567"])) == "OK")
        }
        #expect(try Self.send(core, try Self.single(["13800138000"], template: "SMS_1")) == "OK")
        #expect(try Self.send(core, try Self.single(["13800138000"], template: "SMS_1")) == "isv.BUSINESS_LIMIT_CONTROL", "the cap still holds on the mainland")
        #expect(core.record.messages().count == 7)
    }

    @Test func querySendDetailsAnswersForAnInternationalNumber() throws {
        let core = try Self.core()
        let bizId = try #require(SMSResponse(json: core.handle(try EmulatorCoreTests.request(try Self.batch(["85291234567", "6591234567"]))).body)?.bizId)
        let today = EmulatorCore.chinaDate(Date())
        let reply = core.handle(try EmulatorCoreTests.request(try .querySendDetails(phoneNumber: "6591234567", sendDate: today, bizId: bizId)))
        let decoded = try #require(QuerySendDetailsResponse(json: reply.body))
        #expect(decoded.code == "OK" && decoded.totalCount == 1)
        #expect(decoded.details.first?.phoneNumber == "6591234567")
        #expect(decoded.details.first?.outId == "camp:plan:1")
        let plus = core.handle(try EmulatorCoreTests.request(try .querySendDetails(phoneNumber: "+6591234567", sendDate: today)))
        #expect(EmulatorCoreTests.code(plus) == "isv.MOBILE_NUMBER_ILLEGAL")
    }

    @Test func withNoTemplatesKnownTheFirstNumberDecidesTheDestination() throws {
        let core = try EmulatorCoreTests.core { $0.templates = [:]; $0.signNames = [] }
        #expect(try Self.send(core, try Self.batch(["85291234567", "6591234567"], template: "SMS_ANY")) == "OK")
        #expect(try Self.send(core, try Self.batch(["13800138000", "13900000001"], template: "SMS_ANY")) == "OK")
        #expect(try Self.send(core, try Self.batch(["85291234567", "8613800138000"], template: "SMS_ANY")) == "isv.DOMESTIC_NUMBER_NOT_SUPPORTED")
        #expect(try Self.send(core, try Self.batch(["13800138000", "85291234567"], template: "SMS_ANY")) == "isv.MOBILE_NUMBER_ILLEGAL")
        #expect(core.record.messages().count == 4)
    }

    // MARK: - What the emulator learns

    @Test func aConfiguredInternationalTemplateAnswersItsIntlType() throws {
        let path = try EmulatorConfigurationTests.file(#"""
            {"templates": [{"code": "SMS_A", "content": "Your code is ${code}", "type": "international", "intlType": 2},
                           {"code": "SMS_B", "content": "Hi", "type": 3, "intlType": "promotional"},
                           {"code": "SMS_C", "content": "Hi", "type": 3},
                           {"code": "SMS_D", "content": "您好", "type": "notification"}]}
            """#)
        defer { try? FileManager.default.removeItem(atPath: path) }
        var configuration = EmulatorConfiguration(accessKeyId: "id", accessKeySecret: "secret")
        try configuration.learn(configuration: path)
        #expect(configuration.templates["SMS_A"]?.isInternational == true && configuration.templates["SMS_A"]?.intlType == 2)
        #expect(configuration.templates["SMS_B"]?.isInternational == true && configuration.templates["SMS_B"]?.intlType == 1)
        #expect(configuration.templates["SMS_C"]?.isInternational == true && configuration.templates["SMS_C"]?.intlType == nil)
        #expect(configuration.templates["SMS_D"]?.isInternational == false)
        let core = EmulatorCore(configuration: configuration, record: try EmulatorRecord(path: ":memory:"))
        let answer = try #require(TemplateDetails(json: core.handle(try EmulatorCoreTests.request(try .getSmsTemplate(templateCode: "SMS_A"))).body))
        #expect(answer.typeCode == "3" && answer.intlType == 2)
        let mainland = try #require(TemplateDetails(json: core.handle(try EmulatorCoreTests.request(try .getSmsTemplate(templateCode: "SMS_D"))).body))
        #expect(mainland.typeCode == "1" && mainland.intlType == nil)
    }

    @Test(arguments: [#"{"code": "SMS_A", "content": "x", "type": "notification", "intlType": 0}"#,
                      #"{"code": "SMS_A", "content": "x", "type": 3, "intlType": 5}"#])
    func anIntlTypeOfAMainlandTemplateOrOutOfRangeIsRefused(_ entry: String) throws {
        let path = try EmulatorConfigurationTests.file(#"{"templates": ["# + entry + "]}")
        defer { try? FileManager.default.removeItem(atPath: path) }
        var configuration = EmulatorConfiguration(accessKeyId: "id", accessKeySecret: "secret")
        #expect(throws: EmulatorError.self) { try configuration.learn(configuration: path) }
    }

    @Test func anInternationalCampaignTeachesAnInternationalTemplate() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("emulator-intl-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let campaign = """
            version: 1
            campaign: intl-test
            sign-name: Yunshan
            template:
              code: SMS_465012390
              type: promotional
              destination: international
              content: "Hi ${name}, 10% off this week. Reply STOP to opt out"
            parameters:
              name: { type: name, from: customer_name }
            recipients:
              from:
                - csv: orders.csv
            schedule:
              timezone: Asia/Hong_Kong
              windows: ["09:00-20:00"]
            """
        try campaign.write(toFile: folder + "/intl.yaml", atomically: true, encoding: .utf8)
        var configuration = EmulatorConfiguration(accessKeyId: "id", accessKeySecret: "secret")
        try await configuration.learn(campaign: folder + "/intl.yaml")
        let template = try #require(configuration.templates["SMS_465012390"])
        #expect(template.isInternational && template.typeCode == "3" && template.intlType == 1)
        let core = EmulatorCore(configuration: configuration, record: try EmulatorRecord(path: ":memory:"))
        #expect(try Self.send(core, try .sendSms(phoneNumbers: ["85291234567"], signName: "Yunshan", templateCode: "SMS_465012390",
                                                  templateParameters: ["name": "Ann"])) == "OK")
        #expect(try Self.send(core, try .sendSms(phoneNumbers: ["8613800138000"], signName: "Yunshan", templateCode: "SMS_465012390",
                                                  templateParameters: ["name": "Ann"])) == "isv.DOMESTIC_NUMBER_NOT_SUPPORTED")
    }

    // MARK: - Over loopback HTTP

    @Test func overHTTPTheRulesHoldBothWays() async throws {
        let server = try await EmulatorServer(core: try Self.core())
        let transport = HTTPClientTransport()
        let client = SMSClient(signer: RequestSigner(credentials: Credentials(accessKeyId: "id", accessKeySecret: "secret"), endpoint: try Endpoint(url: server.url), scheme: .v3),
                               transport: transport, timeout: .seconds(10))
        var codes: [String] = []
        for operation in [try Self.batch(["85291234567", "447911123456"]), try Self.batch(["8613800138000"]), try Self.single(["6591234567"], template: "SMS_1")] {
            do {
                codes.append(try await client.send(operation).code)
            } catch {
                codes.append(error.code)
            }
        }
        let details = try? await client.querySendDetails(try .querySendDetails(phoneNumber: "447911123456", sendDate: EmulatorCore.chinaDate(Date())))
        await transport.shutdown()
        await server.close()
        #expect(codes == ["OK", "isv.DOMESTIC_NUMBER_NOT_SUPPORTED", "isv.MOBILE_NUMBER_ILLEGAL"])
        #expect(details?.details.map(\.phoneNumber) == ["447911123456"])
        #expect(server.core.record.messages().map(\.phone) == ["85291234567", "447911123456"])
    }
}
