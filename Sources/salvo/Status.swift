#if canImport(Glibc)
import Glibc
#endif
import AliyunSMS
import ArgumentParser
import CampaignCompiler
import CampaignRunner
import Foundation
import PostgresStore

/// `salvo status`: where a campaign stands.
struct Status: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show a campaign's progress: sent, failed by reason, deferred, pending, uncertain, expired.")

    @Argument(help: "The campaign file.") var campaign: String
    @Option(help: stateHelp) var state: String?
    @Flag(help: "Print one JSON object.") var json = false

    func run() async throws {
        let campaign = try await loadCampaign(self.campaign, access: SourceAccess()).campaign
        let reader = try stateLocation(state).reader(for: campaign)
        let status: CampaignStatus
        do {
            status = try await reader.status()
        } catch {
            // A state that 'run' would refuse, or that cannot be read, is not "not started".
            Terminal.standardError("salvo: error: \(error)")
            if json {
                let object: [String: Any] = ["campaign": campaign.id.value, "state": "error", "error": "\(error)"]
                if let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) {
                    Terminal.standardOutput(String(decoding: data, as: UTF8.self))
                }
            }
            throw ExitCode(1)
        }
        Terminal.standardOutput(json ? status.json() : PrintableText.escapeLines(status.text()))
    }
}

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
        let reader = try stateLocation(state).reader(for: campaign)
        let output: ReportOutput
        do {
            output = try ReportOutput(path: out)
        } catch {
            Terminal.standardError("salvo: error: \(error)")
            throw ExitCode(1)
        }
        if format == .html {
            do {
                let report = try await DeliveryReport.make(campaign: campaign, reader: reader)
                output.write(report.html())
                try output.finish()
            } catch {
                output.discard()
                Terminal.standardError("salvo: error: \(error)")
                throw ExitCode(1)
            }
            return
        }
        if notSent {
            try await reportNotSent(reader: reader, output: output)
            return
        }
        var names = ["phone"] + campaign.parameters.map(\.name.value) + ["outcome", "code", "batch", "out_id", "biz_id"]
        if receipts {
            // QuerySendDetails' answer, then what was pushed.
            names += ["receipt", "receipt_code", "received_at"] + StatusReader.deliveryColumns
            try await reportWithReceipts(campaign: campaign, reader: reader, names: names, output: output)
            return
        }
        names += StatusReader.deliveryColumns
        if format == .csv { output.write(ReportCSV.line(names, raw: raw) + "\n") }
        do {
            _ = try await reader.report(selection) { row in output.write(line(row, names: names)) }
            try output.finish()
        } catch {
            output.discard()
            Terminal.standardError("salvo: error: \(error)")
            throw ExitCode(1)
        }
    }

    private var selection: StatusReader.ReportSelection { failed ? .notSent : sent ? .sent : .all }

    /// One row as a CSV line or a JSON object, with its line break.
    private func line(_ row: [String], names: [String]) -> String {
        if format == .csv { return ReportCSV.line(row, raw: raw) + "\n" }
        let object = Dictionary(zip(names, row), uniquingKeysWith: { first, _ in first })
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    private func reportNotSent(reader: StatusReader, output: ReportOutput) async throws {
        let names = reader.notSentColumns
        if format == .csv { output.write(ReportCSV.line(names, raw: raw) + "\n") }
        do {
            let summary = try await reader.notSent { row in output.write(line(row, names: names)) }
            try output.finish()
            if summary.stillOpen > 0 {
                Terminal.standardError("note: \(summary.stillOpen) recipient\(summary.stillOpen == 1 ? " is" : "s are") still pending, deferred or uncertain and not listed; they may yet get the message")
            }
        } catch {
            output.discard()
            Terminal.standardError("salvo: error: \(error)")
            throw ExitCode(1)
        }
    }

    /// The report with receipts: rows are gathered, then each sent one is looked up.
    private func reportWithReceipts(campaign: Campaign, reader: StatusReader, names: [String], output: ReportOutput) async throws {
        var rows: [[String]] = []
        let times: [Int: Double]
        do {
            _ = try await reader.report(selection) { rows.append($0) }
            times = try await reader.attemptTimes()
        } catch {
            output.discard()
            Terminal.standardError("salvo: error: \(error)")
            throw ExitCode(1)
        }
        // Receipts are asked where the run sent, unless told otherwise.
        var recorded: String?
        if endpoint == nil { recorded = try? await reader.recordedEndpoint() }
        let target = endpoint ?? recorded ?? campaign.provider.endpoint
        let (client, transport) = try providerClient(for: campaign, endpoint: target)
        let reconciler = Reconciler(client: client)
        let asking = rows.filter { $0[names.firstIndex(of: "outcome") ?? 0] == "sent" }.count
        Terminal.standardError("asking \(target) for the receipts of \(asking) sent recipient\(asking == 1 ? "" : "s") (QuerySendDetails, one query each)")
        let outcomeColumn = names.firstIndex(of: "outcome") ?? 0
        let batchColumn = names.firstIndex(of: "batch") ?? 0
        let outIdColumn = names.firstIndex(of: "out_id") ?? 0
        if format == .csv { output.write(ReportCSV.line(names, raw: raw) + "\n") }
        let clock = ContinuousClock()
        var nextQuery = clock.now
        for var row in rows {
            var receipt = ["", "", ""]
            if row[outcomeColumn] == "sent", let batch = Int(row[batchColumn]), let time = times[batch] {
                // QuerySendDetails has its own limit, shared with any campaign running now.
                if nextQuery > clock.now { try? await Task.sleep(until: nextQuery, clock: clock) }
                nextQuery = max(nextQuery, clock.now.advanced(by: .zero)) + .microseconds(Int64(1_000_000 / queryRate))
                if let detail = await reconciler.receipt(outId: row[outIdColumn], phone: row[0], attemptAt: time) {
                    receipt = [[1: "waiting", 2: "failed", 3: "delivered"][detail.sendStatus] ?? "unknown", detail.errorCode, detail.receiveDate ?? ""]
                } else {
                    receipt = ["unknown", "", ""]
                }
            }
            let pushed = row.suffix(StatusReader.deliveryColumns.count)
            row = Array(row.dropLast(StatusReader.deliveryColumns.count)) + receipt + pushed
            output.write(line(row, names: names))
        }
        await transport.shutdown()
        do {
            try output.finish()
        } catch {
            Terminal.standardError("salvo: error: \(error)")
            throw ExitCode(1)
        }
    }
}

