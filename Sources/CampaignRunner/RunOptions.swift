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
    /// Seconds since 1970, now.
    public var now: @Sendable () -> Double = { Date().timeIntervalSince1970 }
    /// Sleeps; throws when the run must stop sleeping (cancellation).
    public var sleep: @Sendable (Double) async throws -> Void = { seconds in
        if seconds > 0 { try await Task.sleep(for: .milliseconds(Int64(seconds * 1000))) }
    }
    /// Set when SIGINT or SIGTERM came: no new requests.
    public var shouldStop: @Sendable () -> Bool = { false }
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
    case waiting(until: Double, local: String, reason: String)
    case dryRun(SignedRequest)
    case progress(RunCounts)
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

    /// Counts of the recipients in `batches`.
    public init(_ batches: [BatchRecord]) {
        for batch in batches {
            total += batch.recipients
            switch batch.state {
            case .accepted: sent += batch.recipients
            case .failed:
                failed += batch.recipients
                failedByCode[batch.code ?? "unknown", default: 0] += batch.recipients
            case .deferred: deferred += batch.recipients
            case .pending: pending += batch.recipients
            case .sending, .uncertain: uncertain += batch.recipients
            case .expired: expired += batch.recipients
            }
        }
    }

    /// Whether every recipient has a final outcome.
    public var isDone: Bool { total == sent + failed + expired }
}

/// How a run ended.
public enum RunOutcome: Sendable, Equatable {
    /// Every recipient has a final outcome (exit 0).
    case done
    /// Not finished: before the start, outside a window, deferred recipients, interrupted, or
    /// another run holds the campaign (exit 75).
    case later(String)
    /// Stopped on a fatal provider error, or refused to run (exit 1).
    case stopped(String)
}
