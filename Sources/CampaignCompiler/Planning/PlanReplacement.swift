/// An earlier plan at the path a new plan is written to (`salvo plan --out`), read before it is
/// replaced so that the replacement can say what changed: its inputs, and with the phones of the
/// sources that changed (when both plans can be read) the recipients.
public struct PlanReplacement {
    /// The header of the plan to be made: found when an earlier plan is at the path, so that the
    /// inputs are hashed once (hand it to `PlanCompiler.compile`).
    public private(set) var current: PlanHeader?
    /// The earlier plan's header and phones, when it was made from other inputs.
    private var previous: (header: PlanHeader, phones: [Int: [PlanReader.PlannedRecipient]]?)?

    /// What is at `path` (nothing to compare for a nil path, no plan there, or a campaign whose
    /// inputs cannot be hashed).
    public init(path: String?, campaign: Campaign) {
        guard let path, let header = PlanReader.header(at: path), let made = try? PlanCompiler.header(for: campaign) else { return }
        current = made
        if header.planId != made.planId {
            previous = (header, PlanReader.phones(at: path, sources: PlanReader.changedSources(from: header, to: made)))
        }
    }

    /// The note once plan `header` is written at `path`, when it replaced one made from other inputs.
    public func note(replacedBy header: PlanHeader, at path: String) -> String? {
        guard let previous else { return nil }
        // Recipients are counted only when the old plan's could be read.
        let newPhones = previous.phones == nil ? nil : PlanReader.phones(at: path, sources: PlanReader.changedSources(from: previous.header, to: header))
        let changes = PlanReader.changes(from: previous.header, oldPhones: previous.phones, to: header, newPhones: newPhones)
        return "note: \(path) held plan \(previous.header.planId), made from other inputs; it is replaced by \(header.planId). What changed:\n"
            + changes.map { "  - \($0)\n" }.joined()
    }
}
