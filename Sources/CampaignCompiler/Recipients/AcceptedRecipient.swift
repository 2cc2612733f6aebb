import YAMLSyntax

/// A recipient that passed every check: who, the parameter values, and what the message costs.
public struct AcceptedRecipient: Sendable, Hashable {
    /// The normalised number.
    public var phone: PhoneNumber
    /// Values in the order of the campaign's parameters (constants included).
    public var values: [String]
    /// Characters of the message, sign name and brackets included (0 when the template has
    /// errors); an international GSM-7 message's in septets.
    public var length: Int
    /// Billed segments (0 when the template has errors).
    public var segments: Int
    /// Which source of `recipients.from` it came from.
    public var sourceIndex: Int
    /// The row's line in that source.
    public var line: Int
    /// How the message is encoded (mainland messages: UCS-2).
    public var encoding = MessageEncoding.ucs2
}
