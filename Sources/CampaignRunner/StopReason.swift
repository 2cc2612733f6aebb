import AliyunSMS

/// Why a run stopped.
public enum StopReason: Sendable, Equatable, CustomStringConvertible {
    /// The provider refused a request for a reason no retry fixes (a key, a sign name, a template).
    case providerRefused(code: String, message: String)
    /// The provider refused the access key itself (unknown, disabled, another secret, no
    /// permission), when asked before the first send or on a send; `sent` says how many
    /// recipients this state had sent by then.
    case credentialsRefused(CredentialRefusal, sent: Int)
    /// The campaign's inputs changed since its run began; what changed, and how many were sent.
    case inputsChanged(planID: String, changes: [String], sent: Int, unsettled: Int, campaign: String)
    /// `--plan` names a plan made from other inputs.
    case planMismatch(path: String, changes: [String])
    /// `--plan` names something that is not a plan.
    case notAPlan(path: String)
    /// The campaign's recipients or limits have errors (reported as problems).
    case invalidCampaign
    /// The preflight found errors: the account disagrees with the campaign (its findings were
    /// shown as events); `summary` is the preflight's.
    case preflightFailed(summary: String)
    /// The state cannot be used: lost, damaged, foreign, newer.
    case state(String)
    /// The provider already has the plan's first request: it was sent from a state that is gone.
    case alreadySent(outId: String, planID: String)
    /// Anything else, in words.
    case failure(String)

    public var description: String {
        switch self {
        case .providerRefused(let code, let message): "the provider refused a request with \(code): \(message)"
        case .credentialsRefused(let refusal, let sent):
            refusal.description + (sent == 0 ? "; nothing was sent" : "; \(sent) recipient\(sent == 1 ? " was" : "s were") sent before it, the rest are kept for the next run")
        case .inputsChanged(let planID, let changes, let sent, let unsettled, let campaign):
            "the campaign's inputs changed since this run began (plan \(planID)), and \(sent) recipient\(sent == 1 ? " was" : "s were") already sent"
                + (unsettled > 0 ? " (and \(unsettled) may have been: their requests went unanswered)" : "") + "; refusing to resume. What changed:\n"
                + changes.map { "  - \($0)" }.joined(separator: "\n")
                + (unsettled > 0
                    ? "\nFirst restore the inputs and run again: that settles the unanswered requests with the provider (and finishes the old plan)."
                    : "\nTo finish the old plan, restore its inputs and run again.")
                + " To send the new inputs only to those not yet sent, write the sent numbers with 'salvo report \(campaign) --sent --out sent.csv', exclude them in a follow-up campaign, and run that. To start over and send everyone the new plan, 'salvo state reset' first."
        case .planMismatch(let path, let changes):
            "the plan '\(path)' was made from other inputs than the campaign has now; refusing to run it. What changed:\n" + changes.map { "  - \($0)" }.joined(separator: "\n")
        case .notAPlan(let path): "'\(path)' is not a salvo plan"
        case .invalidCampaign: "the campaign has errors in its recipients or limits (above); nothing was sent"
        case .preflightFailed(let summary):
            "the account disagrees with the campaign (\(summary)); nothing was sent by this run. Fix what the findings above say and run again, or run with --no-preflight to send anyway"
        case .state(let message): message
        case .alreadySent(let outId, let planID):
            "the provider already has the first request of plan \(planID) (OutId \(outId)): this plan was sent before, from a state that is gone. Nothing was sent. Find and restore that state folder to resume it, or change the campaign before sending it again"
        case .failure(let message): message
        }
    }
}
