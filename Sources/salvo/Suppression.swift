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

        /// Rows between progress lines.
        static let progressEvery = 100_000
        /// A file at least this large shows its progress even when standard error is not a terminal.
        static let progressFileSize = 4 << 20
        /// Invalid rows listed at most; the rest are counted.
        static let listedAtMost = 50

        func validate() throws {
            if signName != nil && allSigns { throw ValidationError("--sign-name and --all-signs exclude each other: rows without a sign name get one or the other") }
            if let signName {
                let problems = SignNameRules.problems(signName)
                if !problems.isEmpty {
                    throw ValidationError("--sign-name '\(PrintableText.escape(signName))': " + problems.joined(separator: "; "))
                }
            }
        }

        func run() async throws {
            let source = CSVSource(path: file)
            var entries: [(signName: String, phone: String)] = []
            var invalid: [String] = []
            var invalidCount = 0
            var rowCount = 0
            let size = (try? FileManager.default.attributesOfItem(atPath: file)[.size] as? Int) ?? 0
            let showsProgress = Terminal.isTerminal(fileDescriptor: 2) || size >= Self.progressFileSize
            func refuse(_ line: Int, _ why: String) {
                invalidCount += 1
                if invalid.count < Self.listedAtMost { invalid.append("\(file):\(line): \(why)") }
            }
            do {
                let (header, rows) = try source.open()
                guard let phoneIndex = header.columns.firstIndex(of: "phone") else {
                    Terminal.standardError("salvo: error: '\(file)' has no 'phone' column")
                    throw ExitCode(1)
                }
                let signIndex = header.columns.firstIndex(of: "sign_name")
                var checkedSigns: [String: [String]] = [:]
                for try await row in rows {
                    if row.fields.allSatisfy({ $0.trimmingCharacters(in: .whitespaces).isEmpty }) { continue }
                    rowCount += 1
                    if showsProgress, rowCount % Self.progressEvery == 0 {
                        Terminal.standardError("\(file): \(rowCount) rows read (\(entries.count) numbers, \(invalidCount) invalid)")
                    }
                    let text = phoneIndex < row.fields.count ? row.fields[phoneIndex] : ""
                    let phone: PhoneNumber
                    switch PhoneNumber.parse(text) {
                    case .success(let parsed): phone = parsed
                    case .failure(.empty): refuse(row.line, "no phone number")
                        continue
                    case .failure(.internationalLength):
                        refuse(row.line, "'\(PrintableText.escape(PhoneNumber.maskedText(text)))' is not a phone number: an international number has 7-15 digits after + or 00")
                        continue
                    case .failure:
                        refuse(row.line, "'\(PrintableText.escape(PhoneNumber.maskedText(text)))' is not a phone number (a mainland mobile number, or + and the country code)")
                        continue
                    }
                    let cell = signIndex.flatMap { $0 < row.fields.count ? row.fields[$0].trimmingCharacters(in: .whitespaces) : nil } ?? ""
                    let sign: String
                    if !cell.isEmpty {
                        let problems = checkedSigns[cell] ?? SignNameRules.problems(cell)
                        checkedSigns[cell] = problems
                        guard problems.isEmpty else {
                            refuse(row.line, "sign name '\(PrintableText.escape(String(cell.prefix(40))))': " + problems.joined(separator: "; "))
                            continue
                        }
                        sign = cell
                    } else if let signName {
                        sign = signName
                    } else if allSigns {
                        sign = ""
                    } else {
                        refuse(row.line, "no sign name: add a 'sign_name' column, or give --sign-name NAME, or --all-signs to suppress the number for every sign")
                        continue
                    }
                    entries.append((sign, ReceiptsLedger.suppressionForm(phone)))
                }
            } catch let error as RecipientSourceError {
                Terminal.standardError("salvo: error: '\(file)'\(error.position.map { ":\($0.line):\($0.column)" } ?? ""): \(error.message)")
                throw ExitCode(1)
            }
            if invalidCount > 0 && !skipInvalid {
                var text = invalid.map { "\($0)\n" }.joined()
                if invalidCount > invalid.count { text += "… and \(invalidCount - invalid.count) more\n" }
                Terminal.standardErrorRaw(text)
                Terminal.standardError("salvo: error: \(invalidCount) of \(rowCount) row\(rowCount == 1 ? "" : "s") of '\(file)' cannot be imported (above); nothing was imported. Fix them, or import the others with --skip-invalid")
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
            Terminal.standardOutput("\(added) numbers added to the suppression list (\(entries.count - added) already on it\(invalidCount > 0 ? ", \(invalidCount) invalid row\(invalidCount == 1 ? "" : "s") skipped" : ""))\n")
        }
    }
}
