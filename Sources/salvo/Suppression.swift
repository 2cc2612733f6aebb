import ArgumentParser
import CampaignCompiler
import CampaignRunner
import Foundation
import SalvoIO

/// `salvo suppression`: the numbers that replied to unsubscribe, kept in the state folder per
/// sign name and left out of promotional campaigns' plans.
struct SuppressionCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "suppression",
        abstract: "Export or import the suppression list (numbers that replied to unsubscribe) as CSV.",
        subcommands: [Export.self, Import.self]
    )

    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Write the list as CSV: sign_name,phone,source,added_at (an empty sign name: every sign).")

        @Option(help: "The state folder of the suppression list (default: $SALVO_STATE when it is a folder, else $XDG_STATE_HOME/salvo or ~/.local/state/salvo; with a PostgreSQL state the list stays in that local folder).") var state: String?
        @Option(help: "Write to this file (owner-readable only) instead of standard output.") var out: String?

        func run() async throws {
            let ledger = ReceiptsLedger.of(stateFolder: try stateLocation(state).localFolder)
            let list = try await CommandFailure.failing(.failed, "cannot read the suppression list: ") { try ledger.suppressionList() }
            let text = SuppressionExport.csv(list)
            guard let out else { return Terminal.standardOutput(text) }
            do {
                try OwnerOnlyFile.write(Array(text.utf8), to: out)
            } catch {
                throw CommandFailure(.failed, "cannot write '\(out)'", cause: error)
            }
            Terminal.standardError("\(list.count) suppressed numbers written to \(out)\n")
        }
    }

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add the numbers of a CSV (a 'phone' column, and a 'sign_name' column, --sign-name or --all-signs) to the list.",
            discussion: """
                Mainland numbers are kept as 11 digits (+86, 0086 and 86 dropped); other countries' numbers, \
                written with + or 00, are kept as +COUNTRYNUMBER. A row whose phone is not a number, whose \
                sign name is not a valid one, or that has no sign name when neither --sign-name nor --all-signs \
                is given, is listed as FILE:LINE and nothing is imported (exit 1); --skip-invalid imports the \
                other rows and counts the skipped ones. A large file shows its progress on standard error. \
                A list written by 'export' whose entries include every sign's (an empty sign_name) comes \
                back with --all-signs.
                """
        )

        @Argument(help: "The CSV file.") var file: String
        @Option(help: "The state folder of the suppression list (default: $SALVO_STATE when it is a folder, else $XDG_STATE_HOME/salvo or ~/.local/state/salvo; with a PostgreSQL state the list stays in that local folder).") var state: String?
        @Option(help: "The sign name for rows without one (no 'sign_name' column, or an empty cell); the sign-name rules of 'validate' apply.") var signName: String?
        @Flag(help: "Suppress rows without a sign name for every sign.") var allSigns = false
        @Flag(help: "Import the valid rows and skip the others (counted), instead of refusing the file.") var skipInvalid = false

        func validate() throws {
            if signName != nil && allSigns { throw ValidationError("--sign-name and --all-signs exclude each other: rows without a sign name get one or the other") }
            if let signName, case let problems = SignNameRules.problems(signName), !problems.isEmpty {
                throw ValidationError("--sign-name '\(PrintableText.escape(signName))': " + problems.joined(separator: "; "))
            }
        }

        func run() async throws {
            let reading = SuppressionImport(path: file, missingSign: signName.map { .named($0) } ?? (allSigns ? .allSigns : .refused))
            let showsProgress = Terminal.isTerminal(fileDescriptor: 2) || reading.isLarge
            let found = try await CommandFailure.failing {
                try await reading.read(progress: showsProgress ? { Terminal.standardError($0.progress(path: file)) } : nil)
            }
            if found.invalidCount > 0 && !skipInvalid {
                Terminal.standardErrorRaw(found.invalidListing)
                throw CommandFailure(.failed, found.refusal(path: file))
            }
            let ledger = ReceiptsLedger.of(stateFolder: try stateLocation(state).localFolder)
            let added = try await CommandFailure.failing(.failed, "cannot write the suppression list: ") {
                try ledger.suppress(found.entries, source: "import", at: Date().timeIntervalSince1970)
            }
            Terminal.standardOutput(found.summary(added: added))
        }
    }
}
