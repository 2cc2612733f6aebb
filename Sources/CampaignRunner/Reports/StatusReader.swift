import CampaignCompiler
import Foundation

/// Reads a campaign's state without changing it.
public struct StatusReader: Sendable {
    /// The campaign.
    public var campaign: Campaign
    /// The folder of state stores (one subfolder per campaign), or where the store is.
    public var stateFolder: String
    /// Where the campaign's state is kept.
    private let backend: any StateBackend

    /// A reader of `campaign`'s state in `backend`.
    public init(campaign: Campaign, backend: any StateBackend) {
        self.campaign = campaign
        self.backend = backend
        stateFolder = backend.folder ?? backend.place(campaign: campaign.id.value)
    }

    /// A reader of `campaign`'s state in `stateFolder`.
    public init(campaign: Campaign, stateFolder: String) {
        self.init(campaign: campaign, backend: FolderBackend(root: stateFolder))
    }

    /// A reader of `campaign`'s state in `store` (a shared database).
    public init(campaign: Campaign, store: any RunStore) {
        self.init(campaign: campaign, backend: SingleStoreBackend(store: store, localFolder: store.location))
    }

    /// Where the campaign's state is, in words.
    var folder: String { backend.place(campaign: campaign.id.value) }

    /// The campaign's store, opened read-only.
    var store: any RunStore { backend.store(StoreRequest(campaign: campaign.id.value, readOnly: true)) }

    /// Whether a live run holds the campaign's lock (never for a database).
    private func lockHeld() async throws(RunStoreError) -> Bool {
        try await backend.isLocked(campaign: campaign.id.value)
    }

    /// Where the campaign stands; a store that cannot be read (lost, damaged) throws, as `run`
    /// would refuse it.
    public func status() async throws(RunStoreError) -> CampaignStatus {
        try await status(receipts: nil)
    }

    /// Where the campaign stands, counting `receipts` when the caller has read them already.
    func status(receipts known: [Receipt]?) async throws(RunStoreError) -> CampaignStatus {
        let store = self.store
        var status = CampaignStatus(state: "not-started", campaign: campaign.id.value, counts: RunCounts(), location: folder, remainingSeconds: 0,
                                    timeZone: TimeZone(identifier: campaign.schedule.timezone.value) ?? .current)
        guard let run = try await store.load() else { return status }
        status.location = store.location
        status.counts = RunCounts(run.batches)
        status.planId = run.metadata.planID
        status.endpoint = run.metadata.endpoint
        status.preflight = run.metadata.preflight
        status.preflightAt = run.metadata.preflightAt
        // Runners sharing the run in a database: the live ones hold their `sending` batches in flight.
        var liveRunners: Set<String> = []
        if let shared = store as? any SharedRunStore {
            let runners = try await shared.runners()
            liveRunners = Set(runners.filter(\.live).map(\.id))
            // A runner that left without saying so (killed) and holds nothing is gone, not
            // listed; each live runner's in-flight count is its share of the total below.
            status.runners = runners.compactMap { runner in
                guard runner.live || runner.holding > 0 else { return nil }
                var runner = runner
                runner.inFlight = runner.live ? run.batches.filter { $0.state == .sending && $0.owner == runner.id }.reduce(0) { $0 + $1.recipients } : 0
                return runner
            }
        }
        if !liveRunners.isEmpty {
            let inFlight = run.batches.filter { $0.state == .sending && $0.owner.map(liveRunners.contains) == true }.reduce(0) { $0 + $1.recipients }
            status.inFlight = inFlight
            status.counts.uncertain -= inFlight
            status.activity = run.metadata.activity
            status.state = status.counts.isDone ? "done" : run.metadata.activity?.kind == .waiting ? "waiting" : "running"
        } else if try await lockHeld() {
            // A live run: its `sending` batches are in flight, not uncertain.
            let inFlight = run.batches.filter { $0.state == .sending }.reduce(0) { $0 + $1.recipients }
            status.inFlight = inFlight
            status.counts.uncertain -= inFlight
            status.activity = run.metadata.activity
            status.state = run.metadata.activity?.kind == .waiting ? "waiting" : "running"
        } else if status.counts.isDone {
            status.state = "done"
        } else if run.metadata.lastEnd == .stopped {
            status.state = "stopped"
            status.stopReason = run.metadata.stopReason
        } else if run.metadata.lastEnd == .interrupted || run.metadata.lastEnd == nil || status.counts.uncertain > 0 {
            status.state = "interrupted"
        } else {
            status.state = "waiting"
        }
        status.remainingSeconds = Double(status.counts.pending + status.counts.deferred + status.counts.uncertain) / Double(max(campaign.sending.rate, 1))
        let receipts = if let known { known } else { try await store.receipts(ReceiptQuery()) }
        status.delivery = DeliveryCounts(receipts: receipts, sent: status.counts.sent)
        status.countries = try await countries(run, counts: status.counts, receipts: receipts)
        status.international = isInternational
        status.suppressed = try await store.planTrailer()?.suppressed ?? 0
        return status
    }

