import CampaignCompiler
import Foundation

/// The campaign's delivery report as one self-contained HTML page (inline CSS and SVG, no
/// script, nothing from the network): the funnel from planned to delivered, sends and deliveries
/// over time in the campaign's zone, time to delivery, failures by carrier code with what each
/// usually means, and billed segments against the plan's estimate. Numbers appear masked only.
public struct DeliveryReport: Sendable {
    public var campaign: String
    public var signName: String
    public var planId: String
    public var timeZone: TimeZone
    public var counts: RunCounts
    public var delivery: DeliveryCounts
    public var suppressed: Int
    /// Segments the plan estimated for the recipients accepted.
    public var estimatedSegments: Int
    public var pricePerSegment: Double
    /// Accepted requests: when, and how many recipients.
    public var sends: [(time: Double, recipients: Int)]
    /// Receipts: when reported, seconds from send to report, success, code, masked number.
    public var receipts: [(reported: Double?, latency: Double?, success: Bool, code: String, masked: String)]
    public var generatedAt: Date
    /// Recipients, sent, delivered, failed, segments and cost per calling code.
    public var countries: [Int: CountryFigures] = [:]
    /// Whether the campaign sends outside the mainland.
    public var international = false
    /// What the receipts' billed segments cost at each country's price, where prices differ by
    /// country (nil: billed segments × `pricePerSegment`).
    public var billedCost: Double?

    /// Reads what the report shows from the campaign's state.
    public static func make(campaign: Campaign, stateFolder: String, now: Date = Date()) async throws(RunStoreError) -> DeliveryReport {
        try await make(campaign: campaign, reader: StatusReader(campaign: campaign, stateFolder: stateFolder), now: now)
    }

    /// The page of `campaign`'s run as `reader` reads it (a folder's store or a database).
    public static func make(campaign: Campaign, reader: StatusReader, now: Date = Date()) async throws(RunStoreError) -> DeliveryReport {
        let store = reader.store
        // Read once: the counts and the page's charts come from the same receipts.
        let stored = try await store.receipts(ReceiptQuery())
        let status = try await reader.status(receipts: stored)
        guard let run = try await store.load() else {
            throw RunStoreError(.io, "campaign '\(campaign.id.value)' has not been run (no run in \(reader.folder))")
        }
        let zone = TimeZone(identifier: campaign.schedule.timezone.value) ?? .current
        let accepted = run.batches.filter { $0.state == .accepted }
        let china = TimeZone(identifier: "Asia/Shanghai") ?? zone
        let parser = DateFormatter()
        parser.locale = Locale(identifier: "en_US_POSIX")
        parser.timeZone = china
        parser.dateFormat = "yyyy-MM-dd HH:mm:ss"
        let receipts = stored.map { receipt in
            let reported = parser.date(from: receipt.reportTime)?.timeIntervalSince1970
            let sent = parser.date(from: receipt.sendTime)?.timeIntervalSince1970
            let latency = reported.flatMap { reported in sent.map { max(reported - $0, 0) } }
            let masked = PhoneNumber.fromProvider(receipt.phone)?.masked ?? String(repeating: "*", count: min(receipt.phone.count, 11))
            return (reported: reported, latency: latency, success: receipt.success, code: receipt.code, masked: masked)
        }
        var report = DeliveryReport(campaign: campaign.id.value, signName: campaign.signName.value, planId: run.metadata.planID, timeZone: zone,
                                    counts: status.counts, delivery: status.delivery ?? DeliveryCounts(), suppressed: status.suppressed,
                                    estimatedSegments: accepted.reduce(0) { $0 + $1.segments }, pricePerSegment: campaign.sending.pricePerSegment,
                                    sends: accepted.compactMap { batch in batch.attemptAt.map { ($0, batch.recipients) } }, receipts: receipts, generatedAt: now)
        report.countries = status.countries ?? [:]
        report.international = status.international
        if !campaign.sending.prices.isUniform {
            report.billedCost = report.countries.values.reduce(0) { $0 + $1.billedCost }
        }
        return report
    }

