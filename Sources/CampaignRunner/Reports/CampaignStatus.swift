import CampaignCompiler
import Foundation

/// Where a campaign stands, from its run store: the `status` command and the last line of `run`.
public struct CampaignStatus: Sendable {
    /// `not-started`, `waiting`, `running`, `interrupted`, `stopped` or `done`.
    public var state: String
    /// The campaign's id.
    public var campaign: String
    /// Recipients by outcome.
    public var counts: RunCounts
    /// Recipients whose requests a live run has in flight (counted here, not as uncertain).
    public var inFlight = 0
    /// The plan the run sends.
    public var planId: String?
    /// Why the last run stopped, when it did.
    public var stopReason: String?
    /// What a live run is doing: waiting and why, or sending at what pace.
    public var activity: RunActivity?
    /// The endpoint the run sends to.
    public var endpoint: String?
    /// What the run's last preflight came to (its summary, or skipped), text only.
    public var preflight: String?
    /// When it was made (seconds since 1970).
    public var preflightAt: Double?
    /// Where the state is (or was looked for).
    public var location: String
    /// Recipients the plan left out as unsubscribed (promotional campaigns).
    public var suppressed = 0
    /// How the messages sent fared, from the receipts pushed (nil before a run).
    public var delivery: DeliveryCounts?
    /// Seconds of sending left at the campaign's rate.
    public var remainingSeconds: Double
    /// The runners of a shared run (live first), when the state is a database.
    public var runners: [RunnerRecord]?
    /// Recipients, sent, delivered, failed, segments and cost per calling code (nil before a run).
    public var countries: [Int: CountryFigures]?
    /// Whether the campaign sends outside the mainland (its text lists the countries).
    public var international = false
    /// Times are shown in the campaign's zone.
    var timeZone: TimeZone = .current

    /// The contract's JSON: `{"campaign", "state", "recipients": {…}}` and more.
    public func json() -> String {
        var recipients: [String: Any] = ["total": counts.total, "sent": counts.sent, "failed": counts.failed, "deferred": counts.deferred,
                                         "pending": counts.pending, "uncertain": counts.uncertain, "expired": counts.expired]
        if state == "running" || state == "waiting" { recipients["inFlight"] = inFlight }
        if state != "not-started" { recipients["suppressed"] = suppressed }
        var object: [String: Any] = ["campaign": campaign, "state": state, "recipients": recipients, "failedByCode": counts.failedByCode, "location": location]
        if let planId { object["planId"] = planId }
        if let runners {
            object["runners"] = runners.map { runner -> [String: Any] in
                ["host": runner.host, "pid": runner.pid, "live": runner.live, "heartbeatAt": runner.heartbeatAt, "inFlight": runner.inFlight, "holding": runner.holding]
            }
        }
        if let stopReason { object["stopReason"] = stopReason }
        if let preflight {
            var record: [String: Any] = ["result": preflight]
            if let preflightAt { record["at"] = preflightAt }
            object["preflight"] = record
        }
        if let endpoint { object["endpoint"] = endpoint }
        if let delivery {
            object["delivery"] = ["delivered": delivery.delivered, "failed": delivery.failed, "waiting": delivery.waiting]
            object["deliveryFailedByCode"] = delivery.failedByCode
            object["billedSegments"] = delivery.billedSegments
        }
        if let countries {
            object["countries"] = Dictionary(uniqueKeysWithValues: countries.map { (String($0.key), $0.value.jsonObject) })
        }
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
            case .sending:
                if let ceiling = activity.ceiling {
                    let reason = activity.reason.flatMap(FlowControl.Reason.init(rawValue:)) ?? .configured
                    out += "  pace: \(Pace(rate: activity.pace ?? ceiling, ceiling: ceiling, reason: reason).description)\n"
                }
            }
        }
        if counts.pending + counts.deferred + counts.uncertain > 0, remainingSeconds > 0 {
            out += "  about \(Int(remainingSeconds.rounded(.up))) s of sending left at the campaign's rate, inside its windows\n"
        }
        if let delivery, delivery.delivered + delivery.failed > 0 {
            out += "  delivery: \(delivery.delivered) delivered, \(delivery.failed) failed, \(delivery.waiting) waiting for a receipt\n"
            if !delivery.failedByCode.isEmpty {
                out += "  not delivered by carrier code: " + delivery.failedByCode.sorted { $0.value > $1.value }.map { "\($0.key) \($0.value)" }.joined(separator: ", ") + "\n"
            }
        }
        if international, let countries {
            for (code, figures) in countries.sorted(by: { $0.key < $1.key }) {
                out += "  " + figures.line(callingCode: code, region: CallingCodes.mainRegion(callingCode: code)) + "\n"
            }
        }
        if let runners, !runners.isEmpty {
            out += "  runners:\n"
            for runner in runners {
                let beat = PlanSummary.clock(Date(timeIntervalSince1970: runner.heartbeatAt), timeZone) + " " + timeZone.identifier
                let standing = runner.live ? "live, last heartbeat \(beat), \(runner.inFlight) recipient\(runner.inFlight == 1 ? "" : "s") in flight"
                    : "lease expired (last heartbeat \(beat)); its \(runner.holding) batch\(runner.holding == 1 ? "" : "es") go\(runner.holding == 1 ? "es" : "") to the next runner"
                out += "    \(runner.host) pid \(runner.pid): \(standing)\n"
            }
        }
        if let endpoint { out += "  endpoint: \(endpoint)\n" }
        if let stopReason { out += "  stopped: \(stopReason)\n" }
        if let preflight {
            let at = preflightAt.map { " (" + PlanSummary.clock(Date(timeIntervalSince1970: $0), timeZone) + " " + timeZone.identifier + ")" } ?? ""
            // A summary names itself ("preflight of …"); a skip does not.
            out += "  \(preflight.hasPrefix("preflight") ? preflight : "preflight: " + preflight)\(at)\n"
        }
        return out
    }
}
