import AliyunSMS
import ArgumentParser
import CampaignCompiler
import CampaignRunner
import Foundation

/// `salvo status`: where a campaign stands.
struct Status: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show a campaign's progress: sent, failed by reason, deferred, pending, uncertain, expired.")

    @Argument(help: "The campaign file.") var campaign: String
    @Option(help: "The state folder (default: $XDG_STATE_HOME/salvo or ~/.local/state/salvo).") var state: String?
    @Flag(help: "Print one JSON object.") var json = false

    func run() async throws {
        let campaign = try await loadCampaign(self.campaign).campaign
        let status = StatusReader(campaign: campaign, stateFolder: state ?? RunOptions.defaultStateFolder()).status()
        Terminal.standardOutput(json ? status.json() : status.text())
    }
}

/// `salvo report`: one row per recipient with its outcome.
struct Report: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write one row per recipient with its outcome, as CSV or JSON lines.",
        discussion: "With --failed only the recipients not sent, as a CSV whose phone and parameter columns a follow-up campaign can read."
    )

    enum Format: String, ExpressibleByArgument { case csv, json }

    @Argument(help: "The campaign file.") var campaign: String
    @Option(help: "The state folder (default: $XDG_STATE_HOME/salvo or ~/.local/state/salvo).") var state: String?
    @Option(help: "csv or json (one object per line).") var format: Format = .csv
    @Flag(help: "Only recipients that were not sent.") var failed = false
    @Flag(help: "Add each sent message's delivery receipt, asked through QuerySendDetails (one query per recipient; needs credentials).") var receipts = false
    @Option(help: "With --receipts: ask this endpoint instead of the campaign's.") var endpoint: String?

    func run() async throws {
        let campaign = try await loadCampaign(self.campaign).campaign
        let reader = StatusReader(campaign: campaign, stateFolder: state ?? RunOptions.defaultStateFolder())
        var names = ["phone"] + campaign.parameters.map(\.name.value) + ["outcome", "code", "batch", "out_id", "biz_id"]
        if receipts {
            names += ["receipt", "receipt_code", "received_at"]
            try await reportWithReceipts(campaign: campaign, reader: reader, names: names)
            return
        }
        var lines: [String] = format == .csv ? [names.map(Self.csvField).joined(separator: ",")] : []
        do {
            _ = try reader.report(onlyUnsent: failed) { row in
                if format == .csv {
                    lines.append(row.map(Self.csvField).joined(separator: ","))
                } else {
                    let object = Dictionary(zip(names, row), uniquingKeysWith: { first, _ in first })
                    let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
                    lines.append(String(decoding: data, as: UTF8.self))
                }
                if lines.count >= 1000 {
                    Terminal.standardOutput(lines.joined(separator: "\n") + "\n")
                    lines.removeAll()
                }
            }
        } catch {
            Terminal.standardError("salvo: error: \(error)")
            throw ExitCode(1)
        }
        if !lines.isEmpty { Terminal.standardOutput(lines.joined(separator: "\n") + "\n") }
    }

    /// The report with receipts: rows are gathered, then each sent one is looked up.
    private func reportWithReceipts(campaign: Campaign, reader: StatusReader, names: [String]) async throws {
        var rows: [[String]] = []
        let times: [Int: Double]
        do {
            _ = try reader.report(onlyUnsent: failed) { rows.append($0) }
            times = try reader.attemptTimes()
        } catch {
            Terminal.standardError("salvo: error: \(error)")
            throw ExitCode(1)
        }
        let (client, transport) = try providerClient(for: campaign, endpoint: endpoint)
        let reconciler = Reconciler(client: client)
        let outcomeColumn = names.firstIndex(of: "outcome") ?? 0
        let batchColumn = names.firstIndex(of: "batch") ?? 0
        let outIdColumn = names.firstIndex(of: "out_id") ?? 0
        var lines: [String] = format == .csv ? [names.map(Self.csvField).joined(separator: ",")] : []
        for var row in rows {
            var receipt = ["", "", ""]
            if row[outcomeColumn] == "sent", let batch = Int(row[batchColumn]), let time = times[batch] {
                if let detail = await reconciler.receipt(outId: row[outIdColumn], phone: row[0], attemptAt: time) {
                    receipt = [[1: "waiting", 2: "failed", 3: "delivered"][detail.sendStatus] ?? "unknown", detail.errorCode, detail.receiveDate ?? ""]
                } else {
                    receipt = ["unknown", "", ""]
                }
            }
            row += receipt
            if format == .csv {
                lines.append(row.map(Self.csvField).joined(separator: ","))
            } else {
                let data = (try? JSONSerialization.data(withJSONObject: Dictionary(zip(names, row), uniquingKeysWith: { first, _ in first }), options: [.sortedKeys])) ?? Data()
                lines.append(String(decoding: data, as: UTF8.self))
            }
        }
        await transport.shutdown()
        Terminal.standardOutput(lines.joined(separator: "\n") + "\n")
    }

    static func csvField(_ value: String) -> String {
        value.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) ? "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : value
    }
}