    /// The table of countries (recipients, sent, delivered, failed, segments, cost), for an
    /// international campaign or a plan of more than one country; empty otherwise.
    func countryTable() -> String {
        guard international || countries.count > 1 else { return "" }
        var rows = ""
        for (code, figures) in countries.sorted(by: { $0.key < $1.key }) {
            let region = CallingCodes.mainRegion(callingCode: code).map { " (\($0))" } ?? ""
            rows += "<tr><td>+\(code)\(Self.escape(region))</td><td class=\"n\">\(Self.number(figures.recipients))</td><td class=\"n\">\(Self.number(figures.sent))</td>"
                + "<td class=\"n\">\(Self.number(figures.delivered))</td><td class=\"n\">\(Self.number(figures.failed))</td>"
                + "<td class=\"n\">\(Self.number(figures.segments))</td><td class=\"n\">\(Money.format(figures.cost))</td></tr>"
        }
        return "<h2>By country</h2>\n<table class=\"countries\"><tr><th>calling code</th><th class=\"n\">recipients</th><th class=\"n\">sent</th>"
            + "<th class=\"n\">delivered</th><th class=\"n\">failed</th><th class=\"n\">segments</th><th class=\"n\">cost</th></tr>\(rows)</table>\n"
    }

    /// What carrier codes usually mean (as carriers and SMS platforms describe them; a carrier may
    /// use a code otherwise).
    static let codeMeanings: [String: String] = [
        "DELIVERED": "received by the handset",
        "UNDELIV": "could not be delivered (the handset was unreachable until the message expired)",
        "MK:0012": "the number is suspended or out of service",
        "MK:0005": "the handset was off or out of coverage",
        "IC:0001": "the number does not exist",
        "EXPIRED": "the message expired before it could be delivered",
        "REJECTD": "the carrier refused the message",
    ]

    // MARK: - Rendering

