import AliyunSMS
import CampaignCompiler

extension Preflight {
    /// What the answer about the campaign's template code says is wrong: not approved (or
    /// missing), another type, other content, other placeholders, parameters the template's
    /// variable attributes would refuse.
    static func templateFindings(_ answer: Result<TemplateDetails, SMSFailure>, campaign: Campaign) -> [Diagnostic] {
        let template = campaign.template
        let code = template.code.value
        let details: TemplateDetails
        switch answer {
        case .failure(let failure):
            return [.templateMissing(code, answer: "\(failure.code): \(failure.message)", at: location(template.code.range, in: campaign))]
        case .success(let answered):
            details = answered
        }
        var findings: [Diagnostic] = []
        if details.status != .approved {
            findings.append(.templateNotApproved(code, status: details.status.description, reason: details.rejectInfo, at: location(template.code.range, in: campaign)))
        }
        if let finding = typeFinding(details, campaign: campaign) { findings.append(finding) }
        let fileContent = ContentDiff.collapsingWhiteSpace(template.content.value)
        let accountContent = ContentDiff.collapsingWhiteSpace(details.content)
        guard !accountContent.isEmpty else {
            // No content in the answer (the emulator accepting any template cannot know it): the
            // wording and placeholders are not comparable (attributes given still are); an approved template is
            // a warning, not an error, so that such an account lets a run go.
            if details.status == .approved { findings.append(.templateContentUnknown(code, at: location(template.content.range, in: campaign))) }
            return findings + attributeFindings(details, campaign: campaign)
        }
        if fileContent != accountContent {
            let diff = ContentDiff(from: fileContent, to: accountContent).rendered
            findings.append(.templateContentDiffers(code, diff: diff, file: fileContent, account: accountContent, at: location(template.content.range, in: campaign)))
        }
        findings += variableFindings(details, campaign: campaign)
        findings += attributeFindings(details, campaign: campaign)
        return findings
    }

    /// Placeholders in one content and not the other, each named.
    static func variableFindings(_ details: TemplateDetails, campaign: Campaign) -> [Diagnostic] {
        let template = campaign.template
        let approved = PlaceholderParser.placeholderNames(in: details.content)
        let approvedSet = Set(approved)
        let fileSet = Set(template.placeholders.map(\.value))
        var findings: [Diagnostic] = []
        var reported: Set<String> = []
        for placeholder in template.placeholders where !approvedSet.contains(placeholder.value) && reported.insert(placeholder.value).inserted {
            findings.append(.templateVariableExtra(placeholder.value, code: template.code.value, at: location(placeholder.range, in: campaign)))
        }
        for name in approved where !fileSet.contains(name) && reported.insert(name).inserted {
            findings.append(.templateVariableMissing(name, code: template.code.value, at: location(template.content.range, in: campaign)))
        }
        return findings
    }

    /// Each parameter's declared type against the variable attribute the template gives its placeholder.
    static func attributeFindings(_ details: TemplateDetails, campaign: Campaign) -> [Diagnostic] {
        campaign.parameters.compactMap { parameter in
            guard let attribute = details.variableAttributes[parameter.name.value],
                  let rule = VariableAttributeRule(attribute: attribute) else { return nil }
            let verdict = rule.verdict(for: parameter.type.value)
            guard verdict != .fits else { return nil }
            // A type is suggested only where it helps: instead of one that would be refused, or where it
            // fits where the declared one is looser (no type of the file fits 'numberCaptcha' exactly, so
            // a 'number' is not sent round to 'code', which is as loose).
            let suggested = rule.suggested.flatMap { $0 != parameter.type.value && (verdict == .refused || rule.fitting.contains($0)) ? $0 : nil }
            return .variableAttribute(parameter.name.value, type: parameter.type.value, attribute: attribute, accepts: rule.accepts, suggested: suggested,
                                      blocking: verdict == .refused, at: location(parameter.type.range, in: campaign))
        }
    }

    /// The template's type against the file's: a mainland campaign expects its `type` (0–2), an
    /// international one type 3 (international) and, where the answer has an `IntlType`, the
    /// kind of its `type`; nil when they agree or the answer states no type.
    static func typeFinding(_ details: TemplateDetails, campaign: Campaign) -> Diagnostic? {
        let template = campaign.template
        let code = template.code.value
        guard let typeCode = details.typeCode?.trimmingCharacters(in: .whitespaces) else { return nil }
        let international = typeCode == Self.internationalType
        switch template.destination.value {
        case .mainland:
            guard typeCode != Self.typeCode(template.type.value) else { return nil }
            var finding = Diagnostic.templateTypeMismatch(code, fileType: template.type.value, accountType: Self.typeWords(typeCode), at: location(template.type.range, in: campaign))
            if international {
                finding.fixIt = FixIt("an international template sends only to numbers outside the mainland: set 'template.destination: international' for them, or use a mainland template")
            }
            return finding
        case .international:
            guard international else {
                return .templateNotInternational(code, accountType: Self.typeWords(typeCode), at: location(template.destination.range, in: campaign))
            }
            guard let intlType = details.intlType, intlType != Self.intlType(template.type.value) else { return nil }
            return .templateTypeMismatch(code, fileType: template.type.value, accountType: Self.intlTypeWords(intlType), at: location(template.type.range, in: campaign))
        }
    }

    /// GetSmsTemplate's `TemplateType` of an international template.
    static let internationalType = "3"

    /// GetSmsTemplate's `IntlType` for an international campaign's `type`.
    static func intlType(_ type: TemplateType) -> Int {
        switch type {
        case .notification: 0
        case .promotional: 1
        case .verification: 2
        }
    }

    /// An international template's `IntlType` in words: "an international promotional template".
    static func intlTypeWords(_ intlType: Int) -> String {
        switch intlType {
        case 0: "an international notification template"
        case 1: "an international promotional template"
        case 2: "an international verification template"
        case let other: "an international template of IntlType '\(other)'"
        }
    }

    /// GetSmsTemplate's `TemplateType` for a file's `type`.
    static func typeCode(_ type: TemplateType) -> String {
        switch type {
        case .verification: "0"
        case .notification: "1"
        case .promotional: "2"
        }
    }

    /// GetSmsTemplate's `TemplateType` in words: "a promotional template".
    static func typeWords(_ code: String) -> String {
        switch code.trimmingCharacters(in: .whitespaces) {
        case "0": "a verification template"
        case "1": "a notification template"
        case "2": "a promotional template"
        case "3": "an international template"
        case let other: "of template type '\(other)'"
        }
    }
}
