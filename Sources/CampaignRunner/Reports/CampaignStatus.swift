import CampaignCompiler
import Foundation

/// Where a campaign stands, from its run store: the `status` command and the last line of `run`.
public struct CampaignStatus: Sendable {
    /// `not-started`, `waiting`, `running`, `interrupted`, `stopped` or `done`.
    public var state: String
    public var campaign: String
    public var counts: RunCounts
    /// Recipients whose requests a live run has in flight (counted here, not as uncertain).
    public var inFlight = 0
    public var planId: String?
    public var stopReason: String?
    /// What a live run is doing: waiting and why, or sending at what pace.
    public var activity: RunActivity?
    /// The endpoint the run sends to.
    public var endpoint: String?
    /// Where the state is (or was looked for).
    public var location: String
    /// Seconds of sending left at the campaign's rate.
    public var remainingSeconds: Double
    /// Times are shown in the campaign's zone.
    var timeZone: TimeZone = .current

    /// The contract's JSON: `{"campaign", "state", "recipients": {…}}` and more.
    public func json() -> String {
        var recipients: [String: Any] = ["total": counts.total, "sent": counts.sent, "failed": counts.failed, "deferred": counts.deferred,
                                         "pending": counts.pending, "uncertain": counts.uncertain, "expired": counts.expired]
        if state == "running" || state == "waiting" { recipients["inFlight"] = inFlight }
        var object: [String: Any] = ["campaign": campaign, "state": state, "recipients": recipients, "failedByCode": counts.failedByCode, "location": location]
        if let planId { object["planId"] = planId }
        if let stopReason { object["stopReason"] = stopReason }
        if let endpoint { object["endpoint"] = endpoint }
        if let activity {
            var live: [String: Any] = ["kind": activity.kind.rawValue]
            if let reason = activity.reason { live["reason"] = reason }
            if let until = activity.until { live["until"] = until }
            if let pace = activity.pace { live["pace"] = pace.rounded() }
            if let ceiling = activity.ceiling { live["rate"] = ceiling.rounded() }
            object["activity"] = live
        }
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    /// A few lines for people.
    public func text() -> String {
        guard state != "not-started" else { return "campaign '\(campaign)': not started (no run in \(location))\n" }
        var out = "campaign '\(campaign)': \(state)\(planId.map { " (plan \($0))" } ?? "")\n"
        var parts = ["\(counts.sent) of \(counts.total) sent", "\(counts.failed) failed", "\(counts.deferred) deferred", "\(counts.pending) pending"]
        if inFlight > 0 { parts.append("\(inFlight) in flight") }
        parts += ["\(counts.uncertain) uncertain", "\(counts.expired) expired"]
        out += "  " + parts.joined(separator: ", ") + "\n"
        if !counts.failedByCode.isEmpty {
            out += "  failed by reason: " + counts.failedByCode.sorted { $0.value > $1.value }.map { "\($0.key) \($0.value)" }.joined(separator: ", ") + "\n"
        }
        if let activity, state == "running" || state == "waiting" {
            switch activity.kind {
            case .waiting:
                let until = activity.until.map { " until " + PlanSummary.clock(Date(timeIntervalSince1970: $0), timeZone) + " " + timeZone.identifier } ?? ""
                out += "  waiting\(until)" + (activity.reason.map { " (\($0))" } ?? "") + "\n"
            case .sending, .reconciling:
                if let ceiling = activity.ceiling {
                    let reason = activity.reason.flatMap(FlowControl.Reason.init(rawValue:)) ?? .configured
                    out += "  pace: \(Pace(rate: activity.pace ?? ceiling, ceiling: ceiling, reason: reason).description)\n"
                }
            }
        }
        if counts.pending + counts.deferred + counts.uncertain > 0, remainingSeconds > 0 {
            out += "  about \(Int(remainingSeconds.rounded(.up))) s of sending left at the campaign's rate, inside its windows\n"
        }
        if let endpoint { out += "  endpoint: \(endpoint)\n" }
        if let stopReason { out += "  stopped: \(stopReason)\n" }
        return out
    }
}

/// Reads a campaign's state without changing it.
public struct StatusReader: Sendable {
    public var campaign: Campaign
    public var stateFolder: String

    public init(campaign: Campaign, stateFolder: String) {
        self.campaign = campaign
        self.stateFolder = stateFolder
    }

    var folder: String { stateFolder + "/" + campaign.id.value }

    /// The campaign's store, opened read-only.
    var store: SQLiteRunStore { SQLiteRunStore(folder: folder, readOnly: true) }

    /// Where the campaign stands; a store that cannot be read (lost, damaged) throws, as `run`
    /// would refuse it.
    public func status() async throws(RunStoreError) -> CampaignStatus {
        let store = self.store
        var status = CampaignStatus(state: "not-started", campaign: campaign.id.value, counts: RunCounts(), location: folder, remainingSeconds: 0,
                                    timeZone: TimeZone(identifier: campaign.schedule.timezone.value) ?? .current)
        guard let run = try await store.load() else { return status }
        status.location = store.location
        status.counts = RunCounts(run.batches)
        status.planId = run.metadata.planID
        status.endpoint = run.metadata.endpoint
        if CampaignLock.isHeld(path: folder + "/lock") {
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
        return status
    }

    /// The endpoint the campaign's run sends to, as recorded (nil: no run, or none recorded).
    public func recordedEndpoint() async throws(RunStoreError) -> String? {
        try await store.load()?.metadata.endpoint
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

    /// One row per recipient with its outcome, in plan order.
    public func report(_ selection: ReportSelection, _ row: ([String]) -> Void) async throws(RunStoreError) -> [String] {
        let store = self.store
        guard let run = try await store.load() else {
            throw RunStoreError(.io, "campaign '\(campaign.id.value)' has not been run (no run in \(folder))")
        }
        let byBatch = run.batches
        let parameters = campaign.parameters.map(\.name.value)
        let header = ["phone"] + parameters + ["outcome", "code", "batch", "out_id", "biz_id"]
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
            for recipient in batch.recipients {
                let values = batch.values ?? Array(recipient.dropFirst(2))
                row([recipient[0]] + values + [outcome, record?.code ?? "", String(batch.batch), batch.outId, record?.bizId ?? ""])
            }
        }
        return header
    }
}
