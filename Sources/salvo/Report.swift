import ArgumentParser
import CampaignCompiler
import CampaignRunner
import SalvoIO

/// `salvo report`: one row per recipient with its outcome.
struct Report: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write one row per recipient with its outcome, as CSV or JSON lines; or the campaign's delivery page as HTML.",
        discussion: """
            Formats (--format): csv (the default), json (one object per line), html (one self-contained \
            page of how delivery went: funnel, timeline, failures by carrier code, billed segments; \
            numbers masked; write it with --out report.html). \
            With --failed only the plan's recipients not sent. With --not-sent everyone who did not get \
            the message and why (invalid, duplicate, excluded, failed, expired), as a CSV whose phone and \
            parameter columns a follow-up campaign can read. CSV cells that a spreadsheet would run as a \
            formula (starting with =, +, -, @, a tab or a carriage return) get a leading ' and control \
            characters are escaped; --raw writes cells as stored.
            """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable { case csv, json, html }

    @Argument(help: "The campaign file.") var campaign: String
    @Option(help: stateHelp) var state: String?
    @Option(help: "csv, json (one object per line), or html: one self-contained page of how delivery went (funnel, timeline, failures by code, billed segments).") var format: Format = .csv
    @Flag(help: "Only the plan's recipients that were not sent.") var failed = false
    @Flag(help: "Only the recipients that were sent (accepted by the provider): a list a follow-up campaign can exclude.") var sent = false
    @Flag(help: "Everyone who did not get the message, with the reason; reads the recipient files again.") var notSent = false
    @Flag(help: "Add each sent message's delivery receipt, asked through QuerySendDetails (one query per recipient; needs credentials).") var receipts = false
    @Option(help: "With --receipts: ask this endpoint instead of the campaign's.") var endpoint: String?
    @Option(help: "With --receipts: recipients looked up per second at most (each one or two QuerySendDetails calls; the account's limit is 5,000 calls a second, shared with running campaigns).") var queryRate = 200.0
    @Option(help: "Write the report to this file (owner-only, 0600) instead of standard output.") var out: String?
    @Flag(help: "Write CSV cells exactly as stored: no leading ' before formula characters, no escapes.") var raw = false
    @OptionGroup var sourceOptions: SourceOptions

    func validate() throws {
        if notSent && (failed || receipts || sent) { throw ValidationError("--not-sent goes without --failed, --sent and --receipts") }
        if receipts, !(queryRate > 0) { throw ValidationError("--query-rate is more than 0") }
        if format == .html && (notSent || failed || receipts || sent || raw) { throw ValidationError("--format html is the whole campaign's page; it goes without row selections") }
        if failed && sent { throw ValidationError("--failed and --sent select opposite rows; give one") }
    }

    func run() async throws {
        let campaign = try await loadCampaign(self.campaign, access: sourceOptions.access).campaign
        let reader = StatusReader(campaign: campaign, backend: try stateLocation(state))
        let output: any TextOutput = try await CommandFailure.failing {
            try out.map { path throws(FileWriteError) -> any TextOutput in try OwnerOnlyFile(path: path) } ?? BufferedOutput(descriptor: 1, target: "the report")
        }
        do {
            let note = try await write(campaign, reader: reader, to: output)
            try output.finish()
            if let note { Terminal.standardError(note) }
        } catch {
            output.discard()
            throw CommandFailure.failed(error)
        }
    }

    private var selection: StatusReader.ReportSelection { failed ? .notSent : sent ? .sent : .all }

    /// Writes the report chosen by the flags; a note to show once it is complete.
    private func write(_ campaign: Campaign, reader: StatusReader, to output: any TextOutput) async throws -> String? {
        let report = RecipientReport(reader: reader)
        let rows: any RowReporter = format == .csv ? CSVRowReporter(output: output, raw: raw) : JSONLinesRowReporter(output: output)
        if format == .html {
            output.write(try await DeliveryReport.make(campaign: campaign, reader: reader).html())
        } else if notSent {
            return try await report.writeNotSent(to: rows).note
        } else if receipts {
            let (found, times) = try await report.rowsForReceipts(selection)
            // Receipts are asked where the run sent, unless told otherwise.
            let target = await reader.endpoint(given: endpoint)
            let (client, transport) = try await providerClient(for: campaign, endpoint: target)
            Terminal.standardError(report.askingNote(found, endpoint: target))
            await report.writeWithReceipts(found, attemptTimes: times, lookup: ReceiptLookup(client: client, perSecond: queryRate), to: rows)
            await transport.shutdown()
        } else {
            try await report.write(selection, to: rows)
        }
        return nil
    }
}
