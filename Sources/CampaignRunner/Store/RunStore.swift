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

    /// Stores delivery receipts of the run durably (on disk before it returns), each once: a
    /// receipt with the BizId and phone of one already held is counted as a duplicate.
    func storeReceipts(_ batch: ReceiptBatch) async throws(RunStoreError) -> ReceiptsStored

    /// Receipts, in the order they were stored.
    func receipts(_ query: ReceiptQuery) async throws(RunStoreError) -> [Receipt]

    /// Puts the run aside (kept, not deleted), so that the campaign starts over; where it went.
    func setAside(_ request: SetAsideRequest) async throws(RunStoreError) -> String

    /// Where to write a new plan before `create` takes it in (beside the store, so that it can be
    /// moved rather than copied), or nil for anywhere.
    var planStagingPath: String? { get }

    /// The stored plan's header, or nil when the store holds no run: what a runner checks the
    /// campaign against when the plan is taken from the store, and what `report --not-sent`
    /// checks the recipient files against.
    func planHeader() async throws(RunStoreError) -> PlanHeader?

    /// The stored plan's last line (counts, what the suppression list left out), or nil.
    func planTrailer() async throws(RunStoreError) -> PlanTrailer?

    /// Whether the store can give the stored plan's recipients by source (`planRecipients`), to
    /// count what changed in a recipient file; a store that cannot says what changed by file.
    var comparesRecipients: Bool { get }

    /// The stored plan's recipients of the given sources, sorted; nil when the store does not
    /// compare recipients or the plan is too large to (see `PlanReader.comparableBytes`).
    func planRecipients(_ request: PlanRecipientsRequest) async throws(RunStoreError) -> [Int: [PlanReader.PlannedRecipient]]?

    /// What identifies the storage of the run now (a file's device and inode), so that a reader
    /// that keeps a run in memory notices a reset or a new run; nil when the store cannot tell.
    func storageIdentity() -> String?

    /// Round trips to a database made so far (for benchmarks; 0 for a store that makes none).
    var roundTrips: Int { get }

    /// Releases the store's connections (a database's); the store is not used after.
    func close() async
}

extension RunStore {
    public var planStagingPath: String? { nil }
    public func storageIdentity() -> String? { nil }
    public var roundTrips: Int { 0 }
    public func close() async {}
}

/// Which of the stored plan's recipients to read.
public struct PlanRecipientsRequest: Sendable, Hashable {
    /// The recipient sources (0-based, as in the plan header).
    public var sources: Set<Int>
    /// The recipients of `sources`.
    public init(sources: Set<Int>) { self.sources = sources }
}

/// Which plan request to read.
public struct PlanBatchRequest: Sendable, Hashable {
    /// The 1-based request number.
    public var batch: Int
    /// A request for batch `batch`.
    public init(batch: Int) { self.batch = batch }
}

/// Which attempts to read.
public struct AttemptQuery: Sendable, Hashable {
    /// One batch's, or all (nil).
    public var batch: Int?
    /// The attempts of `batch`, or of all batches.
    public init(batch: Int? = nil) { self.batch = batch }
}

/// How to put a run aside.
public struct SetAsideRequest: Sendable, Hashable {
    /// When (seconds since 1970), to name what is kept.
    public var at: Double
    /// Set aside at `at`.
    public init(at: Double) { self.at = at }
}
