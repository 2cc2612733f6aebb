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
        do {
            compiler.suppression = try ReceiptsLedger.suppression(for: decoded, stateFolder: try stateLocation(state).localFolder)
        } catch {
            // A plan made without the list could send to people who unsubscribed.
            throw CommandFailure.failed(error)
        }
        // An earlier plan at --out: keep what is needed to say what changed before it is replaced.
        var previous: (header: PlanHeader, phones: [Int: [PlanReader.PlannedRecipient]]?)?
        // The inputs are hashed once: the header made for the comparison is the plan's.
        var current: PlanHeader?
        if let out, let header = PlanReader.header(at: out), let made = try? PlanCompiler.header(for: decoded) {
            current = made
            if header.planId != made.planId {
                previous = (header, PlanReader.phones(at: out, sources: PlanReader.changedSources(from: header, to: made)))
            }
        }
        let result: PlanResult
        do {
            result = try await compiler.compile(output: out, header: current)
        } catch {
            throw CommandFailure(.failed, "\(error)", cause: error)
        }
        guard result.isComplete else {
            let report = ValidationReport(fileCount: 1, diagnostics: result.diagnostics.diagnostics, sources: result.sources.merging(campaignSources) { first, _ in first },
                                          omitted: result.diagnostics.omitted)
            Terminal.standardOutput(TextReporter(colored: Terminal.isTerminal(fileDescriptor: 1)).render(report))
            if json { Terminal.standardError(PlanSummary.json(result, campaign: decoded, written: nil)) }
            throw CommandFailure(.failed, nil)
        }
        if let out, let previous, result.isComplete {
            // Recipients are counted only when the old plan's could be read.
            let newPhones = previous.phones == nil ? nil : PlanReader.phones(at: out, sources: PlanReader.changedSources(from: previous.header, to: result.header))
            let changes = PlanReader.changes(from: previous.header, oldPhones: previous.phones, to: result.header, newPhones: newPhones)
            Terminal.standardError("note: \(out) held plan \(previous.header.planId), made from other inputs; it is replaced by \(result.header.planId). What changed:\n"
                                   + changes.map { "  - \($0)\n" }.joined())
        }
        Terminal.standardOutput(json ? PlanSummary.json(result, campaign: decoded, written: out) : PrintableText.escapeLines(PlanSummary.text(result, campaign: decoded, written: out)))
    }
}
