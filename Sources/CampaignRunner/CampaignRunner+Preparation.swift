import CampaignCompiler
import Foundation

/// Preparing a run as `RunLifecycle.loaded` decides: resuming the stored run, putting it aside,
/// refusing it with what changed, or planning and storing a new one.
extension CampaignRunner {
    /// What preparing came to.
    enum Prepared {
        case ready(StoredRun)
        case refused(RunOutcome)
    }

    /// The compiler of this campaign's plan: a promotional campaign leaves out the numbers that
    /// replied to unsubscribe from its sign name (the state folder's suppression list).
    func planCompiler() throws -> PlanCompiler {
        var compiler = PlanCompiler(campaign: campaign)
        do {
            compiler.suppression = try ReceiptsLedger.suppression(for: campaign, stateFolder: options.stateFolder)
        } catch let error as RunStoreError {
            throw error
        } catch {
            throw RunStoreError(.io, "cannot read the suppression list in \(options.stateFolder)/.receipts: \(error)")
        }
        return compiler
    }

    /// Compiles the plan to `output`; a stop asked for meanwhile is `RunError.cancelled`.
    func compile(output: String?, header: PlanHeader? = nil) async throws -> PlanResult {
        let compiler = try planCompiler()
        do {
            return try await compiler.compile(output: output, header: header)
        } catch {
            throw RunError(planning: error)
        }
    }

    /// Makes sure the store holds the run of the plan this campaign compiles to.
    func prepareRun(_ lifecycle: inout RunLifecycle, racing: Bool = false) async throws -> Prepared {
        let loaded = try await store.load()
        let current = try await currentHeader(stored: loaded != nil)
        for notice in loaded?.notices ?? [] { events(.notice(notice)) }
        switch lifecycle.loaded(loaded, planID: current.planId, endpoint: loaded?.metadata.endpoint ?? options.endpoint) {
        case .resume(let stored):
            events(.planned(batches: stored.batches.count, recipients: stored.batches.reduce(0) { $0 + $1.recipients }, planId: current.planId, resumed: true))
            return .ready(stored)
        case .setAsideAndPlan(let old):
            // Nothing of the old plan left: plan again, and say so.
            let kept = try await store.setAside(SetAsideRequest(at: now))
            events(.notice("the campaign's inputs changed and nothing of plan \(old) was sent: planning again (its state is kept in \(kept))"))
        case .refuse(let old, let sent, let unsettled):
            let changes = try await describeChanges(from: old)
            return .refused(.stopped(.inputsChanged(planID: old, changes: changes, sent: sent, unsettled: unsettled, campaign: campaign.path)))
        case .plan:
            break
        }
        return try await createRun(current, lifecycle: &lifecycle, racing: racing)
    }

    /// The header of the plan this campaign compiles to: given, or hashed here. A runner joining
    /// a run planned elsewhere needs only the campaign file: recipient files missing here are
    /// taken as the stored plan has them (a changed one is refused).
    private func currentHeader(stored: Bool) async throws -> PlanHeader {
        if let given = options.planHeader { return given }
        guard stored, let storedHeader = try await store.planHeader() else { return try PlanCompiler.header(for: campaign) }
        let made = try PlanCompiler.header(for: campaign, stored: storedHeader)
        if !made.missing.isEmpty, made.header.planId == storedHeader.planId {
            events(.notice("\(made.missing.map { "'\($0)'" }.joined(separator: ", ")) not found here: sending the plan stored in \(store.location), which was made from \(made.missing.count == 1 ? "it" : "them")"))
        }
        return made.header
    }

