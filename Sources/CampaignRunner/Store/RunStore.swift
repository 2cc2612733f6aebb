import CampaignCompiler

/// Everything a run persists, behind one protocol: the plan and its digest, the batches and their
/// transitions, the attempts and their answers, and the run's metadata. `SQLiteRunStore` keeps it
/// in the campaign's state folder; `InMemoryRunStore` in memory (tests, dry runs). Every store
/// passes the same conformance suite (`RunStoreConformanceTests`), so that another backend
/// (PostgreSQL, for state that must outlive the machine) can be added without touching the runner.
///
/// Each call takes one request or change value, so that the protocol can grow (receipts, runner
/// leases) without breaking its implementations.
public protocol RunStore: Sendable {
    /// Where the store keeps the run, in words for messages (a path, a database name).
    var location: String { get }

    /// The run the store holds, or nil when it holds none (a campaign never started here).
    /// A store that held a run and lost it (a deleted or emptied state beside a started plan) or
    /// cannot be read throws; it never reads as new.
    func load() async throws(RunStoreError) -> StoredRun?

    /// Starts a run: the plan, its metadata and its batches (all pending), all or nothing.
    func create(_ run: NewRun) async throws(RunStoreError)

    /// Commits batch transitions, attempts and metadata together, all or nothing.
    func commit(_ change: RunChange) async throws(RunStoreError)

    /// One request of the stored plan.
    func planBatch(_ request: PlanBatchRequest) async throws(RunStoreError) -> PlanBatch

    /// The stored plan, request by request in order.
    func readPlan(_ body: (PlanBatch) throws(PlanError) -> Void) async throws(RunStoreError)

    /// Attempts and their answers, oldest first.
    func attempts(_ query: AttemptQuery) async throws(RunStoreError) -> [AttemptRecord]

    /// Puts the run aside (kept, not deleted), so that the campaign starts over; where it went.
    func setAside(_ request: SetAsideRequest) async throws(RunStoreError) -> String

    /// Where to write a new plan before `create` takes it in (beside the store, so that it can be
    /// moved rather than copied), or nil for anywhere.
    var planStagingPath: String? { get }
}

extension RunStore {
    public var planStagingPath: String? { nil }
}

/// A run as a store holds it.
public struct StoredRun: Sendable, Hashable {
    public var metadata: RunMetadata
    /// Every batch, in plan order.
    public var batches: [BatchRecord]
    /// What the store fixed as it opened (permissions tightened), for the user to know.
    public var notices: [String]

    /// A stored run.
    public init(metadata: RunMetadata, batches: [BatchRecord], notices: [String] = []) {
        self.metadata = metadata
        self.batches = batches
        self.notices = notices
    }
}

/// A run to start.
public struct NewRun: Sendable {
    public var metadata: RunMetadata
    /// Every batch of the plan, pending.
    public var batches: [BatchRecord]
    /// A complete plan file; the store takes it in (the SQLite store moves it into its folder).
    public var planFile: String

    /// A new run.
    public init(metadata: RunMetadata, batches: [BatchRecord], planFile: String) {
        self.metadata = metadata
        self.batches = batches
        self.planFile = planFile
    }
}

/// Changes committed together.
public struct RunChange: Sendable, Hashable {
    /// Batches' new records (whole rows).
    public var batches: [BatchRecord]
    /// Attempts to add.
    public var attempts: [AttemptRecord]
    /// The run's new metadata, when it changed.
    public var metadata: RunMetadata?
    /// Flushed to disk before the call returns (intents: nothing that may have been sent is ever
    /// forgotten, not even by a power cut). Answers are committed without waiting for the disk: a
    /// lost answer leaves its batch `sending`, which is reconciled.
    public var durable: Bool

    /// A change.
    public init(batches: [BatchRecord] = [], attempts: [AttemptRecord] = [], metadata: RunMetadata? = nil, durable: Bool = false) {
        self.batches = batches
        self.attempts = attempts
        self.metadata = metadata
        self.durable = durable
    }

    /// Whether it changes nothing.
    public var isEmpty: Bool { batches.isEmpty && attempts.isEmpty && metadata == nil }
}

/// Which plan request to read.
public struct PlanBatchRequest: Sendable, Hashable {
    /// The 1-based request number.
    public var batch: Int
    public init(batch: Int) { self.batch = batch }
}

/// Which attempts to read.
public struct AttemptQuery: Sendable, Hashable {
    /// One batch's, or all (nil).
    public var batch: Int?
    public init(batch: Int? = nil) { self.batch = batch }
}

/// How to put a run aside.
public struct SetAsideRequest: Sendable, Hashable {
    /// When (seconds since 1970), to name what is kept.
    public var at: Double
    public init(at: Double) { self.at = at }
}