/// Where a report goes: standard output in pieces, or a file written owner-only (0600) under a
/// temporary name and renamed into place when complete, so a report of phone numbers is never
/// readable by others and never left half-written.
final class ReportOutput {
    private let path: String?
    /// The file being written; nil for standard output and once it is renamed or dropped.
    private var temporary: String?
    private var descriptor: Int32 = 1
    private var buffer: [UInt8] = []
    /// The errno of the first write that failed: the report is then incomplete.
    private var failure: Int32?

    init(path: String?) throws {
        self.path = path
        guard let path else { return }
        let temporary = path + ".tmp-\(getpid())"
        let opened = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard opened >= 0 else { throw ReportOutputError(description: "cannot write '\(path)': \(String(cString: strerror(errno)))") }
        fchmod(opened, 0o600)
        self.temporary = temporary
        descriptor = opened
    }

    func write(_ text: String) {
        buffer.append(contentsOf: text.utf8)
        if buffer.count >= 1 << 16 { flush() }
    }

    private func flush() {
        if !Terminal.write(buffer[...], to: descriptor), failure == nil { failure = errno }
        buffer.removeAll(keepingCapacity: true)
    }

    /// Writes what is buffered and, for a file, renames it into place.
    func finish() throws {
        flush()
        if let failure {
            discard()
            throw ReportOutputError(description: "cannot write \(path.map { "'\($0)'" } ?? "the report"): \(String(cString: strerror(failure)))")
        }
        guard let path, let temporary else { return }
        fsync(descriptor)
        close(descriptor)
        self.temporary = nil
        guard rename(temporary, path) == 0 else {
            let code = errno
            unlink(temporary)
            throw ReportOutputError(description: "cannot write '\(path)': \(String(cString: strerror(code)))")
        }
    }

    /// Drops a file report that could not be completed (once; nothing after `finish` renamed it).
    func discard() {
        guard let temporary else { return }
        close(descriptor)
        unlink(temporary)
        self.temporary = nil
    }
}

struct ReportOutputError: Error, CustomStringConvertible {
    var description: String
}

/// `salvo state`: the campaign's stored run.
struct StateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "state",
        abstract: "Manage a campaign's stored run.",
        subcommands: [Reset.self]
    )

    /// `salvo state reset`: start a campaign over.
    struct Reset: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Put a campaign's run aside so that the next run plans and sends afresh.",
            discussion: """
                The run's state and plan are moved into a 'previous-TIME' folder beside them, never deleted. \
                Refused while another run holds the campaign, or while any request may have reached the \
                provider unanswered: run the campaign again first, which settles them. Everyone in the next \
                plan is sent to, including those the old run sent to: to send only to the others, exclude \
                'salvo report CAMPAIGN --sent' in a follow-up campaign instead. Exit status: 0 put aside or \
                nothing to reset, 1 refused.
                """
        )

        @Argument(help: "The campaign file.") var campaign: String
        @Option(help: stateHelp) var state: String?

        func run() async throws {
            let campaign = try await loadCampaign(self.campaign, access: SourceAccess()).campaign
            let location = try stateLocation(state)
            let runner = CampaignRunner(campaign: campaign, options: RunOptions(stateFolder: location.localFolder), client: nil, store: location.store(campaign: campaign.id.value))
            switch await runner.reset() {
            case .setAside(let place):
                Terminal.standardError("campaign '\(campaign.id.value)': its run was put aside in \(place); the next run plans afresh")
            case .nothing(let why):
                Terminal.standardError(why)
            case .refused(let why):
                Terminal.standardError("salvo: error: \(why)")
                throw ExitCode(1)
            }
        }
    }
}
