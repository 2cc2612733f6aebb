import AliyunSMS
import CampaignCompiler
import Foundation

extension EmulatorConfiguration {
    /// Learns the sign name and template of each campaign file (checked without its recipient
    /// files), then the sign names and templates of a JSON configuration file (see
    /// `learn(configuration:)`), which may restate what a campaign taught.
    public mutating func learnKnown(campaigns: [String], configuration path: String?) async throws(EmulatorError) {
        for campaign in campaigns {
            try await learn(campaign: campaign)
        }
        if let path { try learn(configuration: path) }
    }

    /// Learns a campaign file's sign name (approved, registered with all three operators) and
    /// template (approved, of the campaign's type, with its content and a variable attribute
    /// for each parameter derived from its type). An international campaign's template is of
    /// type "3" (international), its `IntlType` the campaign's type.
    public mutating func learn(campaign path: String) async throws(EmulatorError) {
        let check = await CampaignChecker.check(path: path, options: CheckOptions(checksRecipientFiles: false))
        guard let campaign = check.campaign else {
            throw EmulatorError(code: .campaignHasErrors, message: "'\(path)' has errors", path: path)
        }
        signNames.insert(campaign.signName.value)
        let template = campaign.template
        var attributes: [String: String] = [:]
        for parameter in campaign.parameters { attributes[parameter.name.value] = Self.variableAttribute(for: parameter.type.value) }
        let international = template.destination.value == .international
        var known = KnownTemplate(code: template.code.value, placeholders: Set(template.placeholders.map(\.value)),
                                  content: template.content.value, status: .approved,
                                  typeCode: international ? KnownTemplate.internationalType : Self.typeCode(template.type.value), variableAttributes: attributes)
        if international { known.intlType = Self.intlType(template.type.value) }
        templates[template.code.value] = known
    }

