import ArgumentParser
import CampaignCompiler
import CampaignRunner
import SalvoIO

/// `salvo status`: where a campaign stands.
struct Status: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show a campaign's progress: sent, failed by reason, deferred, pending, uncertain, expired.")

    @Argument(help: "The campaign file.") var campaign: String
    @Option(help: stateHelp) var state: String?
    @Flag(help: "Print one JSON object.") var json = false

    func run() async throws {
        let campaign = try await loadCampaign(self.campaign, access: SourceAccess()).campaign
        let reader = StatusReader(campaign: campaign, backend: try stateLocation(state))
        let reporter: any StatusReporter = json ? JSONStatusReporter(output: StandardStream.output) : TextStatusReporter(output: StandardStream.output)
        do {
            reporter.status(try await reader.status())
        } catch {
            // A state that 'run' would refuse, or that cannot be read, is not "not started".
            Terminal.standardError("salvo: error: \(error)")
            reporter.failure(campaign: campaign.id.value, message: "\(error)")
            throw CommandFailure(.failed, nil, cause: error)
        }
    }
}
