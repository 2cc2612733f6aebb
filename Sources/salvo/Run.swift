import AliyunSMS
import ArgumentParser
import CampaignCompiler
import CampaignRunner
import Foundation
import SalvoIO

/// `salvo run`: send (or resume) a campaign.
struct Run: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Send a campaign, or resume it: checkpointed, rate-limited, never twice to anyone.",
        discussion: """
            Safe to start from cron: before the start, outside a window, or while another run holds the \
            campaign it says so and exits 75 without sending. Before its first send a run asks the account \
            about the campaign's sign and template (the preflight of 'salvo preflight'), records the answer with \
            the run, and refuses with the findings (exit 1, nothing sent) when it finds an error; a resume within \
            a day of a preflight that found no error does not ask again; --dry-run does not preflight. SIGINT or SIGTERM: no new requests, those in \
            flight finish and are recorded, exit 75. Exit status: 0 every recipient has an outcome, \
            1 errors or a fatal provider error (state kept), 64 usage error, 75 not finished.
            """
    )

    @Argument(help: "The campaign file.") var campaign: String
    @Option(help: "Send exactly this plan (written by 'salvo plan --out'), after checking its inputs are unchanged.") var plan: String?
    @Option(help: stateHelp) var state: String?
    @Option(help: "With a PostgreSQL state: seconds a runner's claims outlive its last heartbeat; then another runner settles what it held and goes on.") var leaseSeconds = 30.0
    @Option(help: "Send to this endpoint instead of the campaign's (for example the emulator's URL); a resume keeps the endpoint its run recorded unless this is given.") var endpoint: String?
    @Flag(help: "Sign and print every request instead of sending; no state is written and the account is not asked (no preflight). Phone numbers are shown masked (138****0000).") var dryRun = false
    @Flag(help: "Send without asking the account about the sign and template first (the skip is recorded with the run).") var noPreflight = false
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
        HTTPClientTransport.runTasksOnEventLoops()
        let loaded = try await loadCampaign(self.campaign, access: sourceOptions.access)
        let campaign = loaded.campaign
        let location = try stateLocation(state)
        let shared = !dryRun && location.folder == nil
        // The run's state, read before and after it (a database's store opened once for both).
        let backend = dryRun ? location : location.forRun(campaign: campaign.id.value, leaseSeconds: leaseSeconds)
        // The inputs are hashed once, here, and the header handed to the runner.
        let header = dryRun ? nil : try? PlanCompiler.header(for: campaign)
        let reader = StatusReader(campaign: campaign, backend: backend)
        // A resume sends where its run began, unless told otherwise (recipient files missing here
        // with a shared store: the stored plan is sent, where its run sends); a new plan where the
        // campaign says.
        let target = await reader.endpoint(given: endpoint, resuming: header?.planId, anyRun: shared)
        let reporter = self.reporter()
        // Each fetch of credentials (an STS role's refresh) is one line of the run's log.
        let (client, transport) = try await providerClient(for: campaign, endpoint: target, fetchingCredentials: !dryRun) { refresh in reporter.show(.notice(refresh.logLine)) }

        var options = RunOptions(stateFolder: location.localFolder)
        options.planPath = plan
        options.planHeader = header
        options.dryRun = dryRun
        options.wait = wait
        options.graceSeconds = graceSeconds
        options.retryBase = retryBase
        options.endpoint = target
        options.endpointGiven = endpoint != nil
        options.leaseSeconds = leaseSeconds
        options.skipPreflight = noPreflight
        options.campaignSources = loaded.sources
        let runner = CampaignRunner(campaign: campaign, options: options, client: client, backend: backend, events: { reporter.show($0) })
        let task = Task { await runner.run() }
        // The first SIGINT or SIGTERM cancels the run: no new requests, those in flight finish and
        // are recorded, waits end at once. A second exits at once (75): requests then in flight
        // stay `sending` in the state and are settled by the next run.
        let stops = StopSignals(secondWords: "stopping now; requests in flight are settled by the next run", secondStatus: 75) { _ in task.cancel() }
        let outcome = await task.value
        withExtendedLifetime(stops) {}
        await transport.shutdown()
        reporter.finish()
        if dryRun, let failure = outcome.failure { throw failure }
        if !dryRun { try await finish(outcome, reader: reader, runner: runner, shared: shared, reporter: reporter) }
    }

    /// Progress on a terminal, log lines elsewhere, or JSON lines.
    private func reporter() -> any RunReporter {
        let outputs = RunReporterOutputs(output: StandardStream.output, errors: StandardStream.error, showNumbers: showNumbers)
        if json { return JSONLinesRunReporter(outputs) }
        return Terminal.isTerminal(fileDescriptor: 2) ? TerminalRunReporter(outputs) : LogRunReporter(outputs)
    }

    /// The last word of a run that kept state: how it ended, then the campaign's status.
    private func finish(_ outcome: RunOutcome, reader: StatusReader, runner: CampaignRunner, shared: Bool, reporter: any RunReporter) async throws {
        let status = try? await reader.status()
        if shared, ProcessInfo.processInfo.environment["SALVO_STORE_STATS"] == "1" {
            // For benchmarks: the database round trips this runner made.
            Terminal.standardError("store: \(runner.storeRoundTrips) round trips")
        }
        await runner.close()
        let failure = outcome.failure
        if let message = failure?.message { Terminal.standardError("salvo: error: \(message)") }
        reporter.final(status, message: outcome.words)
        if let failure { throw CommandFailure(failure.code, nil) }
    }
}
