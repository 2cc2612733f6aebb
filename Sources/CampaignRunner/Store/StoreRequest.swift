/// Which store to open.
public struct StoreRequest: Sendable, Hashable {
    /// The campaign's id.
    public var campaign: String
    /// Whether the store only reads (status, reports).
    public var readOnly: Bool
    /// How long a runner's claims outlive its last heartbeat, where runners share the store.
    public var leaseSeconds: Double
    /// The store of `campaign`.
    public init(campaign: String, readOnly: Bool = false, leaseSeconds: Double = 30) {
        self.campaign = campaign
        self.readOnly = readOnly
        self.leaseSeconds = leaseSeconds
    }
}
