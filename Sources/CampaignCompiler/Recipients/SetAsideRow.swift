import YAMLSyntax

/// A row that is not sent: invalid (with `invalid: skip`), a duplicate, or on an exclusion list.
public struct SetAsideRow: Sendable, Hashable {
    /// Why it is not sent.
    public enum Reason: String, Sendable, Hashable {
        case invalid, duplicate, excluded, suppressed
    }

    /// The number: normalised where it could be read, otherwise as written.
    public var phone: String
    /// Values in the order of the campaign's parameters, as the row has them (constants included;
    /// empty where the row lacks the column).
    public var values: [String]
    /// Why it is not sent.
    public var reason: Reason
    /// For an invalid row, the id of its first problem.
    public var problem: String?
    /// The source file and the row's line in it.
    public var file: String
    /// The row's line in the source file.
    public var line: Int
}
