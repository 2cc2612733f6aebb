import Foundation

/// One JSON object: `{"files", "errors", "warnings", "diagnostics": [...]}`, the stable shape of
/// `validate --format json`.
public struct JSONReporter: DiagnosticReporter {
    /// How many diagnostics of one id per file `--format json` and `sarif` keep; the rest are
    /// counted in `omitted`.
    public static let perIDLimit = 1_000

    /// Creates a JSON reporter.
    public init() {}

    struct Output: Encodable {
        var files: Int
        var errors: Int
        var warnings: Int
        var diagnostics: [Entry]
        var campaigns: [Campaign]
        /// Diagnostics left out past `perIDLimit` of one id in one file, counted.
        var omitted: [OmittedEntry]
    }

    struct OmittedEntry: Encodable {
        var file: String
        var id: String
        var severity: String
        var count: Int
    }

    /// The counts of diagnostics left out, by file and id, in a stable order.
    static func omittedEntries(_ report: ValidationReport) -> [OmittedEntry] {
        report.omitted.sorted { $0.key < $1.key }.flatMap { file, ids in
            ids.sorted { $0.key < $1.key }.map { OmittedEntry(file: PrintableText.escape(file), id: $0.key.rawValue, severity: $0.value.severity.rawValue, count: $0.value.count) }
        }
    }

    struct Campaign: Encodable {
        var file: String
        var recipients: Counts
        var segments: [String: Int]
        var totalSegments: Int
    }

    struct Counts: Encodable {
        var read: Int
        var invalid: Int
        var duplicates: Int
        var excluded: Int
        var toSend: Int
    }

    struct Entry: Encodable {
        var severity: String
        var id: String
        var message: String
        var file: String?
        var line: Int?
        var column: Int?
        var endLine: Int?
        var endColumn: Int?
        var notes: [Note]
        var fixIt: Fix?
    }

    struct Note: Encodable {
        var message: String
        var file: String?
        var line: Int?
        var column: Int?
    }

    struct Fix: Encodable {
        var message: String
        var replacement: String?
    }

    public func render(_ report: ValidationReport) -> String {
        let entries = report.diagnostics.map(\.printable).map { diagnostic in
            let range = diagnostic.location?.range
            return Entry(
                severity: diagnostic.severity.rawValue, id: diagnostic.id.rawValue, message: diagnostic.message,
                file: diagnostic.location?.file, line: range?.start.line, column: range?.start.column,
                endLine: range?.end.line, endColumn: range?.end.column,
                notes: diagnostic.notes.map { Note(message: $0.message, file: $0.location?.file, line: $0.location?.range.start.line, column: $0.location?.range.start.column) },
                fixIt: diagnostic.fixIt.map { Fix(message: $0.message, replacement: $0.replacement) })
        }
        let campaigns = report.recipients.map { file, counts in
            Campaign(file: PrintableText.escape(file),
                     recipients: Counts(read: counts.read, invalid: counts.invalid, duplicates: counts.duplicates, excluded: counts.excluded, toSend: counts.toSend),
                     segments: Dictionary(uniqueKeysWithValues: counts.segmentHistogram.map { (String($0.key), $0.value) }),
                     totalSegments: counts.totalSegments)
        }
        let output = Output(files: report.fileCount, errors: report.errorCount, warnings: report.warningCount, diagnostics: entries, campaigns: campaigns,
                            omitted: Self.omittedEntries(report))
        return Self.encode(output) + "\n"
    }

    static func encode(_ value: some Encodable) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(value) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }
}
