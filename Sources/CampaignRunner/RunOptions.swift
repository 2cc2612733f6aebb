import AliyunSMS
import CampaignCompiler
import Foundation
import YAMLSyntax

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
    /// The campaign's plan header when the caller has just made it (its inputs hashed), so that
    /// they are not hashed again, as `PlanCompiler.compile(output:header:)` takes it.
    public var planHeader: PlanHeader?
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
    /// Shared state: how long to keep trying to reach a database that went away mid-run before
    /// ending the run (exit 75).
    public var reconnectSeconds = 300.0
    /// Shared state: how long this runner's claims outlive its last heartbeat, in seconds.
    public var leaseSeconds = 30.0
    /// Do not preflight (`--no-preflight`): the run sends without asking the account about its
    /// sign and template, and records that it did not ask.
    public var skipPreflight = false
    /// Whom the preflight asks (nil: the run's client); tests may give a fake account.
    public var account: (any AccountQueries)?
    /// The campaign file's lines, by path, for rendering the preflight's findings (may be empty).
    public var campaignSources: [String: SourceText] = [:]
    /// Time: read and slept on (a test's clock moves when told).
    public var clock: any RunClock = SystemRunClock()
    /// Random numbers in [0, 1) for jitter.
    public var random: @Sendable () -> Double = { Double.random(in: 0..<1) }

    /// Options with a state folder.
    public init(stateFolder: String) {
        self.stateFolder = stateFolder
    }

    /// The default state folder: `$SALVO_STATE`, else `$XDG_STATE_HOME/salvo`, else
    /// `~/.local/state/salvo`.
    public static func defaultStateFolder(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let state = environment["SALVO_STATE"], !state.isEmpty { return state }
        if let state = environment["XDG_STATE_HOME"], !state.isEmpty { return state + "/salvo" }
        return (environment["HOME"] ?? NSHomeDirectory()) + "/.local/state/salvo"
    }
}
