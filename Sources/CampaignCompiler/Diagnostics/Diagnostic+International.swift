import YAMLSyntax

/// Messages about a campaign's destination, default country and prices per country.
extension Diagnostic {
    static func defaultCountryUnknown(_ value: String, suggestion: String?, at location: SourceLocation) -> Diagnostic {
        Diagnostic(.error, "default-country", "'recipients.default-country' must be an ISO 3166 country code such as 'HK', 'SG' or 'GB', found '\(short(value))'",
                   at: location, fixIt: suggestion.map { FixIt("did you mean '\($0)'?", replacement: $0) })
    }

    static func priceCallingCodeTwice(_ code: Int, at location: SourceLocation) -> Diagnostic {
        Diagnostic(.error, "price-calling-code", "'sending.price-per-segment' names calling code \(code) twice (as \"\(code)\" and \"+\(code)\"?); which price applies would be a guess",
                   at: location)
    }

    static func defaultCountryMainlandCampaign(at location: SourceLocation) -> Diagnostic {
        Diagnostic(.error, "default-country", "'recipients.default-country' applies to international campaigns only; this template's destination is mainland",
                   at: location, fixIt: FixIt("set 'template.destination: international', or remove 'default-country'"))
    }

    static func defaultCountryMainland(_ value: String, at location: SourceLocation) -> Diagnostic {
        Diagnostic(.error, "default-country", "'recipients.default-country' is '\(value)': mainland numbers cannot be sent with an international template",
                   at: location, fixIt: FixIt("send mainland numbers with a mainland campaign (template.destination: mainland)"))
    }

    static func priceCallingCode(_ key: String, at location: SourceLocation) -> Diagnostic {
        Diagnostic(.error, "price-calling-code", "'\(short(key))' in 'sending.price-per-segment' is not a country calling code; write one such as \"852\", or 'default'",
                   at: location)
    }

    static func priceDefaultMissing(at location: SourceLocation) -> Diagnostic {
        Diagnostic(.error, "price-calling-code", "'sending.price-per-segment' names prices per calling code without a 'default' for the others",
                   at: location, fixIt: FixIt("add 'default: PRICE' to the mapping"))
    }
}
