import ArgumentParser
import CampaignCompiler
import CampaignRunner
import Foundation
import PostgresStore

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
            let list: [(signName: String, phone: String, source: String, addedAt: Double)]
            do {
                list = try ledger.suppressionList()
            } catch {
                Terminal.standardError("salvo: error: cannot read the suppression list: \(error)")
                throw ExitCode(1)
            }
            let formatter = ISO8601DateFormatter()
            var text = "sign_name,phone,source,added_at\n"
            for entry in list {
                text += [ReportCSV.field(entry.signName), entry.phone, entry.source, formatter.string(from: Date(timeIntervalSince1970: entry.addedAt))].joined(separator: ",") + "\n"
            }
            if let out {
                guard FileManager.default.createFile(atPath: out, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600]) else {
                    Terminal.standardError("salvo: error: cannot write '\(out)'")
                    throw ExitCode(1)
                }
                Terminal.standardError("\(list.count) suppressed numbers written to \(out)\n")
            } else {
                Terminal.standardOutput(text)
            }
        }
    }

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add the numbers of a CSV (a 'phone' column, and 'sign_name' or --sign-name) to the list.")

        @Argument(help: "The CSV file.") var file: String
        @Option(help: "The state folder of the suppression list (default: $SALVO_STATE when it is a folder, else $XDG_STATE_HOME/salvo or ~/.local/state/salvo; with a PostgreSQL state the list stays in that local folder).") var state: String?
        @Option(help: "The sign name for rows without a 'sign_name' column (default: every sign).") var signName: String?

        func run() async throws {
            let source = CSVSource(path: file)
            var entries: [(signName: String, phone: String)] = []
            var skipped = 0
            do {
                let (header, rows) = try source.open()
                guard let phoneIndex = header.columns.firstIndex(of: "phone") else {
                    Terminal.standardError("salvo: error: '\(file)' has no 'phone' column")
                    throw ExitCode(1)
                }
                let signIndex = header.columns.firstIndex(of: "sign_name")
                for try await row in rows {
                    guard phoneIndex < row.fields.count, case .success(let phone) = PhoneNumber.parse(row.fields[phoneIndex]) else {
                        skipped += 1
                        continue
                    }
                    let sign = signIndex.flatMap { $0 < row.fields.count ? row.fields[$0] : nil } ?? signName ?? ""
                    entries.append((sign, phone.digits))
                }
            } catch let error as RecipientSourceError {
                Terminal.standardError("salvo: error: '\(file)'\(error.position.map { ":\($0.line):\($0.column)" } ?? ""): \(error.message)")
                throw ExitCode(1)
            }
            let ledger = ReceiptsLedger.of(stateFolder: try stateLocation(state).localFolder)
            let added: Int
            do {
                added = try ledger.suppress(entries, source: "import", at: Date().timeIntervalSince1970)
            } catch {
                Terminal.standardError("salvo: error: cannot write the suppression list: \(error)")
                throw ExitCode(1)
            }
            Terminal.standardOutput("\(added) numbers added to the suppression list (\(entries.count - added) already on it\(skipped > 0 ? ", \(skipped) rows without a phone number skipped" : ""))\n")
        }
    }
}
