import AliyunSMS
import CampaignCompiler
import Testing
@testable import CampaignRunner

/// The preflight's template type against the campaign's destination: an international campaign
/// needs the account's type 3 (and, where it is answered, the `IntlType` of its `type`); a
/// mainland campaign with an international template is told that it is one.
@Suite struct PreflightDestinationTests {
    /// The fixture's campaign (a notification), sent to numbers outside the mainland.
    static func international(type: String = "notification") async throws -> LoadedCampaign {
        try await PreflightFixture.campaign(type: type + "\n  destination: international")
    }

    static func template(type: String?, intlType: Int?) -> TemplateDetails {
        var template = PreflightFixture.template(type: type)
        template.intlType = intlType
        return template
    }

    @Test func anInternationalCampaignWithAnInternationalTemplateOfItsKindAgrees() async throws {
        let campaign = try await Self.international()
        #expect(campaign.campaign.template.destination.value == .international)
        #expect(await PreflightFixture.check(campaign, template: Self.template(type: "3", intlType: 0)).diagnostics.isEmpty)
        #expect(await PreflightFixture.check(campaign, template: Self.template(type: "3", intlType: nil)).diagnostics.isEmpty, "no IntlType answered: nothing to compare")
        #expect(await PreflightFixture.check(campaign, template: Self.template(type: nil, intlType: nil)).diagnostics.isEmpty, "no type answered")
    }

    @Test(arguments: [("0", "a verification template"), ("1", "a notification template"), ("2", "a promotional template")])
    func anInternationalCampaignWithAMainlandTemplateIsAMismatch(type: String, words: String) async throws {
        let result = await PreflightFixture.check(try await Self.international(), template: Self.template(type: type, intlType: nil))
        let finding = try #require(result.diagnostics.only)
        #expect(finding.id == "template-type-mismatch" && finding.severity == .error)
        #expect(finding.message == "template 'SMS_1' is \(words) in the account, not an international template as 'template.destination: international' needs")
        #expect(finding.fixIt?.message.contains("international template (type 3)") == true)
        #expect(result.hasErrors)
    }

    @Test(arguments: [(1, "notification", "an international promotional template"), (2, "notification", "an international verification template"),
                      (0, "promotional", "an international notification template")])
    func anInternationalTemplateOfAnotherKindIsAMismatch(intlType: Int, fileType: String, words: String) async throws {
        let content = fileType == "promotional" ? "${name}您好，会员日全场8折，拒收请回复R" : PreflightFixture.notification
        let campaign = try await PreflightFixture.campaign(type: fileType + "\n  destination: international", content: content)
        let result = await PreflightFixture.check(campaign, template: { () -> TemplateDetails in
            var template = Self.template(type: "3", intlType: intlType)
            template.content = content
            return template
        }())
        let finding = try #require(result.diagnostics.first { $0.id == "template-type-mismatch" })
        #expect(finding.message == "template 'SMS_1' is \(words) in the account, not '\(fileType)' as the file says")
        #expect(finding.location?.range.start.line == 6)
    }

    @Test func aMainlandCampaignWithAnInternationalTemplateIsToldItIsInternational() async throws {
        let result = await PreflightFixture.check(try await PreflightFixture.campaign(), template: Self.template(type: "3", intlType: 0))
        let finding = try #require(result.diagnostics.only)
        #expect(finding.id == "template-type-mismatch" && finding.severity == .error)
        #expect(finding.message == "template 'SMS_1' is an international template in the account, not 'notification' as the file says")
        #expect(finding.fixIt?.message.contains("template.destination: international") == true)
        let mainland = await PreflightFixture.check(try await PreflightFixture.campaign(), template: Self.template(type: "1", intlType: nil))
        #expect(mainland.diagnostics.isEmpty)
    }

    @Test func theIntlTypeOfGetSmsTemplateIsRead() throws {
        let answer = #"{"Code":"OK","Message":"OK","TemplateCode":"SMS_1","TemplateStatus":"1","TemplateType":"3","IntlType":2,"TemplateContent":"x"}"#
        let details = try #require(TemplateDetails(json: Array(answer.utf8)))
        #expect(details.typeCode == "3" && details.intlType == 2)
        let text = try #require(TemplateDetails(json: Array(answer.replacingOccurrences(of: #""IntlType":2"#, with: #""IntlType":"1""#).utf8)))
        #expect(text.intlType == 1)
        let none = try #require(TemplateDetails(json: Array(answer.replacingOccurrences(of: #","IntlType":2"#, with: "").utf8)))
        #expect(none.intlType == nil)
    }
}
