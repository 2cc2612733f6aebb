import CampaignCompiler
import Foundation

extension EmulatorConfiguration {
    /// Learns the sign name and template of each campaign file (checked without its recipient
    /// files), then the sign names and templates of a JSON configuration file:
    /// `{"signNames": [...], "templates": [{"code": ..., "content": ...}]}`.
    public mutating func learnKnown(campaigns: [String], configuration path: String?) async throws(EmulatorError) {
        for campaign in campaigns {
            try await learn(campaign: campaign)
        }
        if let path { try learn(configuration: path) }
    }

    /// Learns a campaign file's sign name and template.
    public mutating func learn(campaign path: String) async throws(EmulatorError) {
        let check = await CampaignChecker.check(path: path, options: CheckOptions(checksRecipientFiles: false))
        guard let campaign = check.campaign else {
            throw EmulatorError(code: .campaignHasErrors, message: "'\(path)' has errors", path: path)
        }
        signNames.insert(campaign.signName.value)
        let template = campaign.template
        templates[template.code.value] = KnownTemplate(code: template.code.value, placeholders: Set(template.placeholders.map(\.value)),
                                                       content: template.content.value)
    }

    /// Learns the sign names and templates of a JSON configuration file; a template's
    /// placeholders are the `${name}`s of its content.
    public mutating func learn(configuration path: String) throws(EmulatorError) {
        guard let data = FileManager.default.contents(atPath: path),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw EmulatorError(code: .configurationUnreadable, message: "cannot read '\(path)' as a JSON object", path: path)
        }
        for sign in object["signNames"] as? [String] ?? [] { signNames.insert(sign) }
        for entry in object["templates"] as? [[String: Any]] ?? [] {
            guard let code = entry["code"] as? String else { continue }
            let content = entry["content"] as? String ?? ""
            templates[code] = KnownTemplate(code: code, placeholders: Set(PlaceholderParser.placeholderNames(in: content)), content: content)
        }
    }
}
