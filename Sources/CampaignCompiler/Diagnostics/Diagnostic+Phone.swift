import YAMLSyntax

/// The catalog's messages about phone numbers: unreadable numbers, numbers a campaign does not
/// send to, exclusion-list entries.
extension Diagnostic {
    static func phoneProblem(_ problem: PhoneNumber.Problem, text: String, at location: SourceLocation) -> Diagnostic {
        switch problem {
        case .empty:
            return Diagnostic(.error, "recipient-phone-empty", "phone number is empty", at: location)
        case .characters:
            return Diagnostic(.error, "recipient-phone-invalid", "phone number '\(masked(text))' holds characters other than digits, '+', spaces, dashes, dots and parentheses", at: location)
        case .mainlandForm:
            return Diagnostic(.error, "recipient-phone-invalid", "phone number '\(masked(text))' is not a mainland mobile number (11 digits starting 13-19, optionally after +86, 0086 or 86)", at: location)
        case .internationalLength:
            return Diagnostic(.error, "recipient-phone-invalid", "phone number '\(masked(text))' is not a valid international number (7-15 digits after the country code prefix)", at: location)
        case .unknownCallingCode:
            return Diagnostic(.error, "recipient-phone-invalid", "phone number '\(masked(text))' does not start with a known country calling code (write it as +CC or 00CC followed by the number)", at: location,
                              fixIt: FixIt("national numbers without a country code need 'recipients.default-country'"))
        case .impossibleLength(let code, let length):
            return Diagnostic(.error, "recipient-phone-invalid", "phone number '\(masked(text))' is not a possible length for \(country(code)): \(length) digit\(length == 1 ? "" : "s") after the country code", at: location)
        }
    }

    static func phoneInternational(_ number: PhoneNumber, at location: SourceLocation) -> Diagnostic {
        let code = number.callingCode
        var country = ""
        if code != 0 {
            let region = CallingCodes.mainRegion(callingCode: code).flatMap { $0 == "001" ? nil : ", \($0)" } ?? ""
            country = " (+\(code)\(region))"
        }
        return Diagnostic(.error, "recipient-phone-international", "'\(number.masked)' is not a mainland number\(country); send it with an international campaign (template.destination: international)", at: location)
    }

    static func phoneMainland(_ number: PhoneNumber, at location: SourceLocation) -> Diagnostic {
        Diagnostic(.error, "recipient-phone-mainland", "'\(number.masked)' is a mainland number (+86); send it with a mainland campaign", at: location)
    }

    /// A calling code with its main region for messages: "+852 (HK)", "+800" when non-geographic.
    static func country(_ code: Int) -> String {
        guard let region = CallingCodes.mainRegion(callingCode: code), region != "001" else { return "+\(code)" }
        return "+\(code) (\(region))"
    }

    static func exclusionPhone(_ problem: PhoneNumber.Problem, text: String, at location: SourceLocation) -> Diagnostic {
        Diagnostic(.warning, "exclusion-phone-invalid", "exclusion list entry '\(masked(text))' is not a phone number and excludes nobody", at: location)
    }
}
