import AliyunSMS
import CampaignCompiler
import Foundation
import Testing
@testable import CampaignRunner

/// An account that answers from dictionaries and counts the questions.
actor FakeAccount: AccountQueries {
    var signs: [String: Result<SignDetails, SMSFailure>]
    var templates: [String: Result<TemplateDetails, SMSFailure>]
    private(set) var asked: [String] = []

    init(signs: [String: Result<SignDetails, SMSFailure>] = [:], templates: [String: Result<TemplateDetails, SMSFailure>] = [:]) {
        self.signs = signs
        self.templates = templates
    }

    func signDetails(_ signName: String) async -> Result<SignDetails, SMSFailure> {
        asked.append("sign " + signName)
        return signs[signName] ?? .failure(PreflightFixture.missing("isv.SMS_SIGN_ILLEGAL"))
    }

    func templateDetails(_ templateCode: String) async -> Result<TemplateDetails, SMSFailure> {
        asked.append("template " + templateCode)
        return templates[templateCode] ?? .failure(PreflightFixture.missing("isv.SMS_TEMPLATE_ILLEGAL"))
    }
}

/// A campaign file in a scratch folder: sign-name on line 3, template code on 5, type on 6,
/// content on 7, the first parameter on 9.
enum PreflightFixture {
    static let notification = "${name}您好，您的包裹已到驿站。"

