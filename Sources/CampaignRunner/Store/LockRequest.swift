/// Which lock to take.
public struct LockRequest: Sendable, Hashable {
    /// The campaign's id.
    public var campaign: String
    /// Whether to make the campaign's place (its folder) when missing: a run does, a reset not.
    public var create: Bool
    /// The lock of `campaign`.
    public init(campaign: String, create: Bool) {
        self.campaign = campaign
        self.create = create
    }
}
