import AliyunSMS
import CampaignCompiler
import Foundation

/// How a run behaves, and the world it runs in (time and sleep are injected).
public struct RunOptions: Sendable {
    /// The folder of state stores; each campaign gets a subfolder.
    public var stateFolder: String
    /// A plan written by `salvo plan --out` to send exactly.
    public var planPath: String?
    /// Sign and print requests instead of sending them.
    public var dryRun = false
    /// Sleep until the next window instead of exiting.
    public var wait = false
    /// How long "no record yet" must last after an unanswered attempt before it counts as not sent.
    public var graceSeconds = 30.0
    /// The most attempts of one batch refused for a retryable reason before it fails.
    public var maxAttempts = 30
    /// The first retry's delay in seconds; each further one doubles it (at most a minute), with jitter.
    public var retryBase = 1.0
    /// The endpoint the run's client sends to, recorded with the run.
    public var endpoint: String?
    /// Whether the endpoint was given on purpose (`--endpoint`): only then may a resume switch.
    public var endpointGiven = false
    /// How long a request may take (the client's timeout): the provider may act on a request
    /// until then, so the grace before resending one from a run that died counts from it.
    public var requestTimeout = 30.0
    /// How many days back to ask the provider whether a plan about to start was sent before
    /// (QuerySendDetails keeps 30 days).
    public var probeDays = 7
    /// Time: read and slept on (a test's clock moves when told).
    public var clock: any RunClock = SystemRunClock()
    /// Random numbers in [0, 1) for jitter.
    public var random: @Sendable () -> Double = { Double.random(in: 0..<1) }

    /// Options with a state folder.
    public init(stateFolder: String) {
        self.stateFolder = stateFolder
    }

    /// The default state folder: `$XDG_STATE_HOME/salvo`, else `~/.local/state/salvo`.
    public static func defaultStateFolder(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let state = environment["XDG_STATE_HOME"], !state.isEmpty { return state + "/salvo" }
        return (environment["HOME"] ?? NSHomeDirectory()) + "/.local/state/salvo"
    }
}

/// What happened, for the command line to show (progress bar or log lines) without the library
/// printing anything.
public enum RunEvent: Sendable {
    case planned(batches: Int, recipients: Int, planId: String, resumed: Bool)
    case reconciled(batch: Int, found: Bool)
    case sent(batch: Int, action: String, recipients: Int)
    case refused(batch: Int, code: String, errorClass: ErrorClass, message: String)
    /// The run sleeps until `until` (seconds since 1970); `local` is that time in the campaign's
    /// time zone, as the run's other messages write it.
    case waiting(until: Double, local: String, reason: WaitReason)
    /// Where the run sends.
    case sendingTo(endpoint: String)
    /// Something the user should know (permissions tightened, a plan replaced).
    case notice(String)
    case dryRun(SignedRequest)
    case progress(RunCounts, pace: Pace)
    /// The campaign's recipients or limits have errors: the plan could not be made.
    case problems(ValidationReport)
}

/// Recipients by outcome: the `status` counts.
public struct RunCounts: Sendable, Hashable, Codable {
    public var total = 0
    public var sent = 0
    public var failed = 0
    public var deferred = 0
    public var pending = 0
    public var uncertain = 0
    public var expired = 0
    /// Failed recipients by the provider's code.
    public var failedByCode: [String: Int] = [:]

    public init() {}

    /// Adds a batch's recipients.
    public mutating func add(_ batch: BatchRecord) { count(batch, 1) }

    /// Takes a batch's recipients away.
    public mutating func remove(_ batch: BatchRecord) { count(batch, -1) }

    private mutating func count(_ batch: BatchRecord, _ sign: Int) {
        let recipients = batch.recipients * sign
        total += recipients
        switch batch.state {
        case .accepted: sent += recipients
        case .failed:
            failed += recipients
            let code = batch.code ?? "unknown"
            let left = failedByCode[code, default: 0] + recipients
            failedByCode[code] = left == 0 ? nil : left
        case .deferred: deferred += recipients
        case .pending: pending += recipients
        case .sending, .uncertain: uncertain += recipients
        case .expired: expired += recipients
        }
    }

    /// Counts of the recipients in `batches`.
    public init(_ batches: [BatchRecord]) {
        for batch in batches { add(batch) }
    }

    /// Whether every recipient has a final outcome.
    public var isDone: Bool { total == sent + failed + expired }
}

/// The pace of a run and why, for the progress line and `status`.
public struct Pace: Sendable, Hashable {
    /// Messages per second in force.
    public var rate: Double
    /// The configured rate.
    public var ceiling: Double
    public var reason: FlowControl.Reason

    /// A pace.
    public init(rate: Double, ceiling: Double, reason: FlowControl.Reason) {
        self.rate = rate
        self.ceiling = ceiling
        self.reason = reason
    }

    /// "provider throttling: 9,400/s of 50,000/s", or "50,000/s (configured)".
    public var description: String {
        switch reason {
        case .configured: "\(Self.number(ceiling))/s (the campaign's rate)"
        case .providerThrottling: "provider throttling: \(Self.number(rate))/s of \(Self.number(ceiling))/s"
        case .retryAfter: "the provider asked to wait: \(Self.number(rate))/s of \(Self.number(ceiling))/s"
        }
    }

    static func number(_ value: Double) -> String {
        let rounded = Int(value.rounded())
        guard rounded >= 1000 else { return value < 10 && value != value.rounded() ? String(format: "%.1f", value) : String(rounded) }
        var digits = String(rounded)
        var groups: [String] = []
        while digits.count > 3 {
            groups.insert(String(digits.suffix(3)), at: 0)
            digits = String(digits.dropLast(3))
        }
        return ([digits] + groups).joined(separator: ",")
    }
}
