import YAMLSyntax

/// What a `PhonePolicy` says of a row's phone field: the number to send to, or why not.
enum PhoneVerdict: Sendable, Hashable {
    /// Why a row's phone field is not sent to.
    enum Rejection: Sendable, Hashable {
        /// Text that is not a phone number.
        case unreadable(PhoneNumber.Problem, text: String)
        /// A number the campaign does not send to (another country's, for a mainland campaign).
        case refused(PhoneNumber)
        /// A mainland number (+86) in an international campaign, which must send it as a mainland one.
        case mainlandInInternational(PhoneNumber)

        /// The diagnostic at the phone field.
        func diagnostic(at location: SourceLocation) -> Diagnostic {
            switch self {
            case .unreadable(let problem, let text): .phoneProblem(problem, text: text, at: location)
            case .refused(let number): .phoneInternational(number, at: location)
            case .mainlandInInternational(let number): .phoneMainland(number, at: location)
            }
        }

        /// The number as a set-aside row shows it: normalised where it could be read, else as written.
        var shown: String {
            switch self {
            case .refused(let number), .mainlandInInternational(let number): number.digits
            case .unreadable(_, let text): text
            }
        }
    }

    /// A number the campaign sends to.
    case accepted(PhoneNumber)
    /// Not sent to, and why.
    case rejected(Rejection)
}
