import ArgumentParser
import Foundation
import SMSEmulator

/// `salvo emulator`: a local Alibaba-Cloud-compatible SMS endpoint for tests, dry runs and demos.
///
/// `salvo emulator [options]` serves (its default subcommand); `salvo help emulator` lists the
/// serve options too, so that they are not hidden behind a subcommand's help.
struct Emulator: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a local Alibaba-Cloud-compatible SMS endpoint (SendSms, SendBatchSms, QuerySendDetails).",
        discussion: "'salvo emulator [options]' is 'salvo emulator serve [options]'. " + EmulatorOptions.discussion + "\n\n" + serveOptions,
        subcommands: [Serve.self, Stats.self],
        defaultSubcommand: Serve.self
    )

    /// The OPTIONS section of the serve command's help.
    private static var serveOptions: String {
        let help = Serve.helpMessage(columns: 80)
        guard let start = help.range(of: "OPTIONS:") else { return "" }
        return "SERVE " + help[start.lowerBound...].trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

extension Emulator {
    struct Serve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "serve",
            abstract: "Serve on 127.0.0.1 (the same as 'salvo emulator' with these options); the first line printed is the URL.",
            discussion: EmulatorOptions.discussion
        )

        @OptionGroup var options: EmulatorOptions

        func run() async throws {
            try await options.serve()
        }
    }
}

/// The emulator's serve options and what serving does.
struct EmulatorOptions: ParsableArguments {
    static let discussion = """
            The access key pair it accepts comes from ALIBABA_CLOUD_ACCESS_KEY_ID and \
            ALIBABA_CLOUD_ACCESS_KEY_SECRET, or --access-key-id and --access-key-secret-file (a secret \
            on the command line would show in 'ps'). The --record file is owner-only (0600): it holds \
            full phone numbers. The sign names \
            and templates it knows come from --campaign files or a --config file; with neither it \
            accepts any. Faults are drawn per request from --seed, so a run can be replayed. SIGINT or SIGTERM: no new \
            connections, requests and pushes in flight finish (at most 5 s), pushes not made yet are kept in the --record \
            (the next emulator on it makes them) or, without one, counted as dropped; exit 0. \
            With --sts it also plays STS and the ECS instance metadata service on the same URL (point \
            ALIBABA_CLOUD_STS_ENDPOINT and SALVO_ECS_METADATA_URL at it): AssumeRole signed with its key pair \
            (or, chained, with a key it issued and its token), AssumeRoleWithOIDC with the token in \
            --sts-oidc-token-file, and the role's credentials from /latest/meta-data/ram/security-credentials/ \
            (new ones at every fetch). Issued STS. keys state an Expiration --sts-duration seconds ahead; the \
            SMS API accepts them only with their own token, refusing an expired one with \
            InvalidSecurityToken.Expired (also --sts-revoke-after seconds after issue) and a wrong one with \
            InvalidSecurityToken.Malformed, before anything is recorded. 'salvo emulator stats' counts \
            stsIssued and stsRefused.
            """ + " " + EmulatorQueueOptions.discussion