    static func campaign(id: String = "pf-test", sign: String = "云杉商城", code: String = "SMS_1", type: String = "notification",
                         content: String = notification, parameters: String = "  name: { type: name, from: name }") async throws -> LoadedCampaign {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("salvo-preflight-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try "phone,name,code\n13800000000,客户,123456\n".write(toFile: folder + "/m.csv", atomically: true, encoding: .utf8)
        let path = folder + "/c.yaml"
        try """
            version: 1
            campaign: \(id)
            sign-name: \(sign)
            template:
              code: \(code)
              type: \(type)
              content: "\(content)"
            parameters:
            \(parameters)
            recipients:
              from:
                - csv: m.csv
            """.write(toFile: path, atomically: true, encoding: .utf8)
        let check = await CampaignChecker.check(path: path, options: CheckOptions(checksRecipientFiles: false))
        return LoadedCampaign(try #require(check.campaign, "\(check.diagnostics.map(\.message))"), sources: check.sources)
    }

    static func sign(_ name: String = "云杉商城", status: ReviewStatus = .approved, reason: String? = nil, registrations: [Int?] = [3, 3, 3]) -> SignDetails {
        let operators = ["mobile", "unicom", "telecom"]
        return SignDetails(signName: name, status: status, rejectInfo: reason,
                           carriers: registrations.enumerated().map { CarrierRegistration(operatorCode: operators[$0.offset % 3], status: $0.element) })
    }

    static func template(_ code: String = "SMS_1", status: ReviewStatus = .approved, reason: String? = nil, type: String? = "1",
                         content: String = notification, attributes: [String: String] = ["name": "name"]) -> TemplateDetails {
        TemplateDetails(templateCode: code, status: status, rejectInfo: reason, typeCode: type, content: content, variableAttributes: attributes)
    }

    static func missing(_ code: String) -> SMSFailure {
        SMSFailure(errorClass: .fatal, code: code, message: "not found", httpStatus: 200)
    }

    static func check(_ campaign: LoadedCampaign, sign: SignDetails = sign(), template: TemplateDetails = template()) async -> PreflightResult {
        await Preflight(account: FakeAccount(signs: [sign.signName: .success(sign)], templates: [template.templateCode: .success(template)])).check([campaign])
    }
}

@Suite struct PreflightTests {
    @Test func anAgreeingAccountHasNoFindings() async throws {
        let result = await PreflightFixture.check(try await PreflightFixture.campaign())
        #expect(result.diagnostics.isEmpty)
        #expect(result.unreachable == nil)
        #expect(!result.hasErrors)
        #expect(result.summary == "preflight of 1 sign name, 1 template: the account agrees")
    }

    @Test func eachDistinctSignAndTemplateIsAskedOnce() async throws {
        let first = try await PreflightFixture.campaign(id: "one")
        let second = try await PreflightFixture.campaign(id: "two")
        let other = try await PreflightFixture.campaign(id: "three", code: "SMS_2")
        let account = FakeAccount(signs: ["云杉商城": .success(PreflightFixture.sign())],
                                  templates: ["SMS_1": .success(PreflightFixture.template()), "SMS_2": .success(PreflightFixture.template("SMS_2"))])
        let result = await Preflight(account: account).check([first, second, other])
        #expect(result.diagnostics.isEmpty)
        #expect(await account.asked == ["sign 云杉商城", "template SMS_1", "template SMS_2"])
        #expect(result.signNames == ["云杉商城"] && result.templateCodes == ["SMS_1", "SMS_2"])
    }

    // MARK: - Signs

    @Test(arguments: [(ReviewStatus.reviewing, nil, "sign name '云杉商城' is not approved: it is under review"),
                      (.rejected, "资质不符", "sign name '云杉商城' is not approved: it was rejected: '资质不符'"),
                      (.canceled, nil, "sign name '云杉商城' is not approved: it was canceled")])
    func aSignNotApprovedIsAnError(status: ReviewStatus, reason: String?, message: String) async throws {
        let campaign = try await PreflightFixture.campaign()
        let result = await PreflightFixture.check(campaign, sign: PreflightFixture.sign(status: status, reason: reason))
        let finding = try #require(result.diagnostics.only)
        #expect(finding.id == "sign-not-approved" && finding.severity == .error)
        #expect(finding.message == message)
        #expect(finding.location?.file == campaign.path && finding.location?.range.start.line == 3 && finding.location?.range.start.column == 12)
        #expect(result.hasErrors)
    }

    @Test func aSignTheAccountLacksIsNotApproved() async throws {
        let result = await Preflight(account: FakeAccount(templates: ["SMS_1": .success(PreflightFixture.template())])).check([try await PreflightFixture.campaign()])
        let finding = try #require(result.diagnostics.only)
        #expect(finding.id == "sign-not-approved")
        #expect(finding.message == "sign name '云杉商城' does not exist in the account or cannot be used (isv.SMS_SIGN_ILLEGAL: not found)")
        #expect(result.unreachable == nil)
    }

    @Test(arguments: [([1, 3, 3] as [Int?], Severity.warning, "mobile: registered, awaiting verification"),
                      ([3, -1, 3], .warning, "unicom: registering"),
                      ([3, 3, nil], .warning, "telecom: no registration status"),
                      ([0, 3, 3], .error, "mobile: registration failed"),
                      ([3, -2, 3], .error, "unicom: not registered"),
                      ([3, 3, 2], .error, "telecom: registration expired (no sends for 6 months)")])
    func carrierRegistrationShortOfVerifiedIsReported(registrations: [Int?], severity: Severity, words: String) async throws {
        let result = await PreflightFixture.check(try await PreflightFixture.campaign(), sign: PreflightFixture.sign(registrations: registrations))
        let finding = try #require(result.diagnostics.only)
        #expect(finding.id == "sign-carrier-registration" && finding.severity == severity)
        #expect(finding.message.contains("(\(words))"), "\(finding.message)")
        #expect(finding.location?.range.start.line == 3)
    }

    @Test func everyUnfinishedOperatorIsNamedWithItsReasons() async throws {
        var sign = PreflightFixture.sign(registrations: [1, 0, 3])
        sign.carriers[1].reasons = ["NO_SEND_RECORD: 签名长期未使用"]
        let finding = try #require(await PreflightFixture.check(try await PreflightFixture.campaign(), sign: sign).diagnostics.only)
        #expect(finding.message == "sign name '云杉商城' is not registered and verified with every carrier (mobile: registered, awaiting verification; "
            + "unicom: registration failed (NO_SEND_RECORD: 签名长期未使用)); carriers block bulk sends with it")
        #expect(finding.severity == .error)
    }

    // MARK: - Templates

    @Test func aTemplateNotApprovedIsAnErrorWithItsReason() async throws {
        let campaign = try await PreflightFixture.campaign()
        let result = await PreflightFixture.check(campaign, template: PreflightFixture.template(status: .rejected, reason: "含营销内容"))
        let finding = try #require(result.diagnostics.only)
        #expect(finding.id == "template-not-approved" && finding.severity == .error)
        #expect(finding.message == "template 'SMS_1' is not approved: it was rejected: '含营销内容'")
        #expect(finding.location?.range.start.line == 5)
        let pending = await PreflightFixture.check(campaign, template: PreflightFixture.template(status: .reviewing))
        #expect(pending.diagnostics.map(\.message) == ["template 'SMS_1' is not approved: it is under review"])
    }

    @Test func aTemplateTheAccountLacksIsNotApproved() async throws {
        let result = await Preflight(account: FakeAccount(signs: ["云杉商城": .success(PreflightFixture.sign())])).check([try await PreflightFixture.campaign()])
        let finding = try #require(result.diagnostics.only)
        #expect(finding.id == "template-not-approved")
        #expect(finding.message == "template 'SMS_1' does not exist in the account or cannot be used (isv.SMS_TEMPLATE_ILLEGAL: not found)")
    }

    @Test(arguments: [("0", "template 'SMS_1' is a verification template in the account, not 'notification' as the file says"),
                      ("2", "template 'SMS_1' is a promotional template in the account, not 'notification' as the file says"),
                      ("3", "template 'SMS_1' is an international template in the account, not 'notification' as the file says"),
                      ("7", "template 'SMS_1' is of template type '7' in the account, not 'notification' as the file says")])
    func anotherTemplateTypeIsAMismatch(type: String, message: String) async throws {
        let result = await PreflightFixture.check(try await PreflightFixture.campaign(), template: PreflightFixture.template(type: type))
        let finding = try #require(result.diagnostics.only)
        #expect(finding.id == "template-type-mismatch" && finding.severity == .error)
        #expect(finding.message == message)
        #expect(finding.location?.range.start.line == 6)
    }

    @Test func theSameTypeOrNoneGivenIsNoMismatch() async throws {
        let campaign = try await PreflightFixture.campaign()
        #expect(await PreflightFixture.check(campaign, template: PreflightFixture.template(type: "1")).diagnostics.isEmpty)
        #expect(await PreflightFixture.check(campaign, template: PreflightFixture.template(type: nil)).diagnostics.isEmpty)
    }

    @Test func otherContentIsAnErrorShowingBothSides() async throws {
        let campaign = try await PreflightFixture.campaign()
        let result = await PreflightFixture.check(campaign, template: PreflightFixture.template(content: "${name}您好，您的快递已到驿站。"))
        let finding = try #require(result.diagnostics.only)
        #expect(finding.id == "template-content-differs" && finding.severity == .error)
        #expect(finding.message == "content differs from approved template 'SMS_1': ${name}您好，您的[-包裹-]{+快递+}已到驿站。 ([-…-] only in the file, {+…+} only in the account)")
        #expect(finding.notes.map(\.message) == ["the file's content: '${name}您好，您的包裹已到驿站。'", "the approved content: '${name}您好，您的快递已到驿站。'"])
        #expect(finding.location?.range.start.line == 7)
    }

    @Test func contentThatDiffersOnlyInWhiteSpaceIsTheSame() async throws {
        let campaign = try await PreflightFixture.campaign(content: "${name}您好，您的包裹 已到驿站。")
        let result = await PreflightFixture.check(campaign, template: PreflightFixture.template(content: "  ${name}您好，您的包裹\n\t 已到驿站。 "))
        #expect(result.diagnostics.isEmpty)
    }

    @Test func placeholdersInOneContentOnlyAreEachNamed() async throws {
        let campaign = try await PreflightFixture.campaign(content: "${name}您好，您的包裹已到${station}。",
                                                           parameters: "  name: { type: name, from: name }\n  station: { type: text, value: 驿站 }")
        let result = await PreflightFixture.check(campaign, template: PreflightFixture.template(content: "${name}您好，您的包裹${code}已到${place}。"))
        let variables = result.diagnostics.filter { $0.id == "template-variables-differ" }
        #expect(variables.map(\.message) == [
            "approved template 'SMS_1' has placeholder '${code}', which the file's content lacks; no parameter would fill it",
            "approved template 'SMS_1' has placeholder '${place}', which the file's content lacks; no parameter would fill it",
            "placeholder '${station}' is not in approved template 'SMS_1'; the provider would not fill it",
        ])
        #expect(variables.allSatisfy { $0.severity == .error && $0.location?.range.start.line == 7 })
        #expect(result.diagnostics.contains { $0.id == "template-content-differs" })
        let same = await PreflightFixture.check(campaign, template: PreflightFixture.template(content: "${name}您好：您的包裹已到${station}。"))
        #expect(!same.diagnostics.contains { $0.id == "template-variables-differ" })
    }

    // MARK: - Variable attributes

    @Test(arguments: [("numberCaptcha", "text", Severity.error), ("numberCaptcha", "name", .error), ("numberCaptcha", "code", .warning),
                      ("characterWithNumber", "number", .warning), ("characterWithNumber2", "text", .error),
                      ("money", "date", .error), ("time", "text", .warning), ("phone_number2", "money", .error)])
    func aDeclaredTypeTheAttributeRefusesIsReported(attribute: String, type: String, severity: Severity) async throws {
        let campaign = try await PreflightFixture.campaign(type: "verification", content: "您的验证码是${code}，5分钟内有效。",
                                                           parameters: "  code: { type: \(type), from: code }")
        let template = PreflightFixture.template(type: "0", content: "您的验证码是${code}，5分钟内有效。", attributes: ["code": attribute])
        let finding = try #require(await PreflightFixture.check(campaign, template: template).diagnostics.only)
        #expect(finding.id == "variable-attribute" && finding.severity == severity)
        #expect(finding.message.hasPrefix("parameter 'code' is declared '\(type)', but the template takes it as '\(attribute)' ("), "\(finding.message)")
        #expect(finding.location?.range.start.line == 9)
    }

    @Test func aVerificationCodeDeclaredAsTextSuggestsCode() async throws {
        let campaign = try await PreflightFixture.campaign(type: "verification", content: "您的验证码是${code}，5分钟内有效。",
                                                           parameters: "  code: { type: text, from: code }")
        let template = PreflightFixture.template(type: "0", content: "您的验证码是${code}，5分钟内有效。", attributes: ["code": "numberCaptcha"])
        let finding = try #require(await PreflightFixture.check(campaign, template: template).diagnostics.only)
        #expect(finding.message == "parameter 'code' is declared 'text', but the template takes it as 'numberCaptcha' (a verification code of 4-6 digits); its values would be refused")
        #expect(finding.fixIt?.replacement == "code")
    }

    /// A looser type is not sent round to another as loose: 'number' against 'numberCaptcha' gets a
    /// warning and no suggestion of 'code' (which would only warn again).
    @Test func aLooserTypeIsNotSentRoundToAnotherAsLoose() async throws {
        let campaign = try await PreflightFixture.campaign(type: "verification", content: "您的验证码是${code}，5分钟内有效。",
                                                           parameters: "  code: { type: number, from: code }")
        let template = PreflightFixture.template(type: "0", content: "您的验证码是${code}，5分钟内有效。", attributes: ["code": "numberCaptcha"])
        let finding = try #require(await PreflightFixture.check(campaign, template: template).diagnostics.only)
        #expect(finding.severity == .warning)
        #expect(finding.fixIt == nil && finding.notes.allSatisfy { !$0.message.contains("declare it") }, "\(finding)")
    }

    @Test(arguments: [("characterWithNumber", "code"), ("numberCaptcha", "code") , ("others", "text"), ("name", "name"), ("money", "number"),
                      ("time", "date"), ("license_plate_number", "text")])
    func aFittingOrUnknownAttributeIsNoError(attribute: String, type: String) async throws {
        let campaign = try await PreflightFixture.campaign(type: "verification", content: "您的验证码是${code}，5分钟内有效。",
                                                           parameters: "  code: { type: \(type), from: code }")
        let template = PreflightFixture.template(type: "0", content: "您的验证码是${code}，5分钟内有效。", attributes: ["code": attribute])
        let errors = await PreflightFixture.check(campaign, template: template).diagnostics.filter { $0.severity == .error }
        #expect(errors.isEmpty, "\(errors.map(\.message))")
    }

    // MARK: - Failures to ask

    @Test(arguments: [SMSFailure(errorClass: .backoff, code: SMSFailure.transportCode, message: "connection refused", notSent: true),
                      SMSFailure(errorClass: .backoff, code: "Throttling.User", message: "Request was denied due to user flow control.", httpStatus: 400),
                      SMSFailure(errorClass: .backoff, code: "ServiceUnavailable", message: "busy", httpStatus: 503),
                      SMSFailure(errorClass: .fatal, code: "InternalFailure", message: "oops", httpStatus: 500),
                      SMSFailure(errorClass: .fatal, code: "InvalidAccessKeyId.NotFound", message: "Specified access key is not found.", httpStatus: 404),
                      SMSFailure(errorClass: .fatal, code: SMSFailure.credentialsCode, message: "no credentials", notSent: true)])
    func aFailureToAskStopsAsking(failure: SMSFailure) async throws {
        let account = FakeAccount(signs: ["云杉商城": .failure(failure)], templates: ["SMS_1": .success(PreflightFixture.template())])
        let result = await Preflight(account: account).check([try await PreflightFixture.campaign()])
        #expect(result.unreachable == failure)
        #expect(result.diagnostics.isEmpty)
        #expect(await account.asked == ["sign 云杉商城"])
        #expect(result.summary.hasPrefix("preflight could not ask the provider ("), "\(result.summary)")
        #expect(result.summary.contains(failure.code))
        #expect(!result.summary.contains("access key is not found"), "a refusal's words are left out")
    }

    @Test func findingsOfSeveralCampaignsAreInFileOrder() async throws {
        let first = try await PreflightFixture.campaign(id: "one")
        let second = try await PreflightFixture.campaign(id: "two", sign: "云杉会员")
        let account = FakeAccount(signs: ["云杉商城": .success(PreflightFixture.sign(registrations: [1, 3, 3])), "云杉会员": .success(PreflightFixture.sign("云杉会员", status: .rejected))],
                                  templates: ["SMS_1": .success(PreflightFixture.template(type: "2"))])
        let result = await Preflight(account: account).check([second, first])
        #expect(result.diagnostics == result.diagnostics.sorted(by: Diagnostic.fileOrder))
        #expect(result.diagnostics.count == 4)
        #expect(result.summary == "preflight of 2 sign names, 1 template: 3 errors, 1 warning (sign-carrier-registration, sign-not-approved, template-type-mismatch)")
    }
}

extension Array {
    /// The one element, or nil when there are none or several.
    var only: Element? { count == 1 ? first : nil }
}
