import AliyunSMS
import ArgumentParser
import CampaignRunner
import Foundation

extension Receipts {
    /// `salvo receipts pull`: receipts and replies taken from Alibaba Cloud's message queue, for a
    /// job with no public address.
    struct Pull: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Take delivery receipts (or replies) from Alibaba Cloud's MNS queue and keep them with each campaign's state.",
            discussion: """
                For jobs with no public address: enable the queue in the SMS console (Settings, receipt settings: \
                'message queue' for delivery receipts and for replies) and give the queue's name it shows \
                (Alicom-Queue-…-SmsReport or …-SmsUp). A queue token is asked with the credentials every command \
                uses (QueryTokenForMnsQueue) and renewed before it expires. Each batch is stored as a pushed one \
                would be (matching, repeats, the ledger, unsubscribe replies) and only then deleted from the queue; \
                what is not deleted comes back and counts as a repeat. --once stops when a poll comes back empty; \
                --for bounds the time; otherwise it runs until SIGINT or SIGTERM, which finish the batch in hand. \
                Exit 0 done; 1 the queue or the token was refused (a wrong name or type, no permission) or a batch \
                could not be stored; 64 usage; 75 the queue could not be reached or throttled (run it again).
                """
        )

        @Option(help: "The queue's name, as the SMS console shows it (Alicom-Queue-…-SmsReport).") var queue: String
        @Option(help: "What the queue holds: SmsReport (delivery receipts) or SmsUp (replies).") var type: String = ReceiptQueueKind.smsReport.rawValue
        @Option(help: stateHelp) var state: String?
        @Flag(help: "Stop when a poll comes back empty.") var once = false
        @Option(name: .customLong("for"), help: ArgumentHelp("Stop after this long: 90s, 10m, 1h.", valueName: "duration")) var duration: String?
        @Option(help: "Dybaseapi, which gives the queue token.") var dybaseEndpoint = MNSReceiptQueue.defaultDybaseEndpoint
        @Option(help: "The MNS endpoint of Alibaba Cloud's receipt queues.") var mnsEndpoint = MNSReceiptQueue.defaultMNSEndpoint
        @Option(help: ArgumentHelp("Seconds one poll waits for a message (at most 30).", valueName: "seconds")) var wait = 10

        func validate() throws {
            guard ReceiptQueueKind(rawValue: type) != nil else { throw ValidationError("--type is SmsReport or SmsUp") }
            guard !(once && duration != nil) else { throw ValidationError("--once and --for contradict each other: give one") }
            if let duration, Self.seconds(duration) == nil { throw ValidationError("--for takes a duration such as 90s, 10m or 1h") }
            guard (0...30).contains(wait) else { throw ValidationError("--wait is 0 to 30 seconds") }
            guard !queue.isEmpty, !queue.contains("/") else { throw ValidationError("--queue is the queue's name, without '/'") }
        }

        /// `90s`, `10m`, `1h`, `2h30m` or plain seconds, in seconds; nil when it is none of them.
        static func seconds(_ text: String) -> Double? {
            if let plain = Double(text), plain > 0, plain.isFinite { return plain }
            var total = 0.0
            var number = ""
            for character in text {
                if character.isNumber || character == "." {
                    number.append(character)
                    continue
                }
                guard let value = Double(number) else { return nil }
                switch character {
                case "s": total += value
                case "m": total += value * 60
                case "h": total += value * 3600
                default: return nil
                }
                number = ""
            }
            return number.isEmpty && total > 0 ? total : nil
        }

        func run() async throws {
            HTTPClientTransport.runTasksOnEventLoops()
            let kind = ReceiptQueueKind(rawValue: type) ?? .smsReport
            let location = try stateLocation(state)
            let (dybase, transport) = try await tokenClient()
            let receiver = ReceiptsReceiver(backend: location, token: nil)
            let source = MNSReceiptQueue(kind: kind, queueName: queue, dybase: dybase, mnsEndpoint: mnsEndpoint, transport: transport)
            let puller = ReceiptsPuller(queue: source, kind: kind, receiver: receiver, waitSeconds: wait)
            let until: ReceiptsPuller.Until = once ? .empty : duration.flatMap(Self.seconds).map { .time(Date().addingTimeInterval($0)) } ?? .cancelled
            let terminal = Terminal.isTerminal(fileDescriptor: 2)
            let task = Task { () async -> Result<ReceiptsPuller.Tally, ReceiptsPuller.Failure> in
                do throws(ReceiptsPuller.Failure) {
                    return .success(try await puller.pull(until: until) { tally in
                        if terminal { Terminal.standardErrorRaw("\r\u{1B}[2K" + tally.summary) }
                    })
                } catch {
                    return .failure(error)
                }
            }
            let stops = StopSignals(secondWords: "stopping now; the batch in hand comes back from the queue later", secondStatus: 75) { signal in
                Terminal.standardError("\nsalvo: \(StopSignals.name(signal)): finishing the batch in hand (stored, then deleted)")
                task.cancel()
            }
            let result = await task.value
            withExtendedLifetime(stops) {}
            await transport.shutdown()
            if terminal { Terminal.standardErrorRaw("\r\u{1B}[2K") }
            switch result {
            case .success(let tally):
                Terminal.standardOutput("pulled from \(queue): \(tally.summary)\n")
            case .failure(let failure):
                Terminal.standardOutput("pulled from \(queue): \(failure.tally.summary)\n")
                throw CommandFailure(failure.code == .unavailable ? .later : .failed, failure.message, cause: failure)
            }
        }

        /// The client that asks Dybaseapi for the queue token, with the credentials chain.
        private func tokenClient() async throws -> (SMSClient, HTTPClientTransport) {
            // One connection per poll and one per delete, so that a batch's delete never waits
            // behind the other polls' long waits (its handles could expire meanwhile).
            try await signingClient(endpoint: dybaseEndpoint, scheme: .v3, maxConnections: 2 * ReceiptsPuller.defaultWorkers + 1)
        }
    }
}
