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
        let campaign = try await loadCampaign(self.campaign)
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

    func run() async throws {
        let campaign = try await loadCampaign(self.campaign)
        let reader = StatusReader(campaign: campaign, stateFolder: state ?? RunOptions.defaultStateFolder())
        let names = ["phone"] + campaign.parameters.map(\.name.value) + ["outcome", "code", "batch", "out_id", "biz_id"]
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

    static func csvField(_ value: String) -> String {
        value.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) ? "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : value
    }
}
