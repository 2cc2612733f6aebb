import AliyunSMS
import ArgumentParser
import CampaignCompiler
import Foundation
import SMSEmulator

/// `salvo emulator`: a local Alibaba-Cloud-compatible SMS endpoint for tests, dry runs and demos.
struct Emulator: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a local Alibaba-Cloud-compatible SMS endpoint (SendSms, SendBatchSms, QuerySendDetails).",
        subcommands: [Serve.self, Stats.self],
        defaultSubcommand: Serve.self
    )
}

extension Emulator {
    struct Serve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "serve",
            abstract: "Serve on 127.0.0.1; the first line printed is the URL.",
            discussion: """
                The access key pair it accepts comes from ALIBABA_CLOUD_ACCESS_KEY_ID and
                ALIBABA_CLOUD_ACCESS_KEY_SECRET, or --access-key-id and --access-key-secret. The sign names
                and templates it knows come from --campaign files or a --config file; with neither it
                accepts any. Faults are drawn per request from --seed, so a run can be replayed.
                """
        )

        @Option(help: "Port to listen on; 0 picks a free one.") var port = 0
        @Option(help: "Address to bind (loopback by default).") var host = "127.0.0.1"
        @Option(help: "SQLite file recording every accepted recipient (default: in memory).") var record: String?
        @Option(name: .customLong("campaign"), help: "A campaign file whose sign name and template to know (repeatable).") var campaigns: [String] = []
        @Option(help: "A JSON file: {\"signNames\": [...], \"templates\": [{\"code\": ..., \"content\": ...}]}.") var config: String?
        @Option(help: "Access key id to accept (default: ALIBABA_CLOUD_ACCESS_KEY_ID).") var accessKeyId: String?
        @Option(help: "Access key secret to accept (default: ALIBABA_CLOUD_ACCESS_KEY_SECRET).") var accessKeySecret: String?
        @Option(help: "Share of requests refused with HTTP 400 Throttling.User.") var throttleRate = 0.0
        @Option(help: "Share of requests refused with HTTP 503 ServiceUnavailable.") var unavailableRate = 0.0
        @Option(help: "Share of sends recorded but left unanswered (connection closed, or HTTP 500).") var ambiguousRate = 0.0
        @Option(help: "Delay before each answer, in milliseconds.") var latencyMs = 0
        @Option(help: "Extra random delay up to this many milliseconds.") var jitterMs = 0
        @Option(help: "Messages per number, sign and template per China day before isv.BUSINESS_LIMIT_CONTROL (0: no cap).") var dailyCap = 0
        @Option(help: "Seed of the fault generator.") var seed: UInt64 = 1

        func validate() throws {
            for rate in [throttleRate, unavailableRate, ambiguousRate] where !(0...1).contains(rate) {
                throw ValidationError("fault rates are between 0 and 1")
            }
            guard throttleRate + unavailableRate + ambiguousRate <= 1 else { throw ValidationError("fault rates add up to more than 1") }
        }

        func run() async throws {
            let environment = ProcessInfo.processInfo.environment
            guard let id = accessKeyId ?? environment[CredentialsLoader.keyIdVariable], let secret = accessKeySecret ?? environment[CredentialsLoader.secretVariable],
                  !id.isEmpty, !secret.isEmpty else {
                Terminal.standardError("salvo: error: the emulator needs the key pair to accept: set \(CredentialsLoader.keyIdVariable) and \(CredentialsLoader.secretVariable), or pass --access-key-id and --access-key-secret")
                throw ExitCode(64)
            }
            var configuration = EmulatorConfiguration(accessKeyId: id, accessKeySecret: secret)
            try await loadKnown(into: &configuration)
            configuration.faults.throttleRate = throttleRate
            configuration.faults.unavailableRate = unavailableRate
            configuration.faults.ambiguousRate = ambiguousRate
            configuration.faults.latency = .milliseconds(latencyMs)
            configuration.faults.jitter = .milliseconds(jitterMs)
            configuration.faults.dailyCap = dailyCap
            configuration.faults.seed = seed
            let store: EmulatorRecord
            do {
                store = try EmulatorRecord(path: record ?? ":memory:")
            } catch {
                Terminal.standardError("salvo: error: \(error)")
                throw ExitCode(1)
            }
            let server: EmulatorServer
            do {
                server = try await EmulatorServer(core: EmulatorCore(configuration: configuration, record: store), host: host, port: port)
            } catch {
                Terminal.standardError("salvo: error: cannot listen on \(host):\(port): \(error)")
                throw ExitCode(1)
            }
            Terminal.standardOutput("listening on \(server.url)\n")
            await server.wait()
        }

        private func loadKnown(into configuration: inout EmulatorConfiguration) async throws {
            for path in campaigns {
                let check = await CampaignChecker.check(path: path, options: CheckOptions(checksRecipientFiles: false))
                guard let campaign = check.campaign else {
                    Terminal.standardError("salvo: error: '\(path)' has errors; run 'salvo validate \(path)'")
                    throw ExitCode(1)
                }
                configuration.signNames.insert(campaign.signName.value)
                let template = campaign.template
                configuration.templates[template.code.value] = KnownTemplate(code: template.code.value, placeholders: Set(template.placeholders.map(\.value)), content: template.content.value)
            }
            guard let config else { return }
            guard let data = FileManager.default.contents(atPath: config),
                  let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
                Terminal.standardError("salvo: error: cannot read '\(config)' as a JSON object")
                throw ExitCode(1)
            }
            for sign in object["signNames"] as? [String] ?? [] { configuration.signNames.insert(sign) }
            for entry in object["templates"] as? [[String: Any]] ?? [] {
                guard let code = entry["code"] as? String else { continue }
                let content = entry["content"] as? String ?? ""
                configuration.templates[code] = KnownTemplate(code: code, placeholders: Set(PlaceholderParser.placeholderNames(in: content)), content: content)
            }
        }
    }

    struct Stats: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print JSON counts of a record, including numbers recorded more than once.")

        @Option(help: "The record file written by 'salvo emulator --record'.") var record: String

        func run() async throws {
            guard FileManager.default.fileExists(atPath: record) else {
                Terminal.standardError("salvo: error: no record at '\(record)'")
                throw ExitCode(64)
            }
            let store: EmulatorRecord
            do {
                store = try EmulatorRecord(path: record)
            } catch {
                Terminal.standardError("salvo: error: \(error)")
                throw ExitCode(1)
            }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            let data = try encoder.encode(store.statistics())
            Terminal.standardOutput(String(decoding: data, as: UTF8.self) + "\n")
        }
    }
}
