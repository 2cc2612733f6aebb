import AliyunSMS
import ArgumentParser
import NIOCore
import NIOPosix
import CampaignCompiler
import CampaignRunner
import YAMLSyntax
import Foundation
import PostgresStore
import Synchronization

/// `salvo run`: send (or resume) a campaign.
struct Run: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Send a campaign, or resume it: checkpointed, rate-limited, never twice to anyone.",
        discussion: """
            Safe to start from cron: before the start, outside a window, or while another run holds the \
            campaign it says so and exits 75 without sending. SIGINT or SIGTERM: no new requests, those in \
            flight finish and are recorded, exit 75. Exit status: 0 every recipient has an outcome, \
            1 errors or a fatal provider error (state kept), 64 usage error, 75 not finished.
            """
    )

    @Argument(help: "The campaign file.") var campaign: String
    @Option(help: "Send exactly this plan (written by 'salvo plan --out'), after checking its inputs are unchanged.") var plan: String?
    @Option(help: stateHelp) var state: String?
    @Option(help: "With a PostgreSQL state: seconds a runner's claims outlive its last heartbeat; then another runner settles what it held and goes on.") var leaseSeconds = 30.0
    @Option(help: "Send to this endpoint instead of the campaign's (for example the emulator's URL); a resume keeps the endpoint its run recorded unless this is given.") var endpoint: String?
    @Flag(help: "Sign and print every request instead of sending; no state is written. Phone numbers are shown masked (138****0000).") var dryRun = false
    @Flag(help: "With --dry-run: print the phone numbers in full (the requests exactly as they would be sent).") var showNumbers = false
    @Flag(help: "Sleep until the next window instead of exiting.") var wait = false
    @Flag(help: "Print one JSON object per line: events, and the final status last.") var json = false
    @Option(help: "Seconds to wait for the provider's records before an unanswered request counts as not sent.") var graceSeconds = 30.0
    @Option(help: "Seconds before the first retry of a refused request; later ones double, up to a minute.") var retryBase = 1.0
    @OptionGroup var sourceOptions: SourceOptions

    func validate() throws {
        if showNumbers && !dryRun { throw ValidationError("--show-numbers goes with --dry-run: a run never prints numbers") }
    }

    func run() async throws {
        #if os(Linux)
        // Tasks run on the HTTP client's event loops instead of a second thread pool: each answer
        // then resumes its task without a thread hop, about a fifth less CPU per message. The
        // price: the run's blocking work (SQLite commits, about 20 µs each without an fsync; the
        // intents' fsync before a group starts; an occasional WAL checkpoint) briefly holds up
        // the connections on that loop. (On Darwin NIO requires the main thread for this, which
        // an async command is not on; there the default executor stays.)
        _ = NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
        #endif
        let campaign = try await loadCampaign(self.campaign, access: sourceOptions.access).campaign
        let location = try stateLocation(state)
        let stateFolder = location.localFolder
        let store = dryRun ? nil : location.store(campaign: campaign.id.value, leaseSeconds: leaseSeconds)
        // A resume sends where its run began, unless told otherwise; a new plan where the campaign
        // says.
        // The inputs are hashed once, here, and the header handed to the runner.
        let header = dryRun ? nil : try? PlanCompiler.header(for: campaign)
        var recorded: String?
        // The run's own store, read before and after it.
        let reader = store.map { StatusReader(campaign: campaign, store: $0) } ?? StatusReader(campaign: campaign, stateFolder: stateFolder)
        if endpoint == nil, !dryRun {
            if let planID = header?.planId {
                recorded = try? await reader.endpoint(resuming: planID)
            } else if store != nil {
                // Recipient files missing here: the stored plan is sent, where its run sends.
                recorded = try? await reader.recordedEndpoint()
            }
        }
        let target = endpoint ?? recorded ?? campaign.provider.endpoint
        let (client, transport) = try providerClient(for: campaign, endpoint: target)

        var options = RunOptions(stateFolder: stateFolder)
        options.planPath = plan
        options.planHeader = header
        options.dryRun = dryRun
        options.wait = wait
        options.graceSeconds = graceSeconds
        options.retryBase = retryBase
        options.endpoint = target
        options.endpointGiven = endpoint != nil
        let printer = RunPrinter(json: json, terminal: !json && Terminal.isTerminal(fileDescriptor: 2), showNumbers: showNumbers)
        let runner = CampaignRunner(campaign: campaign, options: options, client: client, store: store, events: { printer.show($0) })
        let task = Task { await runner.run() }
        // The first SIGINT or SIGTERM cancels the run: no new requests, those in flight finish and
        // are recorded, waits end at once. A second exits at once (75): requests then in flight
        // stay `sending` in the state and are settled by the next run.
        let stops = StopSignals(secondWords: "stopping now; requests in flight are settled by the next run", secondStatus: 75) { _ in task.cancel() }
        let outcome = await task.value
        withExtendedLifetime(stops) {}
        await transport.shutdown()
        printer.finish()
        if dryRun {
            if case .stopped(let reason) = outcome { Terminal.standardError("salvo: error: \(reason)") }
            throw ExitCode(outcome.exitStatus)
        }
        let status = try? await reader.status()
        if let store, ProcessInfo.processInfo.environment["SALVO_STORE_STATS"] == "1" {
            // For benchmarks: the database round trips this runner made.
            Terminal.standardError("store: \(store.roundTrips) round trips")
        }
        await store?.close()
        switch outcome {
        case .done:
            printer.final(status, message: "done")
        case .later(let reason):
            printer.final(status, message: reason.description)
        case .stopped(let reason):
            Terminal.standardError("salvo: error: \(reason)")
            printer.final(status, message: nil)
        }
        if outcome.exitStatus != 0 { throw ExitCode(outcome.exitStatus) }
    }
}