    /// Learns the sign names and templates of a JSON configuration file; a template's
    /// placeholders are the `${name}`s of its content:
    ///
    ///     {"signNames": ["云杉商城"],
    ///      "signs": [{"name": "云杉特卖", "status": "rejected", "rejectInfo": "…",
    ///                 "carriers": [{"operator": "mobile", "status": 3, "reasons": ["NO_SEND_RECORD"]}]}],
    ///      "templates": [{"code": "SMS_1", "content": "您的验证码为${code}", "status": "approved",
    ///                     "type": "verification", "rejectInfo": "…", "variableAttributes": {"code": "numberCaptcha"}},
    ///                    {"code": "SMS_2", "content": "Your code is ${code}", "type": "international", "intlType": 2}]}
    ///
    /// Everything but a sign's `name` and a template's `code` may be left out: a sign is then
    /// approved and registered with all three operators, a template approved, of no stated
    /// type, without variable attributes. A status is `reviewing`, `approved`, `rejected`,
    /// `canceled` or the platform's number (0, 1, 2, 10); a type `verification`, `notification`,
    /// `promotional`, `international` or GetSmsTemplate's number (0–3). An international
    /// template (type 3) may state its `intlType`: `notification`, `promotional`, `verification`
    /// or the platform's number (0, 1, 2); it takes international numbers only.
    public mutating func learn(configuration path: String) throws(EmulatorError) {
        guard let data = FileManager.default.contents(atPath: path),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw EmulatorError(code: .configurationUnreadable, message: "cannot read '\(path)' as a JSON object", path: path)
        }
        for sign in object["signNames"] as? [String] ?? [] { signNames.insert(sign) }
        for entry in object["signs"] as? [[String: Any]] ?? [] {
            guard let name = entry["name"] as? String else { continue }
            let sign = try Self.sign(name: name, entry, path: path)
            signNames.insert(name)
            signs[name] = sign
        }
        for entry in object["templates"] as? [[String: Any]] ?? [] {
            guard let code = entry["code"] as? String else { continue }
            templates[code] = try Self.template(code: code, entry, path: path)
        }
    }

    /// A `signs` entry.
    private static func sign(name: String, _ entry: [String: Any], path: String) throws(EmulatorError) -> KnownSign {
        var sign = KnownSign(name: name, status: try status(entry["status"], of: "sign '\(name)'", path: path), rejectInfo: entry["rejectInfo"] as? String)
        if let carriers = entry["carriers"] as? [[String: Any]] {
            sign.carriers = carriers.map { carrier in
                CarrierRegistration(operatorCode: carrier["operator"] as? String ?? "", status: (carrier["status"] as? NSNumber)?.intValue ?? (carrier["status"] as? String).flatMap { Int($0) },
                                    reasons: carrier["reasons"] as? [String] ?? [])
            }
        }
        return sign
    }

    /// A `templates` entry.
    private static func template(code: String, _ entry: [String: Any], path: String) throws(EmulatorError) -> KnownTemplate {
        let content = entry["content"] as? String ?? ""
        var attributes: [String: String] = [:]
        for (name, value) in entry["variableAttributes"] as? [String: Any] ?? [:] {
            if let text = value as? String { attributes[name] = text }
        }
        var typeCode: String?
        if let type = entry["type"] {
            let word = (type as? NSNumber)?.stringValue ?? type as? String ?? ""
            guard let known = ["verification": "0", "notification": "1", "promotional": "2", "international": "3"][word] ?? (["0", "1", "2", "3"].contains(word) ? word : nil) else {
                throw EmulatorError(code: .configurationUnreadable, message: "template '\(code)' in '\(path)' has an unknown type '\(word)'", path: path)
            }
            typeCode = known
        }
        var template = KnownTemplate(code: code, placeholders: Set(PlaceholderParser.placeholderNames(in: content)), content: content,
                                     status: try status(entry["status"], of: "template '\(code)'", path: path), rejectInfo: entry["rejectInfo"] as? String,
                                     typeCode: typeCode, variableAttributes: attributes)
        if let value = entry["intlType"] {
            let word = (value as? NSNumber)?.stringValue ?? value as? String ?? ""
            guard typeCode == KnownTemplate.internationalType,
                  let known = ["notification": 0, "promotional": 1, "verification": 2][word] ?? Int(word).flatMap({ (0...2).contains($0) ? $0 : nil }) else {
                throw EmulatorError(code: .configurationUnreadable, message: "template '\(code)' in '\(path)' has an intlType '\(word)' that is not 0-2 or not of an international template", path: path)
            }
            template.intlType = known
        }
        return template
    }

    /// A configured review status: a word or the platform's number; approved when left out.
    private static func status(_ value: Any?, of what: String, path: String) throws(EmulatorError) -> ReviewStatus {
        guard let value else { return .approved }
        let word = (value as? NSNumber)?.stringValue ?? value as? String ?? ""
        let words: [String: ReviewStatus] = ["reviewing": .reviewing, "approved": .approved, "rejected": .rejected, "canceled": .canceled]
        if let status = words[word] { return status }
        guard let number = Int(word), [0, 1, 2, 10].contains(number) else {
            throw EmulatorError(code: .configurationUnreadable, message: "\(what) in '\(path)' has an unknown status '\(word)'", path: path)
        }
        return ReviewStatus(wireValue: word)
    }

    /// GetSmsTemplate's `TemplateType` for a campaign's template type.
    static func typeCode(_ type: TemplateType) -> String {
        switch type {
        case .verification: "0"
        case .notification: "1"
        case .promotional: "2"
        }
    }

    /// GetSmsTemplate's `IntlType` for an international campaign's template type.
    static func intlType(_ type: TemplateType) -> Int {
        switch type {
        case .notification: 0
        case .promotional: 1
        case .verification: 2
        }
    }

    /// The `VariableAttribute` a template created for a parameter of `type` would declare.
    static func variableAttribute(for type: ParameterType) -> String {
        switch type {
        case .code: "characterWithNumber2"
        case .number: "other_number2"
        case .money: "money"
        case .date, .time: "time"
        case .phone: "phone_number2"
        case .name: "name"
        case .text: "others"
        }
    }
}