    /// The invisible characters that reorder text: embeddings and overrides (U+202A-U+202E),
    /// isolates (U+2066-U+2069), and the marks U+200E, U+200F and U+061C.
    static func isBidiControl(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x202A...0x202E, 0x2066...0x2069, 0x200E, 0x200F, 0x061C: true
        default: false
        }
    }

    static func escape(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default:
                // Control characters never reach the page. Nor do bidi controls, not even as a
                // character reference (the browser would decode it and reorder the text, making
                // "exe.txt" of "txt.exe"): each is shown as its code point, `<U+202E>`.
                if scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) {
                    out += "\u{FFFD}"
                } else if Self.isBidiControl(scalar) {
                    out += "&lt;U+" + String(scalar.value, radix: 16, uppercase: true) + "&gt;"
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out
    }

    private static func number(_ value: Int) -> String {
        let digits = String(value)
        var out = ""
        for (index, character) in digits.reversed().enumerated() {
            if index > 0, index % 3 == 0 { out.append(",") }
            out.append(character)
        }
        return String(out.reversed())
    }

    private static func percent(_ part: Int, of whole: Int) -> String {
        whole == 0 ? "–" : String(format: "%.1f%%", Double(part) * 100 / Double(whole))
    }

    /// A horizontal bar chart: label, value, and a bar scaled to the largest value.
    private static func bars(_ rows: [(label: String, value: Int, color: String)], width: Int = 560) -> String {
        let top = max(rows.map(\.value).max() ?? 0, 1)
        let height = rows.count * 30 + 10
        var svg = "<svg role=\"img\" width=\"\(width + 260)\" height=\"\(height)\" viewBox=\"0 0 \(width + 260) \(height)\">"
        for (index, row) in rows.enumerated() {
            let y = 8 + index * 30
            let length = max(Int(Double(row.value) / Double(top) * Double(width)), row.value > 0 ? 2 : 0)
            svg += "<text x=\"0\" y=\"\(y + 16)\" font-size=\"13\" fill=\"#333\">\(escape(row.label))</text>"
            svg += "<rect x=\"170\" y=\"\(y)\" width=\"\(length)\" height=\"22\" rx=\"3\" fill=\"\(row.color)\"/>"
            svg += "<text x=\"\(176 + length)\" y=\"\(y + 16)\" font-size=\"13\" fill=\"#333\">\(number(row.value))</text>"
        }
        return svg + "</svg>"
    }

    /// Sends and deliveries per time bucket, as paired columns, with the bucket's start below.
    private func timeline() -> String {
        let times = sends.map(\.time) + receipts.compactMap(\.reported)
        guard let first = times.min(), let last = times.max() else { return "<p class=\"muted\">No sends recorded yet.</p>" }
        let span = max(last - first, 1)
        let steps: [Double] = [1, 5, 10, 30, 60, 300, 600, 1800, 3600, 7200, 21600, 86400]
        let step = steps.first { span / $0 <= 36 } ?? 86400
        let start = (first / step).rounded(.down) * step
        let count = Int(((last - start) / step).rounded(.down)) + 1
        var sent = [Int](repeating: 0, count: count), delivered = [Int](repeating: 0, count: count)
        for send in sends { sent[min(Int((send.time - start) / step), count - 1)] += send.recipients }
        for receipt in receipts where receipt.success {
            if let time = receipt.reported { delivered[min(max(Int((time - start) / step), 0), count - 1)] += 1 }
        }
        let top = max(sent.max() ?? 0, delivered.max() ?? 0, 1)
        let column = 18, gap = 8, height = 180
        let width = count * (column * 2 + gap) + 60
        let formatter = DateFormatter()
        formatter.timeZone = timeZone
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = step >= 86400 ? "MM-dd" : step >= 60 ? "HH:mm" : "HH:mm:ss"
        var svg = "<svg role=\"img\" width=\"\(width)\" height=\"\(height + 50)\" viewBox=\"0 0 \(width) \(height + 50)\">"
        svg += "<line x1=\"40\" y1=\"\(height)\" x2=\"\(width)\" y2=\"\(height)\" stroke=\"#999\"/>"
        svg += "<text x=\"0\" y=\"14\" font-size=\"11\" fill=\"#666\">\(Self.number(top))</text>"
        for index in 0..<count {
            let x = 44 + index * (column * 2 + gap)
            let sentHeight = Int(Double(sent[index]) / Double(top) * Double(height - 20))
            let deliveredHeight = Int(Double(delivered[index]) / Double(top) * Double(height - 20))
            svg += "<rect x=\"\(x)\" y=\"\(height - sentHeight)\" width=\"\(column)\" height=\"\(sentHeight)\" fill=\"#5b8def\"><title>\(sent[index]) sent</title></rect>"
            svg += "<rect x=\"\(x + column)\" y=\"\(height - deliveredHeight)\" width=\"\(column)\" height=\"\(deliveredHeight)\" fill=\"#2e9e5b\"><title>\(delivered[index]) delivered</title></rect>"
            // Labels at least 70 points apart.
            if index % max(count / 8, Int((70.0 / Double(column * 2 + gap)).rounded(.up))) == 0 {
                let label = formatter.string(from: Date(timeIntervalSince1970: start + Double(index) * step))
                svg += "<text x=\"\(x)\" y=\"\(height + 18)\" font-size=\"11\" fill=\"#555\">\(label)</text>"
            }
        }
        return svg + "</svg><p class=\"legend\"><span class=\"key sent\"></span> sent <span class=\"key delivered\"></span> delivered, per \(Self.duration(step)) (\(Self.escape(timeZone.identifier)))</p>"
    }

    private static func duration(_ seconds: Double) -> String {
        seconds >= 86400 ? "\(Int(seconds / 86400)) day" : seconds >= 3600 ? "\(Int(seconds / 3600)) h" : seconds >= 60 ? "\(Int(seconds / 60)) min" : "\(Int(seconds)) s"
    }

    /// The page.
    public func html() -> String {
        let delivered = delivery.delivered, failed = delivery.failed, waiting = delivery.waiting
        let expired = counts.expired
        let funnel = Self.bars([
            ("planned", counts.total, "#8aa4c8"), ("accepted by the provider", counts.sent, "#5b8def"), ("delivered", delivered, "#2e9e5b"),
            ("not delivered", failed, "#d9534f"), ("waiting for a receipt", waiting, "#f0ad4e"), ("expired unsent", expired, "#999999"),
        ])
        let latencies = receipts.compactMap(\.latency)
        let latencyBins: [(String, ClosedRange<Double>)] = [("under 10 s", 0...9.999), ("10–30 s", 10...29.999), ("30 s–1 min", 30...59.999),
                                                             ("1–5 min", 60...299.999), ("5–30 min", 300...1799.999), ("30 min or more", 1800...Double.greatestFiniteMagnitude)]
        let latencyChart = Self.bars(latencyBins.map { bin in (bin.0, latencies.filter { bin.1.contains($0) }.count, "#6f7fd1") })
        var failures = ""
        for (code, count) in delivery.failedByCode.sorted(by: { $0.value > $1.value || ($0.value == $1.value && $0.key < $1.key) }) {
            let meaning = Self.codeMeanings[code] ?? "not a code this report knows; ask the carrier or Alibaba Cloud"
            failures += "<tr><td><code>\(Self.escape(code))</code></td><td class=\"n\">\(Self.number(count))</td><td class=\"n\">\(Self.percent(count, of: max(failed, 1)))</td><td>\(Self.escape(meaning))</td></tr>"
        }
        if failures.isEmpty { failures = "<tr><td colspan=\"4\" class=\"muted\">No failure reported.</td></tr>" }
        var samples = ""
        for receipt in receipts.filter({ !$0.success }).prefix(10) {
            samples += "<tr><td><code>\(Self.escape(receipt.masked))</code></td><td><code>\(Self.escape(receipt.code))</code></td></tr>"
        }
        let sortedLatencies = latencies.sorted()
        let median = sortedLatencies.isEmpty ? "–" : String(format: "%.0f s", sortedLatencies[sortedLatencies.count / 2])
        let billed = delivery.billedSegments
        // An international campaign's segments are priced per country.
        let estimatedCost = international ? countries.values.reduce(0) { $0 + $1.cost } : Double(estimatedSegments) * pricePerSegment
        let generated = DateFormatter()
        generated.timeZone = timeZone
        generated.locale = Locale(identifier: "en_US_POSIX")
        generated.dateFormat = "yyyy-MM-dd HH:mm"
        return """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>Delivery report: \(Self.escape(campaign))</title>
            <style>
            body { font: 15px/1.45 -apple-system, "Segoe UI", "Noto Sans", "PingFang SC", "Microsoft YaHei", sans-serif; color: #222; margin: 32px auto; max-width: 980px; padding: 0 20px; }
            h1 { font-size: 24px; margin-bottom: 4px; } h2 { font-size: 18px; margin-top: 32px; border-bottom: 1px solid #ddd; padding-bottom: 4px; }
            .muted { color: #777; } .tiles { display: flex; gap: 12px; flex-wrap: wrap; margin: 20px 0; }
            .tile { border: 1px solid #ddd; border-radius: 8px; padding: 12px 16px; min-width: 150px; }
            .tile b { display: block; font-size: 26px; } .tile.good b { color: #2e9e5b; } .tile.bad b { color: #d9534f; }
            table { border-collapse: collapse; width: 100%; } td, th { border-bottom: 1px solid #eee; padding: 6px 8px; text-align: left; vertical-align: top; }
            td.n { text-align: right; font-variant-numeric: tabular-nums; } code { font-size: 13px; }
            .legend { font-size: 13px; color: #555; } .key { display: inline-block; width: 12px; height: 12px; margin: 0 4px 0 10px; vertical-align: -1px; }
            .key.sent { background: #5b8def; } .key.delivered { background: #2e9e5b; }
            svg { max-width: 100%; height: auto; }
            </style></head><body>
            <h1>Delivery report: \(Self.escape(campaign))</h1>
            <p class="muted">Sign name 【\(Self.escape(signName))】 · plan \(Self.escape(planId)) · made \(generated.string(from: generatedAt)) \(Self.escape(timeZone.identifier)) by salvo</p>
            <div class="tiles">
            <div class="tile"><span>accepted</span><b>\(Self.number(counts.sent))</b><span class="muted">of \(Self.number(counts.total)) planned</span></div>
            <div class="tile good"><span>delivered</span><b>\(Self.percent(delivered, of: counts.sent))</b><span class="muted">\(Self.number(delivered)) handsets</span></div>
            <div class="tile bad"><span>not delivered</span><b>\(Self.number(failed))</b><span class="muted">\(Self.percent(failed, of: counts.sent))</span></div>
            <div class="tile"><span>waiting for a receipt</span><b>\(Self.number(waiting))</b><span class="muted">median time to delivery \(median)</span></div>
            </div>
            <h2>From plan to handset</h2>
            \(funnel)
            <p class="muted">\(Self.number(suppressed)) recipients were left out of the plan as unsubscribed; \(Self.number(counts.failed)) were refused by the provider.</p>
            <h2>Sends and deliveries over time</h2>
            \(timeline())
            <h2>Time from send to delivery</h2>
            \(latencyChart)
            <h2>Not delivered, by carrier code</h2>
            <table><tr><th>code</th><th class="n">recipients</th><th class="n">share</th><th>usual meaning</th></tr>\(failures)</table>
            \(samples.isEmpty ? "" : "<p class=\"muted\">Some of them (numbers masked):</p><table><tr><th>number</th><th>code</th></tr>\(samples)</table>")
            \(countryTable())<h2>Billed segments</h2>
            <table>
            <tr><td>estimated by the plan for the recipients accepted</td><td class="n">\(Self.number(estimatedSegments))</td><td class="n">\(String(format: "%.2f", estimatedCost))</td></tr>
            <tr><td>billed, as the receipts say (\(Self.number(delivered + failed)) receipts)</td><td class="n">\(Self.number(billed))</td><td class="n">\(String(format: "%.2f", billedCost ?? Double(billed) * pricePerSegment))</td></tr>
            </table>
            <p class="muted">The meanings are those carriers usually give these codes; a carrier may use a code otherwise.</p>
            <p class="muted">Receipts are pushed by Alibaba Cloud to <code>salvo receipts serve</code>; a number counts once, by its last receipt.</p>
            </body></html>

            """
    }
}
