import Foundation

/// A run's lifecycle as a value: whether to plan, resume or refuse; whether and how far back to
/// ask the provider about a new plan before its first request; how to reconnect to a shared
/// store that went away; when the run's activity is worth saving; and what the run leaves behind
/// when it ends. Its methods take what happened and the time and return what to do next; it does
/// no I/O and reads no clock (swift-nio's state machine pattern, like `RunState`, which decides
/// the batches while the run is `sending`).
public struct RunLifecycle: Sendable {
    /// Where the run is.
    public enum Phase: Sendable, Equatable {
        /// Reading the store, planning, resuming.
        case preparing
        /// Asking the provider whether a new plan was sent before.
        case probing
        /// Sending (`RunState` decides).
        case sending
        /// A shared store went away mid-run: nothing leaves until it answers again.
        case reconnecting
        /// The run is over; its end is being recorded.
        case finishing
    }

    /// Where the run is.
    public internal(set) var phase: Phase = .preparing
    /// The plan the run sends (once prepared), for messages.
    public private(set) var planID = ""
    /// Where the run sends (once prepared), for messages.
    public private(set) var endpoint: String?
    /// Where the store is, for messages.
    public let storeLocation: String
    let probeDays: Int
    let campaignStart: Double?
    let reconnectSeconds: Double

    // Kept across phases (the extensions' topics read and write them).
    var needsProbe = false
    var probeUnknown = false
    var reconnectDeadline = 0.0
    var reconnectDelay = 0.5
    var lastFailure = ""
    var lastActivity: RunActivity?
    var lastProgress = -Double.infinity

    /// A run's lifecycle: `probeDays` days back at least to ask about a new plan (more since the
    /// campaign's start, at most 30), `reconnectSeconds` to keep trying a shared store.
    public init(storeLocation: String, probeDays: Int, campaignStart: Double?, reconnectSeconds: Double) {
        self.storeLocation = storeLocation
        self.probeDays = probeDays
        self.campaignStart = campaignStart
        self.reconnectSeconds = reconnectSeconds
    }

    // MARK: - Preparing

    /// What to do with the run the store holds (`stored`), for the plan `planID` this campaign
    /// compiles to now.
    public mutating func loaded(_ stored: StoredRun?, planID: String, endpoint: String?) -> Preparation {
        self.planID = planID
        self.endpoint = endpoint
        guard let stored else { return .plan }
        if stored.metadata.planID == planID {
            // Nothing of it was ever tried: it may have been sent by a run whose state was lost.
            needsProbe = !stored.batches.contains { $0.attempts > 0 || !$0.state.isWaiting }
            return .resume(stored)
        }
        // Sent, or perhaps sent: anything else (pending, refused for a recipient, deferred,
        // expired) reached nobody.
        let touched = stored.batches.filter { $0.state == .accepted || $0.state.isUnsettled }
        if touched.isEmpty { return .setAsideAndPlan(oldPlanID: stored.metadata.planID) }
        return .refuse(oldPlanID: stored.metadata.planID, sent: touched.filter { $0.state == .accepted }.reduce(0) { $0 + $1.recipients },
                       unsettled: touched.filter(\.state.isUnsettled).reduce(0) { $0 + $1.recipients })
    }

    /// The store took a new run of the plan: its first request waits for the probe.
    public mutating func created() {
        needsProbe = true
    }

    /// The run is prepared: sending starts.
    public mutating func started(endpoint: String?) {
        self.endpoint = endpoint
        phase = .sending
    }

    /// What `loaded` decided.
    public enum Preparation: Sendable, Equatable {
        /// Resume the stored run: it is this plan's.
        case resume(StoredRun)
        /// Put the stored run aside (nothing of it was sent) and plan afresh.
        case setAsideAndPlan(oldPlanID: String)
        /// Refuse: the inputs changed after recipients were sent (or may have been).
        case refuse(oldPlanID: String, sent: Int, unsettled: Int)
        /// Plan: the store holds no run.
        case plan
    }

    // MARK: - Probing

    /// Before the plan's first request (a new plan, or one never tried): which batches to ask the
    /// provider about and how many days back, or nil when the run need not ask. The first few
    /// batches (one may have been refused for its recipients and left no record), on every China
    /// date since the campaign's start (at most 30 days, the provider's records) or the last
    /// `probeDays`.
    public mutating func probe(batches: [BatchRecord], now: Double) -> Probe? {
        guard needsProbe else { return nil }
        needsProbe = false
        phase = .probing
        probeUnknown = false
        var days = probeDays
        if let start = campaignStart, start < now {
            days = max(days, min(30, Int(((now - start) / 86_400).rounded(.up)) + 1))
        }
        let notice = "asking \(endpoint ?? "the provider") whether plan \(planID) was sent before (QuerySendDetails, \(days + 1) day\(days == 0 ? "" : "s"))"
        return Probe(batches: Array(batches.prefix(3)), days: days, notice: notice)
    }

    /// What the provider said about one probed batch: the run ends when the plan was sent
    /// before; nil to go on.
    public mutating func probed(_ batch: BatchRecord, _ finding: Reconciler.Finding) -> RunOutcome? {
        switch finding {
        case .found: return .stopped(.alreadySent(outId: batch.outId, planID: planID))
        case .notFound: return nil
        case .unknown:
            probeUnknown = true
            return nil
        }
    }

    /// Every probed batch answered: the run ends when the provider could not be asked; nil to send.
    public mutating func probeEnded() -> RunOutcome? {
        phase = .sending
        guard !probeUnknown else {
            return .later(.providerUnreachable("could not ask \(endpoint ?? "the provider") whether plan \(planID) was sent before (QuerySendDetails failed); nothing was sent; run again"))
        }
        return nil
    }

    /// What to ask the provider before a plan's first request.
    public struct Probe: Sendable, Equatable {
        /// The batches to ask about.
        public var batches: [BatchRecord]
        /// Days back, besides today.
        public var days: Int
        /// What to tell the user.
        public var notice: String
    }
}