    @Option(help: "Port to listen on; 0 picks a free one.") var port = 0
    @Option(help: "Address to bind (loopback by default).") var host = "127.0.0.1"
    @Option(help: "SQLite file recording every accepted recipient (default: in memory).") var record: String?
    @Option(name: .customLong("campaign"), help: "A campaign file whose sign name and template to know (repeatable).") var campaigns: [String] = []
    @Option(help: "A JSON file: {\"signNames\": [...], \"signs\": [{\"name\", \"status\", \"rejectInfo\", \"carriers\": [{\"operator\", \"status\", \"reasons\"}]}], \"templates\": [{\"code\", \"content\", \"status\", \"type\", \"intlType\", \"rejectInfo\", \"variableAttributes\"}]}; all but a name and a code may be left out (approved, registered with all three operators); a template of type international (3) takes only numbers outside the mainland.") var config: String?
    @Option(help: "Access key id to accept (default: ALIBABA_CLOUD_ACCESS_KEY_ID).") var accessKeyId: String?
    @Option(help: "A file holding the access key secret to accept (default: ALIBABA_CLOUD_ACCESS_KEY_SECRET).") var accessKeySecretFile: String?
    @Option(help: "Share of requests refused with HTTP 400 Throttling.User.") var throttleRate = 0.0
    @Option(help: "Share of requests refused with HTTP 503 ServiceUnavailable.") var unavailableRate = 0.0
    @Option(help: "Share of sends recorded but left unanswered (connection closed, or HTTP 500).") var ambiguousRate = 0.0
    @Option(help: "Delay before each answer, in milliseconds.") var latencyMs = 0
    @Option(help: "Extra random delay up to this many milliseconds.") var jitterMs = 0
    @Option(help: "Messages per number, sign and template per China day before isv.BUSINESS_LIMIT_CONTROL (0: no cap).") var dailyCap = 0
    @Option(help: "Seed of the fault generator.") var seed: UInt64 = 1
    @Option(help: "Send requests (SendSms, SendBatchSms) accepted per second before HTTP 400 Throttling.User; QuerySendDetails has its own budget of the same size (0: no limit).") var qpsLimit = 0
    @Option(help: "Milliseconds a flow-control refusal asks the client to wait, in its x-acs-retry-after header (default: no header).") var qpsRetryAfter: Int?
    @Option(help: "Push delivery receipts of accepted sends to this URL (a receiver's /sms-report), as Alibaba Cloud does.") var reportUrl: String?
    @Option(help: "Milliseconds after a send before its receipt is pushed.") var reportDelayMs = 500
    @Option(help: ArgumentHelp("Share of receipts that report a carrier failure, 0 to 1: for every template (0.02), or for one template code (SMS_465012399=0.9, which wins); repeatable.",
                               valueName: "RATE or CODE=RATE")) var reportFailRate: [FailRateOption] = []
    @Option(help: "Share of receipts pushed twice.") var reportDuplicateRate = 0.0
    @Option(help: "Share of recipients who reply (SmsUp, pushed to the --report-url with 'sms-up' for 'sms-report'); half of the replies are unsubscribe words.") var replyRate = 0.0
    @Option(help: "Scale of the retry schedule (1, 5 and 10 minutes) when the receiver does not answer code 0; 0.001 makes it 60, 300 and 600 ms.") var reportRetryScale = 1.0
    @OptionGroup var stsOptions: EmulatorSTSOptions
    @OptionGroup var queueOptions: EmulatorQueueOptions

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port is a TCP port, 0 to 65535 (0 picks a free one)") }
        if let problem = faults.problem { throw ValidationError(problem) }
        guard qpsLimit >= 0 else { throw ValidationError("--qps-limit is 0 (no limit) or more") }
        for rate in [reportDuplicateRate, replyRate] where !(0...1).contains(rate) {
            throw ValidationError("--report-fail-rate, --report-duplicate-rate and --reply-rate are between 0 and 1")
        }
        guard reportDelayMs >= 0, reportRetryScale >= 0 else { throw ValidationError("--report-delay-ms and --report-retry-scale are 0 or more") }
        if let qpsRetryAfter {
            guard qpsRetryAfter > 0 else { throw ValidationError("--qps-retry-after is at least 1 millisecond") }
            guard qpsLimit > 0 else { throw ValidationError("--qps-retry-after needs --qps-limit") }
        }
    }

    func serve() async throws {
        let stops: StopSignals
        let emulator: EmulatorInstance
        do throws(EmulatorError) {
            let configuration = try await self.configuration()
            stops = StopSignals()
            emulator = try await EmulatorInstance.start(configuration: configuration, recordPath: record, reportPlan: reportPlan, host: host, port: port)
        } catch {
            throw Self.failure(error)
        }
        Terminal.standardOutput("listening on \(emulator.url)\n")
        if emulator.resumedPushes > 0 {
            Terminal.standardError("salvo: \(emulator.resumedPushes) pushes kept by the emulator that stopped before: pushing them now")
        }
        let signal = await stops.first()
        Terminal.standardError("salvo: \(StopSignals.name(signal)): no new connections; finishing the requests and pushes in flight (at most 5 s)")
        let stopped = await emulator.stop(grace: .seconds(4))
        if stopped.pushesLeft > 0 {
            Terminal.standardError(stopped.keptIn.map { "salvo: \(stopped.pushesLeft) pushes not made yet are kept in '\($0)'; an emulator started again on it makes them" }
                ?? "salvo: \(stopped.pushesLeft) pushes not made yet are dropped (no --record to keep them in)")
        }
        Terminal.standardError("salvo: stopped")
    }

    /// What the emulator accepts and how it misbehaves, as the options say.
    private func configuration() async throws(EmulatorError) -> EmulatorConfiguration {
        var configuration = try EmulatorConfiguration(acceptingKeyId: accessKeyId, secretFile: accessKeySecretFile, environment: ProcessInfo.processInfo.environment)
        try await configuration.learnKnown(campaigns: campaigns, configuration: config)
        configuration.faults = faults
        configuration.flowControl = UserFlowControl(requestsPerSecond: qpsLimit, retryAfter: qpsRetryAfter.map { Duration.milliseconds($0) })
        configuration.sts = stsOptions.emulation
        configuration.queue = queueOptions.emulation
        return configuration
    }

    /// An emulator error as the command's failure, with what to do about it in the command's
    /// words: the key pair's options (exit 64), the check that shows a campaign's errors (exit 1).
    static func failure(_ error: EmulatorError) -> CommandFailure {
        switch error.code {
        case .keyPairMissing: CommandFailure(.usage, error.message + ", or pass --access-key-id and --access-key-secret-file", cause: error)
        case .secretFileUnreadable: CommandFailure(.usage, error.message, cause: error)
        case .campaignHasErrors: CommandFailure(.failed, error.message + "; run 'salvo validate \(error.path ?? "")'", cause: error)
        default: CommandFailure(.failed, error.message, cause: error)
        }
    }

    /// How to make receipts, and push them with `--report-url` (with only `--queue`, they are queued).
    private var reportPlan: ReportPlan? {
        guard reportUrl != nil || queueOptions.queue else { return nil }
        var plan = ReportPlan(url: reportUrl ?? "")
        plan.delay = .milliseconds(reportDelayMs)
        for option in reportFailRate {
            if let code = option.templateCode { plan.failRates[code] = option.rate } else { plan.failRate = option.rate }
        }
        plan.duplicateRate = reportDuplicateRate
        plan.retryScale = reportRetryScale
        plan.replyRate = replyRate
        plan.seed = seed
        return plan
    }

    /// The faults the options ask for.
    private var faults: FaultPlan {
        var faults = FaultPlan()
        faults.throttleRate = throttleRate
        faults.unavailableRate = unavailableRate
        faults.ambiguousRate = ambiguousRate
        faults.latency = .milliseconds(latencyMs)
        faults.jitter = .milliseconds(jitterMs)
        faults.dailyCap = dailyCap
        faults.seed = seed
        return faults
    }
}

extension Emulator {
    struct Stats: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print JSON counts of a record, including numbers recorded more than once.")

        @Option(help: "The record file written by 'salvo emulator --record'.") var record: String

        func run() async throws {
            guard FileManager.default.fileExists(atPath: record) else { throw CommandFailure(.usage, "no record at '\(record)'") }
            let store = try await CommandFailure.failing { try EmulatorRecord(path: record) }
            Terminal.standardOutput(try store.statistics().json())
        }
    }
}
