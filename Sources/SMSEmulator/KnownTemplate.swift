import AliyunSMS

/// A template the emulator knows: its code and the placeholders its parameters must fill, and
/// what GetSmsTemplate says of it. Sends with a template that is not approved are refused.
public struct KnownTemplate: Sendable, Hashable {
    /// The template code.
    public var code: String
    /// The `${placeholder}` names.
    public var placeholders: Set<String>
    /// The content, for QuerySendDetails' `Content` and GetSmsTemplate's `TemplateContent`.
    public var content: String
    /// Its review (`TemplateStatus`).
    public var status: ReviewStatus = .approved
    /// Why the review rejected it (`AuditInfo.RejectInfo`).
    public var rejectInfo: String?
    /// `TemplateType` in GetSmsTemplate's numbering ("0" verification, "1" notification,
    /// "2" promotional, "3" international); nil when not configured (left out of the answer).
    public var typeCode: String?
    /// `VariableAttribute`: each placeholder's declared kind, such as `["code": "numberCaptcha"]`.
    public var variableAttributes: [String: String] = [:]
    /// `IntlType`, an international template's kind ("0" notification, "1" promotional,
    /// "2" verification); nil when not stated (left out of GetSmsTemplate's answer).
    public var intlType: Int?

    /// Where its messages may go: international numbers for type "3", mainland ones otherwise.
    public var isInternational: Bool { typeCode == Self.internationalType }

    /// GetSmsTemplate's `TemplateType` of an international template.
    public static let internationalType = "3"

    /// Creates a known template, approved, of no stated type and without variable attributes.
    public init(code: String, placeholders: Set<String>, content: String) {
        self.code = code
        self.placeholders = placeholders
        self.content = content
    }

    /// Creates a known template with what GetSmsTemplate says of it.
    public init(code: String, placeholders: Set<String>, content: String, status: ReviewStatus, rejectInfo: String? = nil,
                typeCode: String?, variableAttributes: [String: String]) {
        self.init(code: code, placeholders: placeholders, content: content)
        self.status = status
        self.rejectInfo = rejectInfo
        self.typeCode = typeCode
        self.variableAttributes = variableAttributes
    }
}