/// Shows run events: a progress bar on a terminal (sent, failed, deferred, rate, ETA), plain log
/// lines otherwise, or JSON lines. Numbers are never shown, but in the requests of a dry run
/// with `--show-numbers`.
final class RunPrinter: Sendable {
    let json: Bool
    let terminal: Bool
    let showNumbers: Bool

    private struct Bar {
        var counts = RunCounts()
        var lastDraw = 0.0
        var startedAt = Date().timeIntervalSince1970
        var sentAtStart: Int?
        var pace: Pace?
    }

    private let bar = Mutex(Bar())
    private let lastWaiting = Mutex<(reason: String, until: Double)?>(nil)

    init(json: Bool, terminal: Bool, showNumbers: Bool = false) {
        self.json = json
        self.terminal = terminal
        self.showNumbers = showNumbers
    }

    func show(_ event: RunEvent) {
        switch event {
        case .dryRun(let signed):
            let request = showNumbers ? signed : DryRunMasking.masked(signed)
            var text = "\(request.method) \(request.url)\n"
            for (name, value) in request.headers { text += "\(name): \(value)\n" }
            if !request.body.isEmpty { text += "\n" + String(decoding: request.body, as: UTF8.self) + "\n" }
            Terminal.standardOutput(text + "\n")
        case .progress(let counts, let pace):
            if terminal {
                bar.withLock { state in
                    state.counts = counts
                    state.pace = pace
                    if state.sentAtStart == nil { state.sentAtStart = counts.sent }
                }
                draw(force: false)
            } else if json {
                log(["event": "progress", "sent": counts.sent, "failed": counts.failed, "deferred": counts.deferred, "pending": counts.pending, "uncertain": counts.uncertain,
                     "pace": pace.rate.rounded(), "rate": pace.ceiling.rounded(), "paceReason": pace.reason.rawValue])
            }
        case .sendingTo(let endpoint):
            line("sending to \(endpoint)", ["event": "endpoint", "endpoint": endpoint])
            if terminal { Terminal.standardError("sending to \(endpoint)") }
        case .notice(let text):
            line("note: \(text)", ["event": "notice", "message": text])
            if terminal { Terminal.standardError("note: \(text)") }
        case .planned(let batches, let recipients, let planId, let resumed):
            line("plan \(planId)\(resumed ? " (resumed)" : ""): \(recipients) recipient\(recipients == 1 ? "" : "s") in \(batches) request\(batches == 1 ? "" : "s"); sending when the schedule allows", ["event": "planned", "planId": planId, "batches": batches, "recipients": recipients, "resumed": resumed])
        case .sent(let batch, let action, let recipients):
            if terminal {
                bar.withLock { state in
                    state.counts.sent += recipients
                    state.counts.pending = max(0, state.counts.pending - recipients)
                }
                draw(force: false)
            }
            line("batch \(batch) (\(action), \(recipients) recipients): accepted", ["event": "sent", "batch": batch, "recipients": recipients])
        case .refused(let batch, let code, let errorClass, let message):
            line("batch \(batch): \(code) (\(errorClass.rawValue)): \(message)", ["event": "refused", "batch": batch, "code": code, "class": errorClass.rawValue])
        case .reconciled(let batch, let found):
            line("batch \(batch): \(found ? "found at the provider, counted as sent" : "not found at the provider, will be sent")", ["event": "reconciled", "batch": batch, "found": found])
        case .waiting(let until, let local, let reason):
            let text = "waiting until \(local) (\(reason))"
            // A run that asks the provider about unanswered requests every second waits again and
            // again: a line when the reason changes or the time moves by a minute, not each time.
            let repeated = lastWaiting.withLock { last -> Bool in
                if let last, last.reason == reason.description, abs(last.until - until) < 60 { return true }
                last = (reason.description, until)
                return false
            }
            if repeated && !json { return }
            if terminal {
                // Above the progress bar: a wait of hours must not look like a hang.
                Terminal.standardErrorRaw("\r\u{1B}[K")
                Terminal.standardError(text)
                draw(force: true)
            }
            line(text, ["event": "waiting", "until": until, "local": local, "reason": reason.description])
        case .problems(let report):
            Terminal.standardErrorRaw(TextReporter(colored: terminal).render(report))
        }
    }

