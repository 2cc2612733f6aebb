/// What a send is, for frequency caps: which campaign sent it, with which sign, template and
/// template type.
public struct SendScope: Sendable, Hashable {
    public var campaign: String
    public var signName: String
    public var templateCode: String
    public var type: TemplateType

    /// A send's scope.
    public init(campaign: String, signName: String, templateCode: String, type: TemplateType) {
        self.campaign = campaign
        self.signName = signName
        self.templateCode = templateCode
        self.type = type
    }
}
