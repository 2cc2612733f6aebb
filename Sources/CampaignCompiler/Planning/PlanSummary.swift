import Foundation

/// The plan's summary for people and for `--json`.
public enum PlanSummary {
    /// The `plan --json` object: the contract's keys and more.
    public static func json(_ result: PlanResult, campaign: Campaign, written: String?) -> String {
        var object: [String: Any] = [
            "campaign": campaign.id.value,
            "planId": result.header.planId,
            "recipients": ["read": result.recipients.read, "invalid": result.recipients.invalid, "duplicates": result.recipients.duplicates,
                           "excluded": result.recipients.excluded, "suppressed": result.recipients.suppressed, "toSend": result.recipients.toSend],
            "requests": result.requests,
            "segments": result.recipients.totalSegments,
            "segmentDistribution": Dictionary(uniqueKeysWithValues: result.recipients.segmentHistogram.map { (String($0.key), $0.value) }),
            "estimatedCost": Money.rounded(result.estimatedCost),
            "sendingSeconds": (result.sendingSeconds * 10).rounded() / 10,
            "samples": result.samples.map { ["phone": $0.phone, "text": $0.text, "length": $0.length, "segments": $0.segments] },
            "complete": result.isComplete,
            "countries": countries(result, campaign: campaign),
        ]
        if let first = result.firstSend { object["firstSend"] = ISO8601DateFormatter().string(from: first) }
        if let finish = result.finish { object["finish"] = ISO8601DateFormatter().string(from: finish) }
        if let written { object["plan"] = written }
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    /// Recipients, segments and estimated cost per calling code (`"852"`; a mainland plan's are
    /// all `"86"`).
    static func countries(_ result: PlanResult, campaign: Campaign) -> [String: Any] {
        var countries: [String: Any] = [:]
        for (code, count) in result.recipients.byCallingCode {
            let cost = Double(count.segments) * campaign.sending.prices.price(callingCode: code)
            countries[String(code)] = ["recipients": count.recipients, "segments": count.segments, "cost": Money.rounded(cost)]
        }
        return countries
    }

    /// One line per calling code, for an international plan: `+852 HK  3 recipients, 3 segments, 0.30`.
    static func countryLines(_ result: PlanResult, campaign: Campaign) -> String {
        guard campaign.template.destination.value == .international else { return "" }
        var out = ""
        for (code, count) in result.recipients.byCallingCode.sorted(by: { $0.key < $1.key }) {
            let region = CallingCodes.mainRegion(callingCode: code).map { " " + $0 } ?? ""
            let cost = Double(count.segments) * campaign.sending.prices.price(callingCode: code)
            let label = "+\(code)\(region)".padding(toLength: 10, withPad: " ", startingAt: 0)
            out += "    \(label)\(count.recipients) recipient\(count.recipients == 1 ? "" : "s"), \(count.segments) segment\(count.segments == 1 ? "" : "s"), \(Money.format(cost))\n"
        }
        return out
    }

    /// The summary as `terraform plan` would put it.
    public static func text(_ result: PlanResult, campaign: Campaign, written: String?) -> String {
        let counts = result.recipients
        let zone = TimeZone(identifier: campaign.schedule.timezone.value) ?? .current
        var out = "Plan \(result.header.planId) for campaign '\(campaign.id.value)'\n\n"
        func row(_ label: String, _ value: String) { out += "  " + label.padding(toLength: 12, withPad: " ", startingAt: 0) + value + "\n" }
        row("recipients", "\(counts.toSend) to send (\(counts.read) row\(counts.read == 1 ? "" : "s") read: \(counts.invalid) invalid, \(counts.duplicates) duplicate\(counts.duplicates == 1 ? "" : "s"), \(counts.excluded) excluded\(counts.suppressed > 0 ? ", \(counts.suppressed) suppressed (unsubscribed)" : ""))")
        let batch = result.requests[PlanAction.sendBatchSms.rawValue, default: 0], single = result.requests[PlanAction.sendSms.rawValue, default: 0]
        row("requests", "\(batch + single): \(batch) \(PlanAction.sendBatchSms.rawValue) (up to \(campaign.sending.batchSize) each), \(single) \(PlanAction.sendSms.rawValue) (shared values, up to 1000 each)")
        let histogram = counts.segmentHistogram.sorted { $0.key < $1.key }.map { "\($0.value) × \($0.key)" }.joined(separator: ", ")
        row("segments", "\(counts.totalSegments)" + (histogram.isEmpty ? "" : " (recipients × segments: \(histogram))"))
        let prices = campaign.sending.prices
        row("cost", "\(Money.format(result.estimatedCost)) estimated at " + (prices.isUniform ? "\(Money.format(prices.defaultPrice)) per segment" : "each country's price per segment"))
        let countries = countryLines(result, campaign: campaign)
        if !countries.isEmpty { row("countries", "\(result.recipients.byCallingCode.count) (recipients, segments and cost by calling code)\n" + countries.dropLast()) }
        if let first = result.firstSend {
            row("first send", clock(first, zone) + " " + zone.identifier)
        } else {
            row("first send", "never: no send window opens before the campaign ends")
        }
        let duration = durationText(result.sendingSeconds)
        if let finish = result.finish {
            row("duration", "\(duration) of sending at \(campaign.sending.rate) messages/s; done by \(clock(finish, zone)) inside the windows")
        } else {
            row("duration", "\(duration) of sending at \(campaign.sending.rate) messages/s; it does not fit before the end, the rest would expire")
        }
        if !result.samples.isEmpty {
            out += "\nSample messages (from the first rows):\n"
            for sample in result.samples {
                out += "  \(sample.phone)  \(sample.text)  (\(sample.length) characters, \(sample.segments) segment\(sample.segments == 1 ? "" : "s"))\n"
            }
        }
        if let written {
            out += "\nPlan written to \(written). Send exactly this plan with:\n  salvo run \(campaign.path) --plan \(written)\n"
        }
        return out
    }

    /// `yyyy-MM-dd HH:mm:ss` on the wall clock of `zone`.
    public static func clock(_ date: Date, _ zone: TimeZone) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = zone
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss"
        return formatter.string(from: date)
    }

    static func durationText(_ seconds: Double) -> String {
        if seconds < 60 { return "\(Int(seconds.rounded(.up))) s" }
        if seconds < 3600 { return "\(Int((seconds / 60).rounded(.up))) min" }
        let hours = Int(seconds / 3600), minutes = Int((seconds - Double(hours) * 3600) / 60)
        return "\(hours) h \(minutes) min"
    }
}
