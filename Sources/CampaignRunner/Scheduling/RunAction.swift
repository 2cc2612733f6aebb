import AliyunSMS
import CampaignCompiler
import Foundation

/// What the runner does next, as `RunState.next(now:)` decides it.
public enum RunAction: Sendable, Equatable {
    /// Ask the provider about these unanswered batches, then report each with `reconciled`.
    case reconcile([BatchRecord])
    /// Commit this change durably (the intent to send a group), then call `marked`.
    case markSending(RunChange)
    /// Send this batch now; commit `change` first when there is one (its attempt time moved).
    case launch(BatchRecord, change: RunChange?)
    /// Shared state: claim at most `limit` batches from the store (`SharedRunStore.claim`, with
    /// the state's changes since `since`), then hand what came to `claimed`.
    case claim(limit: Int, since: Int64)
    /// Commit this change (expiries, requests put back), then ask again.
    case commit(RunChange)
    /// Wait until `until` (or, when nil, for the next answer of a request in flight), or for an
    /// answer, whichever comes first.
    case wait(until: Double?, reason: WaitReason)
    /// The run is over (nothing in flight).
    case finish(RunOutcome)
}
