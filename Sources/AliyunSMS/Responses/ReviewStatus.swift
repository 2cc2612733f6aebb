import Foundation

/// A sign's or template's review: SignStatus / TemplateStatus, read from an int or a string.
///
/// GetSmsSign sends `SignStatus` as a number, GetSmsTemplate sends `TemplateStatus` as a string
/// ("0", "1", "2", "10"); both use the same values.
public enum ReviewStatus: Sendable, Hashable, CustomStringConvertible {
    /// 0: under review.
    case reviewing
    /// 1: approved, usable for sends.
    case approved
    /// 2: rejected (the answer's `AuditInfo.RejectInfo` says why).
    case rejected
    /// 10: the application was withdrawn.
    case canceled
    /// Any other value, as the platform sent it.
    case other(String)

    /// The status for a wire value: a number or its decimal string.
    public init(wireValue: String) {
        switch wireValue.trimmingCharacters(in: .whitespaces) {
        case "0": self = .reviewing
        case "1": self = .approved
        case "2": self = .rejected
        case "10": self = .canceled
        default: self = .other(wireValue)
        }
    }

    /// The value on the wire ("0", "1", "2", "10", or the other value as sent).
    public var wireValue: String {
        switch self {
        case .reviewing: "0"
        case .approved: "1"
        case .rejected: "2"
        case .canceled: "10"
        case .other(let value): value
        }
    }

    /// Words for messages: "reviewing", "approved", "rejected", "canceled", or "status X".
    public var description: String {
        switch self {
        case .reviewing: "reviewing"
        case .approved: "approved"
        case .rejected: "rejected"
        case .canceled: "canceled"
        case .other(let value): "status \(value)"
        }
    }
}
