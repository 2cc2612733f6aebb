import YAMLSyntax

/// The catalog's messages about phone numbers: unreadable numbers, numbers a campaign does not
/// send to, exclusion-list entries.
extension Diagnostic {
    static func phoneProblem(_ problem: PhoneNumber.Problem, text: String, at location: SourceLocation) -> Diagnostic {
        switch problem {
        case .empty:
            return Diagnostic(.error, "recipient-phone-empty", "phone number is empty", at: location)
        case .characters:
            return Diagnostic(.error, "recipient-phone-invalid", "phone number '\(masked(text))' holds characters other than digits, '+', spaces and dashes", at: location)
        case .mainlandForm:
            return Diagnostic(.error, "recipient-phone-invalid", "phone number '\(masked(text))' is not a mainland mobile number (11 digits starting 13-19, optionally after +86, 0086 or 86)", at: location)
        case .internationalLength:
            return Diagnostic(.error, "recipient-phone-invalid", "phone number '\(masked(text))' is not a valid international number (7-15 digits after the country code prefix)", at: location)
        }
    }

    static func phoneInternational(_ number: PhoneNumber, at location: SourceLocation) -> Diagnostic {
        Diagnostic(.error, "recipient-phone-international", "'\(number.masked)' is an international number; verification, notification and promotional templates reach mainland numbers only", at: location)
    }

    static func exclusionPhone(_ problem: PhoneNumber.Problem, text: String, at location: SourceLocation) -> Diagnostic {
        Diagnostic(.warning, "exclusion-phone-invalid", "exclusion list entry '\(masked(text))' is not a phone number and excludes nobody", at: location)
    }
}
