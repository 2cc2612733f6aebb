import ArgumentParser
import CampaignRunner
import Foundation
import HTTPServing

/// `salvo receipts`: take in what Alibaba Cloud pushes about a campaign's messages.
struct Receipts: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Receive the delivery receipts and replies Alibaba Cloud pushes, or pull them from its message queue.",
        subcommands: [Serve.self, Pull.self, Unmatched.self]
    )

    struct Serve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Serve POST /sms-report and /sms-up (under /TOKEN/ with a token) and keep what arrives with each campaign's state.",
            discussion: """
                Alibaba Cloud signs nothing it pushes: give an unguessable --token of at least 16 characters (or \
                SALVO_RECEIPTS_TOKEN, which ps does not show) and put HTTPS in front with a reverse proxy. On an address other \
                than loopback a token is required, unless --no-token says that something in front already guards it. A push is \
                answered {"code":0} only once it is on disk. A receipt counts only in the batch its OutId names and only for one \
                of that batch's numbers; the others, and malformed elements of a push, are kept in the state folder's ledger \
                ('salvo receipts unmatched'). SIGINT or SIGTERM: no new connections, pushes in flight are answered (at most \
                5 s), exit 0.
                """
        )

        @Option(help: stateHelp) var state: String?
        @Option(help: "The address to listen on.") var host = "127.0.0.1"
        @Option(help: "The port (0 picks a free one).") var port = 8089
        @Option(help: "Serve only under /TOKEN/, at least 16 characters (default: $SALVO_RECEIPTS_TOKEN, which is better: ps shows arguments).") var token: String?
        @Flag(help: "Serve without a token on an address other than loopback (something in front must guard it).") var noToken = false
        @Option(help: ArgumentHelp("Seconds a request's head may take to arrive before the connection is closed.", valueName: "seconds")) var headerTimeout = 10.0
        @Option(help: ArgumentHelp("Seconds a connection may stay silent (between requests, or within a body) before it is closed.", valueName: "seconds")) var idleTimeout = 60.0
        @Option(help: ArgumentHelp("Connections served at once; past them a new one is answered 503 and closed.", valueName: "n")) var maxConnections = 512

        func validate() throws {
            guard (0...65535).contains(port) else { throw ValidationError("--port is a TCP port, 0 to 65535 (0 picks a free one)") }
        }

        func run() async throws {
            let environment = ProcessInfo.processInfo.environment
            let token = (self.token ?? environment["SALVO_RECEIPTS_TOKEN"]).flatMap { $0.isEmpty ? nil : $0 }
            if let problem = Self.problem(host: host, token: token, noToken: noToken, headerTimeout: headerTimeout, idleTimeout: idleTimeout,
                                          maxConnections: maxConnections) {
                throw CommandFailure(.usage, problem)
            }
            let location = try stateLocation(state)
            var limits = HTTPLimits()
            limits.headerTimeout = .milliseconds(Int64(headerTimeout * 1000))
            limits.idleTimeout = .milliseconds(Int64(idleTimeout * 1000))
            limits.maxConnections = maxConnections
            let stops = StopSignals()
            let server = try await CommandFailure.failing {
                try await ReceiptsServer.start(backend: location, token: token, host: host, port: port, limits: limits) { Terminal.standardError($0) }
            }
            Terminal.standardOutput("listening on \(server.url)\n")
            let signal = await stops.first()
            Terminal.standardError("salvo: \(StopSignals.name(signal)): no new connections; answering the pushes in flight (at most 5 s)")
            await server.stop(grace: .seconds(5))
            Terminal.standardError("salvo: stopped")
        }

        /// What is wrong with the options, in words; nil when nothing is.
        static func problem(host: String, token: String?, noToken: Bool, headerTimeout: Double, idleTimeout: Double, maxConnections: Int) -> String? {
            if let token {
                if noToken { return "--no-token and a token (--token or SALVO_RECEIPTS_TOKEN) contradict each other" }
                if let problem = ReceiptsHTTPService.tokenProblem(token) { return problem }
            } else if !HTTPListener.isLoopback(host), !noToken {
                return "'\(host)' is not a loopback address: anyone who reaches it could push receipts and unsubscribe replies; give a --token (or SALVO_RECEIPTS_TOKEN) of at least \(ReceiptsHTTPService.minimumTokenLength) characters, or --no-token if something in front already guards it"
            }
            guard headerTimeout > 0, headerTimeout.isFinite, idleTimeout > 0, idleTimeout.isFinite else { return "--header-timeout and --idle-timeout are more than 0 seconds" }
            guard maxConnections >= 1 else { return "--max-connections is at least 1" }
            return nil
        }
    }
}

extension Receipts {
    struct Unmatched: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show the receipts that count in no batch, and the malformed elements of pushes: counts by reason and the latest of each (numbers masked).",
            discussion: """
                Reasons: unknown-out-id (not CAMPAIGN:PLAN:BATCH), no-campaign (no run of it here), other-plan (the run sends \
                another plan), unknown-batch, phone-not-in-batch; malformed-… for elements that are not a well-formed receipt \
                or reply (kept as their first 2 KiB of JSON).
                """
        )

        @Option(help: stateHelp) var state: String?
        @Flag(help: "Print JSON.") var json = false
        @Option(help: "Samples shown per reason.") var samples = 3

        func run() async throws {
            let folder = try stateLocation(state).localFolder
            let summary = try await CommandFailure.failing(.failed, "cannot read the receipts ledger in '\(folder)/.receipts': ") {
                try ReceiptsLedger.of(stateFolder: folder).unmatchedSummary(samples: max(samples, 0))
            }
            Terminal.standardOutput(json ? summary.json() : summary.text())
        }
    }
}