/// One attempt to send a batch and what came of it.
public struct AttemptRecord: Sendable, Hashable {
    /// What came of an attempt.
    public enum Outcome: String, Sendable, CaseIterable {
        /// Accepted by the provider.
        case accepted
        /// Refused by the provider (the code says why).
        case refused
        /// Refused for flow control, unprocessed.
        case throttled
        /// No answer; settled by reconciliation.
        case unanswered
        /// It never left (stopped before its slot, or no connection).
        case notSent
        /// Found at the provider on reconciliation.
        case found
        /// Not found at the provider a grace period after the attempt.
        case notFound
    }

    public var batch: Int
    /// When it left (seconds since 1970).
    public var startedAt: Double
    /// When its answer came or it was settled.
    public var endedAt: Double
    public var outcome: Outcome
    /// The provider's code, if any.
    public var code: String?

    /// An attempt.
    public init(batch: Int, startedAt: Double, endedAt: Double, outcome: Outcome, code: String? = nil) {
        self.batch = batch
        self.startedAt = startedAt
        self.endedAt = endedAt
        self.outcome = outcome
        self.code = code
    }
}

/// How the last run ended, as status shows it.
public enum RunEnd: String, Sendable, Hashable, CaseIterable {
    /// Every recipient has an outcome.
    case done
    /// Waiting for a window, the start or deferred recipients.
    case waiting
    /// Interrupted (a signal); run again to resume.
    case interrupted
    /// Stopped by an error; the reason is kept.
    case stopped
}

/// What a running run is doing, for `status` from another process.
public struct RunActivity: Sendable, Hashable {
    /// The kind of activity.
    public enum Kind: String, Sendable, Hashable {
        case sending, waiting, reconciling
    }

    public var kind: Kind
    /// Why: for a wait, in words ("before the campaign's start"); while sending, the pace's
    /// `FlowControl.Reason` when it is not the configured rate.
    public var reason: String?
    /// Until when it waits (seconds since 1970).
    public var until: Double?
    /// The pace in force and the configured one, in messages per second.
    public var pace: Double?
    public var ceiling: Double?
    /// When this was written.
    public var at: Double

    /// An activity.
    public init(kind: Kind, reason: String? = nil, until: Double? = nil, pace: Double? = nil, ceiling: Double? = nil, at: Double) {
        self.kind = kind
        self.reason = reason
        self.until = until
        self.pace = pace
        self.ceiling = ceiling
        self.at = at
    }
}

/// A run's metadata: typed, whatever the store keeps it as.
public struct RunMetadata: Sendable, Hashable {
    /// The plan's id (a digest of every input).
    public var planID: String
    /// The campaign's id.
    public var campaign: String
    /// The salvo that started the run.
    public var salvoVersion: String
    /// When the run started (seconds since 1970).
    public var createdAt: Double
    /// The endpoint the run sends to; nil in state written before it was recorded.
    public var endpoint: String?
    /// How the last run ended; nil while the first is under way (or was killed).
    public var lastEnd: RunEnd?
    /// Why it stopped, for `stopped`.
    public var stopReason: String?
    /// What the run holding the campaign does now.
    public var activity: RunActivity?

    /// Metadata.
    public init(planID: String, campaign: String, salvoVersion: String = SalvoVersion.current, createdAt: Double, endpoint: String? = nil,
                lastEnd: RunEnd? = nil, stopReason: String? = nil, activity: RunActivity? = nil) {
        self.planID = planID
        self.campaign = campaign
        self.salvoVersion = salvoVersion
        self.createdAt = createdAt
        self.endpoint = endpoint
        self.lastEnd = lastEnd
        self.stopReason = stopReason
        self.activity = activity
    }
}

/// A store that cannot be used: lost, damaged, foreign, from a newer salvo, or failing. Never
/// recreated silently: the user decides.
public struct RunStoreError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure.
    public struct Code: Hashable, Sendable {
        private enum Kind: Hashable, Sendable { case lost, damaged, foreign, newer, exists, io }
        private let kind: Kind
        private init(_ kind: Kind) { self.kind = kind }
        /// A plan was started and its state is gone (deleted, emptied).
        public static let lost = Code(.lost)
        /// The state cannot be read as it should.
        public static let damaged = Code(.damaged)
        /// Not a salvo state.
        public static let foreign = Code(.foreign)
        /// Written by a newer salvo.
        public static let newer = Code(.newer)
        /// A run was created where one exists.
        public static let exists = Code(.exists)
        /// Reading or writing failed.
        public static let io = Code(.io)
    }

    public var code: Code
    public var message: String
    /// The underlying error, if any.
    public var cause: (any Error & Sendable)?

    /// An error.
    public init(_ code: Code, _ message: String, cause: (any Error & Sendable)? = nil) {
        self.code = code
        self.message = message
        self.cause = cause
    }

    public var description: String { message }
}
