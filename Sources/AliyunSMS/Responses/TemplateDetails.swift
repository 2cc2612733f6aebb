/// What GetSmsTemplate says about a template code: its review, type, content and variables.
public struct TemplateDetails: Sendable, Hashable {
    /// `TemplateCode`.
    public var templateCode: String
    /// `TemplateStatus` (a string in the answer, read as a number too).
    public var status: ReviewStatus
    /// `AuditInfo.RejectInfo`: why the review rejected it, when it did.
    public var rejectInfo: String?
    /// `TemplateType` as sent, in GetSmsTemplate's numbering: "0" verification, "1" notification,
    /// "2" promotional, "3" international.
    public var typeCode: String?
    /// `TemplateContent`, with its `${name}` placeholders.
    public var content: String
    /// `VariableAttribute` (a JSON string in the answer), e.g. `["code": "numberCaptcha"]`.
    public var variableAttributes: [String: String]
    /// `IntlType`, an international template's kind: 0 notification, 1 promotional,
    /// 2 verification; nil when the answer has none.
    public var intlType: Int?

    /// Creates template details.
    public init(templateCode: String, status: ReviewStatus, rejectInfo: String? = nil, typeCode: String? = nil,
                content: String, variableAttributes: [String: String] = [:]) {
        self.templateCode = templateCode
        self.status = status
        self.rejectInfo = rejectInfo
        self.typeCode = typeCode
        self.content = content
        self.variableAttributes = variableAttributes
    }
}
