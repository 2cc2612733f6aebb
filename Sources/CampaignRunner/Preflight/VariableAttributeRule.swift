import CampaignCompiler

/// What a template's variable attribute (`VariableAttribute`, declared when the template was
/// applied for) accepts, and how a campaign parameter's declared type compares with it.
///
/// Attribute names follow aliyun-sms.md §7.1 (CreateSmsTemplate's `TemplateRule`); the older
/// names without the trailing `2` are read the same. An attribute not listed here is not judged.
struct VariableAttributeRule: Sendable, Hashable {
    /// How a declared type compares with the attribute.
    enum Verdict: Sendable, Hashable {
        /// Every value the type admits, the attribute accepts.
        case fits
        /// The type admits values the attribute refuses (a warning).
        case looser
        /// The type is another kind of value: its values would be refused (an error).
        case refused
    }

    /// What the attribute accepts, in words for the message.
    var accepts: String
    /// The types whose values the attribute accepts.
    var fitting: Set<ParameterType>
    /// The types that admit some values the attribute refuses.
    var looser: Set<ParameterType>
    /// The type to declare instead.
    var suggested: ParameterType?

    /// The rule for `attribute`; nil for one Salvo does not know.
    init?(attribute: String) {
        switch attribute.trimmingCharacters(in: .whitespaces) {
        case "numberCaptcha":
            self.init(accepts: "a verification code of 4-6 digits", fitting: [], looser: [.code, .number], suggested: .code)
        case "characterWithNumber", "characterWithNumber2":
            self.init(accepts: "a verification code of 4-6 letters or digits", fitting: [.code], looser: [.number], suggested: .code)
        case "phone_number", "phone_number2":
            self.init(accepts: "a mobile or landline number", fitting: [.phone], looser: [.number, .text], suggested: .phone)
        case "time":
            self.init(accepts: "a date or time", fitting: [.date, .time], looser: [.text], suggested: .date)
        case "money":
            self.init(accepts: "an amount of money", fitting: [.money, .number], looser: [.text], suggested: .money)
        case "name", "user_nick", "unit_name":
            self.init(accepts: "a name", fitting: [.name, .text], looser: [], suggested: .name)
        case "other_number", "other_number2":
            self.init(accepts: "a number of letters and digits, such as an order number", fitting: [.number, .code], looser: [.text, .phone], suggested: .number)
        case "others":
            self.init(accepts: "any text", fitting: Set(ParameterType.allCases), looser: [], suggested: nil)
        default:
            return nil
        }
    }

    private init(accepts: String, fitting: Set<ParameterType>, looser: Set<ParameterType>, suggested: ParameterType?) {
        self.accepts = accepts
        self.fitting = fitting
        self.looser = looser
        self.suggested = suggested
    }

    /// How `type` compares with the attribute.
    func verdict(for type: ParameterType) -> Verdict {
        if fitting.contains(type) { return .fits }
        return looser.contains(type) ? .looser : .refused
    }
}
