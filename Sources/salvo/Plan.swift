import ArgumentParser
import CampaignRunner
import CampaignCompiler
import Foundation
import PostgresStore

/// `salvo plan`: compile a campaign into the plan of requests a run would send.
struct Plan: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Compile a campaign into its execution plan and show what a run would do.",
        discussion: """
            Reads every recipient, checks every row, and groups recipients into SendBatchSms and \
            SendSms requests. With --out the plan is written (owner-readable only); 'salvo run --plan' \
            then sends exactly that plan. When the --out file holds an earlier plan whose inputs \
            differ, what changed is shown. Exit status: 0 planned, 1 errors found, 64 usage error.
            """
    )

    @Argument(help: "The campaign file.") var campaign: String
    @Option(help: "Write the plan to this file.") var out: String?
    @Flag(help: "Print one JSON object instead of the summary.") var json = false
    @Option(help: "Show this many rendered sample messages from real rows.") var show = 3
    @OptionGroup var sourceOptions: SourceOptions
    @Option(help: "The state folder whose suppression list a promotional campaign's plan leaves out (default: $SALVO_STATE when it is a folder, else $XDG_STATE_HOME/salvo or ~/.local/state/salvo).") var state: String?

    func run() async throws {
        let (decoded, campaignSources) = try await loadCampaign(campaign, access: sourceOptions.access)
        var compiler = PlanCompiler(campaign: decoded)
        compiler.sampleCount = max(show, 0)
        // A plan made without the list could send to people who unsubscribed.
        let folder = try stateLocation(state).localFolder
        compiler.suppression = try await CommandFailure.failing { try ReceiptsLedger.suppression(for: decoded, stateFolder: folder) }
        // An earlier plan at --out: what is needed to say what changed is read before it is replaced.
        let replacement = PlanReplacement(path: out, campaign: decoded)
        let result = try await CommandFailure.failing { [compiler] in try await compiler.compile(output: out, header: replacement.current) }
        guard result.isComplete else {
            let report = ValidationReport(fileCount: 1, diagnostics: result.diagnostics.diagnostics, sources: result.sources.merging(campaignSources) { first, _ in first },
                                          omitted: result.diagnostics.omitted)
            Terminal.standardOutput(TextReporter(colored: Terminal.isTerminal(fileDescriptor: 1)).render(report))
            if json { Terminal.standardError(PlanSummary.json(result, campaign: decoded, written: nil)) }
            throw CommandFailure(.failed, nil)
        }
        if let out, let note = replacement.note(replacedBy: result.header, at: out) { Terminal.standardError(note) }
        Terminal.standardOutput(json ? PlanSummary.json(result, campaign: decoded, written: out) : PrintableText.escapeLines(PlanSummary.text(result, campaign: decoded, written: out)))
    }
}
