import CampaignCompiler
import Foundation

/// The numbers of a CSV file to add to the suppression list (`salvo suppression import`): a
/// `phone` column, and a `sign_name` column or a sign for rows without one. Mainland numbers are
/// kept as 11 digits, other countries' as `+COUNTRYNUMBER` (`ReceiptsLedger.suppressionForm`).
/// Rows that cannot be imported are listed as `FILE:LINE: why` (the first `listedAtMost`) and
/// counted.
public struct SuppressionImport: Sendable {
    /// The sign a row without a sign name is suppressed for.
    public enum MissingSign: Sendable {
        /// None: such a row cannot be imported.
        case refused
        /// This sign name.
        case named(String)
        /// Every sign (an empty sign name in the list).
        case allSigns
    }

    /// What was read.
    public struct Found: Sendable {
        /// The numbers to add, with their sign names.
        public var entries: [(signName: String, phone: String)] = []
        /// The first rows that cannot be imported, as `FILE:LINE: why`.
        public var invalid: [String] = []
        /// Rows that cannot be imported.
        public var invalidCount = 0
        /// Rows read (blank rows are not counted).
        public var rowCount = 0

        /// The rows that cannot be imported, one `FILE:LINE: why` line each, then how many more.
        public var invalidListing: String {
            invalid.map { "\($0)\n" }.joined() + (invalidCount > invalid.count ? "… and \(invalidCount - invalid.count) more\n" : "")
        }

        /// Why nothing of `path` is imported when rows are invalid.
        public func refusal(path: String) -> String {
            "\(invalidCount) of \(rowCount) row\(rowCount == 1 ? "" : "s") of '\(path)' cannot be imported (above); nothing was imported. Fix them, or import the others with --skip-invalid"
        }

        /// What an import that added `added` numbers did.
        public func summary(added: Int) -> String {
            let skipped = invalidCount > 0 ? ", \(invalidCount) invalid row\(invalidCount == 1 ? "" : "s") skipped" : ""
            return "\(added) numbers added to the suppression list (\(entries.count - added) already on it\(skipped))\n"
        }

        /// A progress line of the import of `path`.
        public func progress(path: String) -> String {
            "\(path): \(rowCount) rows read (\(entries.count) numbers, \(invalidCount) invalid)"
        }
    }

    /// The CSV file.
    public var path: String
    /// The sign of rows without one.
    public var missingSign: MissingSign

    /// Rows between progress reports.
    public static let progressEvery = 100_000
    /// A file at least this large shows its progress even when standard error is not a terminal.
    public static let progressFileSize = 4 << 20
    /// Invalid rows listed at most; the rest are counted.
    public static let listedAtMost = 50

    /// An import of `path`.
    public init(path: String, missingSign: MissingSign) {
        self.path = path
        self.missingSign = missingSign
    }

    /// Whether the file is large enough to show its progress wherever it goes.
    public var isLarge: Bool {
        ((try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0) >= Self.progressFileSize
    }

    /// Reads the file; `progress` is told of every `progressEvery` rows.
    public func read(progress: ((Found) -> Void)? = nil) async throws(SuppressionImportError) -> Found {
        var result = Found()
        do {
            let (header, rows) = try CSVSource(path: path).open()
            guard let phoneIndex = header.columns.firstIndex(of: "phone") else { throw SuppressionImportError(.noPhoneColumn, "'\(path)' has no 'phone' column") }
            var signs = SignChecks(signIndex: header.columns.firstIndex(of: "sign_name"), missingSign: missingSign)
            for try await row in rows {
                if row.fields.allSatisfy({ $0.trimmingCharacters(in: .whitespaces).isEmpty }) { continue }
                result.rowCount += 1
                if result.rowCount % Self.progressEvery == 0 { progress?(result) }
                let entry = Self.phone(row.fields, at: phoneIndex).flatMap { phone in signs.sign(of: row.fields).map { ($0, phone) } }
                switch entry {
                case .success(let (sign, phone)): result.entries.append((sign, ReceiptsLedger.suppressionForm(phone)))
                case .failure(let why):
                    result.invalidCount += 1
                    if result.invalid.count < Self.listedAtMost { result.invalid.append("\(path):\(row.line): \(why.text)") }
                }
            }
        } catch let error as RecipientSourceError {
            throw SuppressionImportError(.source, "'\(path)'\(error.position.map { ":\($0.line):\($0.column)" } ?? ""): \(error.message)", cause: error)
        } catch let error as SuppressionImportError {
            throw error
        } catch {
            throw SuppressionImportError(.source, "'\(path)': \(error)", cause: error)
        }
        return result
    }

    /// Why a row cannot be imported.
    struct RowProblem: Error {
        var text: String
    }

    /// The row's phone number, or why it is not one.
    static func phone(_ fields: [String], at index: Int) -> Result<PhoneNumber, RowProblem> {
        let text = index < fields.count ? fields[index] : ""
        switch PhoneNumber.parse(text) {
        case .success(let parsed): return .success(parsed)
        case .failure(.empty): return .failure(RowProblem(text: "no phone number"))
        case .failure(.internationalLength):
            return .failure(RowProblem(text: "'\(PrintableText.escape(PhoneNumber.maskedText(text)))' is not a phone number: an international number has 7-15 digits after + or 00"))
        case .failure:
            return .failure(RowProblem(text: "'\(PrintableText.escape(PhoneNumber.maskedText(text)))' is not a phone number (a mainland mobile number, or + and the country code)"))
        }
    }

    /// The sign names of rows, each name's check done once.
    struct SignChecks {
        let signIndex: Int?
        let missingSign: MissingSign
        var checked: [String: [String]] = [:]

        /// The row's sign name (empty: every sign), or why it has none that can be used.
        mutating func sign(of fields: [String]) -> Result<String, RowProblem> {
            let cell = signIndex.flatMap { $0 < fields.count ? fields[$0].trimmingCharacters(in: .whitespaces) : nil } ?? ""
            guard cell.isEmpty else {
                let problems = checked[cell] ?? SignNameRules.problems(cell)
                checked[cell] = problems
                guard problems.isEmpty else { return .failure(RowProblem(text: "sign name '\(PrintableText.escape(String(cell.prefix(40))))': " + problems.joined(separator: "; "))) }
                return .success(cell)
            }
            switch missingSign {
            case .named(let name): return .success(name)
            case .allSigns: return .success("")
            case .refused: return .failure(RowProblem(text: "no sign name: add a 'sign_name' column, or give --sign-name NAME, or --all-signs to suppress the number for every sign"))
            }
        }
    }
}
