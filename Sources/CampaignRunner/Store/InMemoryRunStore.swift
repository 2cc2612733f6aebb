import CampaignCompiler
import Synchronization

/// A run store in memory: for tests and for runs whose state needs to outlive nothing. It keeps
/// the same rules as every store (one run, whole changes, attempts in order).
public final class InMemoryRunStore: RunStore {
    private struct Held {
        var run: StoredRun?
        var plan: [PlanBatch] = []
        var header: PlanHeader?
        var trailer: PlanTrailer?
        var attempts: [AttemptRecord] = []
        var setAside: [StoredRun] = []
        var receipts = MemoryReceipts()
    }

    private let held = Mutex(Held())

    /// An empty store.
    public init() {}

    public var location: String { "memory" }

    public func storeReceipts(_ batch: ReceiptBatch) async throws(RunStoreError) -> ReceiptsStored {
        try held.withLock { held throws(RunStoreError) -> ReceiptsStored in try held.receipts.store(batch, for: held.run) }
    }

    public func receipts(_ query: ReceiptQuery) async throws(RunStoreError) -> [Receipt] {
        held.withLock { $0.receipts.matching(query) }
    }

    public func load() async throws(RunStoreError) -> StoredRun? {
        held.withLock { $0.run }
    }

    public func create(_ run: NewRun) async throws(RunStoreError) {
        let (taken, header, trailer) = try run.readWholePlan()
        try held.withLock { held throws(RunStoreError) in
            guard held.run == nil else { throw RunStoreError(.exists, "the store already holds a run") }
            held.run = StoredRun(metadata: run.metadata, batches: run.batches)
            held.plan = taken
            held.header = header
            held.trailer = trailer
            held.attempts = []
        }
    }

    public func commit(_ change: RunChange) async throws(RunStoreError) {
        try held.withLock { held throws(RunStoreError) in
            guard var run = held.run else { throw RunStoreError(.io, "the store holds no run") }
            // Checked whole before any of it is applied: all or nothing.
            for batch in change.batches where !run.batches.indices.contains(batch.batch - 1) {
                throw RunStoreError(.io, "the run has no batch \(batch.batch)")
            }
            for batch in change.batches { run.batches[batch.batch - 1] = batch }
            if let metadata = change.metadata { run.metadata = metadata }
            held.run = run
            held.attempts += change.attempts
        }
    }

    public func planBatch(_ request: PlanBatchRequest) async throws(RunStoreError) -> PlanBatch {
        try held.withLock { held throws(RunStoreError) -> PlanBatch in
            guard held.plan.indices.contains(request.batch - 1) else {
                throw RunStoreError(.damaged, "the plan has no batch \(request.batch)")
            }
            return held.plan[request.batch - 1]
        }
    }

    public func readPlan(_ body: (PlanBatch) throws(PlanError) -> Void) async throws(RunStoreError) {
        let plan = held.withLock { $0.plan }
        do {
            for batch in plan { try body(batch) }
        } catch {
            throw RunStoreError(.damaged, "the plan cannot be read: \(error)", cause: error)
        }
    }

    public func attempts(_ query: AttemptQuery) async throws(RunStoreError) -> [AttemptRecord] {
        held.withLock { held in held.attempts.filter { query.batch == nil || $0.batch == query.batch } }
    }

    public func setAside(_ request: SetAsideRequest) async throws(RunStoreError) -> String {
        held.withLock { held in
            if let run = held.run { held.setAside.append(run) }
            held.run = nil
            held.plan = []
            held.header = nil
            held.trailer = nil
            held.attempts = []
            return "memory (set aside \(held.setAside.count))"
        }
    }

    public func planHeader() async throws(RunStoreError) -> PlanHeader? {
        held.withLock { $0.run == nil ? nil : $0.header }
    }

    public func planTrailer() async throws(RunStoreError) -> PlanTrailer? {
        held.withLock { $0.run == nil ? nil : $0.trailer }
    }

    /// Changes are told by file: the numbers are not compared.
    public var comparesRecipients: Bool { false }

    public func planRecipients(_ request: PlanRecipientsRequest) async throws(RunStoreError) -> [Int: [PlanReader.PlannedRecipient]]? { nil }
}
