import ArgumentParser
import CampaignCompiler
import CampaignRunner

/// `salvo state`: the campaign's stored run.
struct StateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "state",
        abstract: "Manage a campaign's stored run.",
        subcommands: [Reset.self]
    )

    /// `salvo state reset`: start a campaign over.
    struct Reset: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Put a campaign's run aside so that the next run plans and sends afresh.",
            discussion: """
                The run's state and plan are moved into a 'previous-TIME' folder beside them, never deleted. \
                Refused while another run holds the campaign, or while any request may have reached the \
                provider unanswered: run the campaign again first, which settles them. Everyone in the next \
                plan is sent to, including those the old run sent to: to send only to the others, exclude \
                'salvo report CAMPAIGN --sent' in a follow-up campaign instead. Exit status: 0 put aside or \
                nothing to reset, 1 refused.
                """
        )

        @Argument(help: "The campaign file.") var campaign: String
        @Option(help: stateHelp) var state: String?

        func run() async throws {
            let campaign = try await loadCampaign(self.campaign, access: SourceAccess()).campaign
            let location = try stateLocation(state)
            let runner = CampaignRunner(campaign: campaign, options: RunOptions(stateFolder: location.localFolder), client: nil, backend: location)
            switch await runner.reset() {
            case .setAside(let place):
                Terminal.standardError("campaign '\(campaign.id.value)': its run was put aside in \(place); the next run plans afresh")
            case .nothing(let why):
                Terminal.standardError(why)
            case .refused(let why):
                throw CommandFailure(.failed, why)
            }
        }
    }
}