    /// The endpoint the campaign's run sends to, as recorded (nil: no run, or none recorded).
    public func recordedEndpoint() async throws(RunStoreError) -> String? {
        try await store.load()?.metadata.endpoint
    }

    /// The endpoint a resume of plan `planID` keeps: the one its run recorded, when the stored run
    /// is that plan (a run of other inputs is planned again or refused, and a new plan sends where
    /// the campaign says).
    public func endpoint(resuming planID: String) async throws(RunStoreError) -> String? {
        guard let metadata = try await store.load()?.metadata, metadata.planID == planID else { return nil }
        return metadata.endpoint
    }

    /// The time of a batch's last attempt (seconds since 1970), by batch number: where to look for
    /// its receipts.
    public func attemptTimes() async throws(RunStoreError) -> [Int: Double] {
        guard let run = try await store.load() else { return [:] }
        var times: [Int: Double] = [:]
        for batch in run.batches { times[batch.batch] = batch.attemptAt }
        return times
    }

    /// Which recipients a report lists.
    public enum ReportSelection: Sendable {
        case all
        /// Those not sent.
        case notSent
        /// Those sent (accepted by the provider).
        case sent
    }

    /// The columns a report ends with: the pushed receipt's verdict (`delivered`, `failed`, or
    /// `waiting` for a sent message without one), its carrier code and report time.
    public static let deliveryColumns = ["delivery", "delivery_code", "reported_at"]

    /// One row per recipient with its outcome, its receipt and its calling code, in plan order.
    public func report(_ selection: ReportSelection, _ row: ([String]) -> Void) async throws(RunStoreError) -> [String] {
        let store = self.store
        guard let run = try await store.load() else {
            throw RunStoreError(.io, "campaign '\(campaign.id.value)' has not been run (no run in \(folder))")
        }
        let byBatch = run.batches
        let parameters = campaign.parameters.map(\.name.value)
        let header = ["phone"] + parameters + ["outcome", "code", "batch", "out_id", "biz_id"] + Self.deliveryColumns + [Self.countryColumn]
        // The receipt that counts for each batch and number.
        let delivered = Receipt.counting(try await store.receipts(ReceiptQuery()))
        try await store.readPlan { batch in
            let record = batch.batch >= 1 && batch.batch <= byBatch.count ? byBatch[batch.batch - 1] : nil
            let outcome: String
            switch record?.state ?? .pending {
            case .accepted: outcome = "sent"
            case .failed: outcome = "failed"
            case .expired: outcome = "expired"
            case .deferred: outcome = "deferred"
            case .pending: outcome = "pending"
            case .sending, .uncertain: outcome = "uncertain"
            }
            switch selection {
            case .all: break
            case .notSent: if outcome == "sent" { return }
            case .sent: if outcome != "sent" { return }
            }
            let receipts = delivered[batch.batch]
            for recipient in batch.recipients {
                let values = batch.values ?? Array(recipient.dropFirst(2))
                let receipt = receipts?[recipient[0]]
                let delivery = receipt.map { [$0.success ? "delivered" : "failed", $0.code, $0.reportTime] } ?? (outcome == "sent" ? ["waiting", "", ""] : ["", "", ""])
                row([recipient[0]] + values + [outcome, record?.code ?? "", String(batch.batch), batch.outId, record?.bizId ?? ""] + delivery
                    + [String(callingCode(ofPlanned: recipient[0]))])
            }
        }
        return header
    }
}
