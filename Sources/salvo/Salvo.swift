import ArgumentParser
import CampaignCompiler
import Foundation

/// The `salvo` command: parses arguments, calls the libraries, prints, and maps outcomes to exit codes.
@main
struct Salvo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "salvo",
        abstract: "SMS campaigns as code: lint, plan and send Alibaba Cloud SMS campaigns from YAML.",
        version: BuildInfo.version,
        subcommands: [Validate.self, PreflightCommand.self, Plan.self, Run.self, Status.self, Report.self, StateCommand.self, Receipts.self, SuppressionCommand.self, CredentialsCommand.self, Emulator.self]
    )

    /// Every file salvo makes is its owner's alone from birth (state databases with their WAL and
    /// shared-memory files, plans, reports), whatever the caller's umask; then the command runs.
    static func main() async {
        umask(0o077)
        do {
            var command = try parseAsRoot()
            if var asynchronous = command as? AsyncParsableCommand {
                try await asynchronous.run()
            } else {
                try command.run()
            }
        } catch {
            ExitStatus.exit(for: error)
        }
    }

    /// `salvo` alone is a usage error: the help goes to standard error and the exit status is 64,
    /// so a script that lost its subcommand does not pass silently.
    func run() async throws {
        Terminal.standardErrorRaw(Self.helpMessage())
        throw CommandFailure(.usage, nil)
    }
}

extension ReportFormat: ExpressibleByArgument {}
