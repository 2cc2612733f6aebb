import CampaignCompiler

/// Cells of a report as CSV, safe to open in a spreadsheet.
///
/// A cell that begins with `=`, `+`, `-`, `@`, a tab or a carriage return is a formula to Excel,
/// LibreOffice and Google Sheets, and a recipient file from outside can carry one
/// (`=cmd|' /C calc'!A0`). As OWASP recommends for CSV injection, such a cell gets a leading `'`,
/// which spreadsheets show as text; control characters are escaped (`\x00`). `raw` keeps cells
/// exactly as stored, for programs that read the CSV.
public enum ReportCSV {
    /// Characters that make a spreadsheet treat a cell as a formula.
    static let formulaStarts: Set<Unicode.Scalar> = ["=", "+", "-", "@", "\t", "\r"]

    /// One cell, neutralised unless `raw`, quoted per RFC 4180 where needed.
    public static func field(_ value: String, raw: Bool = false) -> String {
        var text = value
        if !raw {
            if let first = text.unicodeScalars.first, formulaStarts.contains(first) { text = "'" + text }
            text = PrintableText.escape(text)
        }
        let needsQuotes = text.contains { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" } || text.hasPrefix("'")
        return needsQuotes ? "\"" + text.split(separator: "\"", omittingEmptySubsequences: false).joined(separator: "\"\"") + "\"" : text
    }

    /// One line of cells.
    public static func line(_ values: [String], raw: Bool = false) -> String {
        values.map { field($0, raw: raw) }.joined(separator: ",")
    }
}