    /// Plans (or takes the given plan), and stores the new run; a runner that lost the race to
    /// plan a shared run joins the winner's.
    private func createRun(_ current: PlanHeader, lifecycle: inout RunLifecycle, racing: Bool) async throws -> Prepared {
        let staging = store.planStagingPath ?? NSTemporaryDirectory() + "salvo-plan-\(getpid())-\(UUID().uuidString).jsonl"
        defer { try? FileManager.default.removeItem(atPath: staging) }
        if let refusal = try await writePlan(to: staging, current: current) { return .refused(refusal) }
        var records: [BatchRecord] = []
        var recipients = 0
        do {
            _ = try PlanReader.batches(at: staging) { batch in
                recipients += batch.recipients.count
                records.append(BatchRecord(batch: batch.batch, action: batch.action, outId: batch.outId, recipients: batch.recipients.count, segments: batch.segments,
                                           firstPhone: batch.recipients.first?.first ?? "", state: .pending, attempts: 0))
            }
        } catch {
            throw RunError(planning: error)
        }
        let metadata = RunMetadata(planID: current.planId, campaign: campaign.id.value, createdAt: now, endpoint: options.endpoint)
        do {
            try await store.create(NewRun(metadata: metadata, batches: records, planFile: staging))
        } catch {
            guard error.code == .exists, store is any SharedRunStore, !racing else { throw error }
            // Another runner planned it first: join its run.
            return try await prepareRun(&lifecycle, racing: true)
        }
        lifecycle.created()
        events(.planned(batches: records.count, recipients: recipients, planId: current.planId, resumed: false))
        return .ready(StoredRun(metadata: metadata, batches: records))
    }

    /// Writes the plan to `staging`: a copy of the given one (which must be this campaign's), or a
    /// new compile; the outcome when it is refused.
    private func writePlan(to staging: String, current: PlanHeader) async throws -> RunOutcome? {
        guard let given = options.planPath else {
            let result = try await compile(output: staging, header: current)
            guard result.isComplete else {
                events(.problems(ValidationReport(fileCount: 1, diagnostics: result.diagnostics.diagnostics, sources: result.sources, omitted: result.diagnostics.omitted)))
                return .stopped(.invalidCampaign)
            }
            return nil
        }
        guard let header = PlanReader.header(at: given) else { return .stopped(.notAPlan(path: given)) }
        guard header.planId == current.planId else {
            let changes = try await describeChanges(from: header) { sources in PlanReader.phones(at: given, sources: sources) }
            return .stopped(.planMismatch(path: given, changes: changes))
        }
        try? FileManager.default.removeItem(atPath: staging)
        do {
            try FileManager.default.copyItem(atPath: given, toPath: staging)
        } catch {
            throw RunError(.plan, "cannot copy the plan into the state folder: \(error.localizedDescription)", cause: error)
        }
        return nil
    }

    /// What changed since the stored plan `planID` was made, in words: by file, and where the
    /// store compares recipients, how many were added and removed.
    private func describeChanges(from planID: String) async throws -> [String] {
        guard let old = try await store.planHeader() else { return ["the plan's inputs (plan \(planID) before)"] }
        guard store.comparesRecipients else {
            let result = try PlanCompiler.header(for: campaign, stored: nil).header
            return PlanReader.changes(from: old, oldPhones: nil, to: result, newPhones: nil)
        }
        let store = self.store
        return try await describeChanges(from: old) { sources in try await store.planRecipients(PlanRecipientsRequest(sources: sources)) }
    }

    /// What changed since the plan `old` describes, its recipients read by `oldPhones`.
    private func describeChanges(from old: PlanHeader, oldPhones: (Set<Int>) async throws -> [Int: [PlanReader.PlannedRecipient]]?) async throws -> [String] {
        let temporary = NSTemporaryDirectory() + "salvo-compare-\(getpid())-\(UUID().uuidString).jsonl"
        defer { try? FileManager.default.removeItem(atPath: temporary) }
        let result = try await compile(output: temporary)
        let changed = PlanReader.changedSources(from: old, to: result.header)
        let oldPhones = try await oldPhones(changed)
        let newPhones = result.isComplete && oldPhones != nil ? PlanReader.phones(at: temporary, sources: changed) : [:]
        return PlanReader.changes(from: old, oldPhones: oldPhones, to: result.header, newPhones: newPhones)
    }
}
