import CampaignCompiler
import Foundation

/// Where a campaign stands, from its state store: the `status` command and the last line of `run`.
public struct CampaignStatus: Sendable {
    /// `not-started`, `waiting`, `running`, `interrupted`, `stopped` or `done`.
    public var state: String
    public var campaign: String
    public var counts: RunCounts
    public var planId: String?
    public var stopReason: String?
    /// Seconds of sending left at the campaign's rate.
    public var remainingSeconds: Double

    /// The contract's JSON: `{"campaign", "state", "recipients": {…}}` and more.
    public func json() -> String {
        var object: [String: Any] = [
            "campaign": campaign, "state": state,
            "recipients": ["total": counts.total, "sent": counts.sent, "failed": counts.failed, "deferred": counts.deferred,
                           "pending": counts.pending, "uncertain": counts.uncertain, "expired": counts.expired],
            "failedByCode": counts.failedByCode,
        ]
        if let planId { object["planId"] = planId }
        if let stopReason { object["stopReason"] = stopReason }
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    /// A few lines for people.
    public func text() -> String {
        guard state != "not-started" else { return "campaign '\(campaign)': not started\n" }
        var out = "campaign '\(campaign)': \(state)\(planId.map { " (plan \($0))" } ?? "")\n"
        out += "  \(counts.sent) of \(counts.total) sent, \(counts.failed) failed, \(counts.deferred) deferred, \(counts.pending) pending, \(counts.uncertain) uncertain, \(counts.expired) expired\n"
        if !counts.failedByCode.isEmpty {
            out += "  failed by reason: " + counts.failedByCode.sorted { $0.value > $1.value }.map { "\($0.key) \($0.value)" }.joined(separator: ", ") + "\n"
        }
        if counts.pending + counts.deferred + counts.uncertain > 0, remainingSeconds > 0 {
            out += "  about \(Int(remainingSeconds.rounded(.up))) s of sending left at the campaign's rate, inside its windows\n"
        }
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

    public func status() -> CampaignStatus {
        let path = folder + "/state.db"
        var status = CampaignStatus(state: "not-started", campaign: campaign.id.value, counts: RunCounts(), planId: nil, stopReason: nil, remainingSeconds: 0)
        guard FileManager.default.fileExists(atPath: path), let store = try? StateStore(path: path), let batches = try? store.batches(), store.meta("plan_id") != nil else {
            return status
        }
        status.counts = RunCounts(batches)
        status.planId = store.meta("plan_id")
        let last = store.meta("last_outcome")
        if CampaignLock.isHeld(path: folder + "/lock") {
            status.state = "running"
        } else if status.counts.isDone {
            status.state = "done"
        } else if last == "stopped" {
            status.state = "stopped"
            status.stopReason = store.meta("stop_reason")
        } else if last == "interrupted" || last == nil || status.counts.uncertain > 0 {
            status.state = "interrupted"
        } else {
            status.state = "waiting"
        }
        status.remainingSeconds = Double(status.counts.pending + status.counts.deferred + status.counts.uncertain) / Double(max(campaign.sending.rate, 1))
        return status
    }

    /// The time of a batch's last attempt (seconds since 1970), by batch number: where to look for
    /// its receipts.
    public func attemptTimes() throws -> [Int: Double] {
        let path = folder + "/state.db"
        guard FileManager.default.fileExists(atPath: path) else { return [:] }
        var times: [Int: Double] = [:]
        for batch in try StateStore(path: path).batches() { times[batch.batch] = batch.attemptAt }
        return times
    }

    /// One row per recipient with its outcome, in plan order; `onlyUnsent` keeps those not sent.
    public func report(onlyUnsent: Bool, _ row: ([String]) -> Void) throws -> [String] {
        let path = folder + "/state.db"
        guard FileManager.default.fileExists(atPath: path) else { throw StateStoreError("campaign '\(campaign.id.value)' has not been run (no state in \(folder))") }
        let store = try StateStore(path: path)
        var byBatch: [Int: BatchRecord] = [:]
        for batch in try store.batches() { byBatch[batch.batch] = batch }
        let parameters = campaign.parameters.map(\.name.value)
        let header = ["phone"] + parameters + ["outcome", "code", "batch", "out_id", "biz_id"]
        _ = try PlanReader.batches(at: folder + "/plan.jsonl") { batch in
            let record = byBatch[batch.batch]
            let outcome: String
            switch record?.state ?? .pending {
            case .accepted: outcome = "sent"
            case .failed: outcome = "failed"
            case .expired: outcome = "expired"
            case .deferred: outcome = "deferred"
            case .pending: outcome = "pending"
            case .sending, .uncertain: outcome = "uncertain"
            }
            if onlyUnsent, outcome == "sent" { return }
            for recipient in batch.recipients {
                let values = batch.values ?? Array(recipient.dropFirst(2))
                row([recipient[0]] + values + [outcome, record?.code ?? "", String(batch.batch), batch.outId, record?.bizId ?? ""])
            }
        }
        return header
    }
}