    /// Redraws the progress line, at most five times a second unless forced.
    private func draw(force: Bool) {
        let now = Date().timeIntervalSince1970
        guard let text = bar.withLock({ state -> String? in
            guard force || now - state.lastDraw > 0.2, state.counts.total > 0 else { return nil }
            state.lastDraw = now
            let counts = state.counts
            let done = counts.sent + counts.failed + counts.expired
            let width = 30
            let filled = min(width, width * done / counts.total)
            let elapsed = max(now - state.startedAt, 0.001)
            let rate = Double(counts.sent - (state.sentAtStart ?? 0)) / elapsed
            let left = counts.pending + counts.deferred + counts.uncertain
            let eta = rate > 0 ? " ETA \(Int((Double(left) / rate).rounded(.up))) s" : ""
            let pace = state.pace.map { $0.reason == .configured ? "" : " (\($0.description))" } ?? ""
            return "\r" + String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
                + " \(counts.sent)/\(counts.total) sent, \(counts.failed) failed, \(counts.deferred) deferred, \(Int(rate))/s\(pace)\(eta)\u{1B}[K"
        }) else { return }
        Terminal.standardErrorRaw(text)
    }

    private func line(_ text: String, _ object: [String: Any]) {
        if json {
            log(object)
        } else if !terminal {
            Terminal.standardError(text)
        }
    }

    private let started = Date().timeIntervalSince1970

    private func log(_ object: [String: Any]) {
        var object = object
        object["t"] = ((Date().timeIntervalSince1970 - started) * 1000).rounded() / 1000
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
        Terminal.standardOutput(String(decoding: data, as: UTF8.self) + "\n")
    }

    func finish() {
        if terminal {
            draw(force: true)
            Terminal.standardError("")
        }
    }

    func final(_ status: CampaignStatus?, message: String?) {
        if json {
            if let status { Terminal.standardOutput(status.json()) }
        } else {
            if let message { Terminal.standardError(message) }
            if let status { Terminal.standardOutput(PrintableText.escapeLines(status.text())) }
        }
    }
}

/// A dry run's request as it is shown: the phone numbers of `PhoneNumbers` (SendSms, in the query)
/// and `PhoneNumberJson` (SendBatchSms, in the body) masked as `138****0000`; the signature is
/// still that of the request with the full numbers. The body's SHA-256 (`x-acs-content-sha256`) is
/// left out: with the masked number beside it, trying the ten thousand hidden digits against it
/// would give the number back.
enum DryRunMasking {
    static let hiddenHash = "(hidden: the hash of the body with the full numbers; --show-numbers prints it)"

    static func masked(_ request: SignedRequest) -> SignedRequest {
        var request = request
        request.headers = request.headers.map { $0.0 == "x-acs-content-sha256" ? ($0.0, hiddenHash) : $0 }
        if let question = request.url.firstIndex(of: "?"), let pairs = PercentEncoding.parseForm(request.url[request.url.index(after: question)...]) {
            request.url = String(request.url[...question]) + PercentEncoding.form(pairs.map(maskedPair))
        }
        if !request.body.isEmpty, let pairs = PercentEncoding.parseForm(Substring(String(decoding: request.body, as: UTF8.self))) {
            request.body = Array(PercentEncoding.form(pairs.map(maskedPair)).utf8)
        }
        return request
    }

    private static func maskedPair(_ pair: (String, String)) -> (String, String) {
        switch pair.0 {
        case "PhoneNumbers", "PhoneNumber":
            return (pair.0, pair.1.split(separator: ",", omittingEmptySubsequences: false).map { mask(String($0)) }.joined(separator: ","))
        case "PhoneNumberJson":
            guard let numbers = try? JSONSerialization.jsonObject(with: Data(pair.1.utf8)) as? [String],
                  let data = try? JSONSerialization.data(withJSONObject: numbers.map(mask)) else { return (pair.0, mask(pair.1)) }
            return (pair.0, String(decoding: data, as: UTF8.self))
        default:
            return pair
        }
    }

    private static func mask(_ text: String) -> String {
        if case .success(let phone) = PhoneNumber.parse(text) { return phone.masked }
        return PhoneNumber.maskedText(text)
    }
}
