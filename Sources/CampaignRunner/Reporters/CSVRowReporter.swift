import SalvoIO

/// Rows as CSV with a header line; cells a spreadsheet would run as a formula get a leading `'`
/// and control characters are escaped, unless `raw` (`ReportCSV`).
public struct CSVRowReporter: RowReporter {
    private let output: any TextOutput
    private let raw: Bool

    /// A reporter writing to `output`; `raw` writes cells exactly as stored.
    public init(output: any TextOutput, raw: Bool = false) {
        self.output = output
        self.raw = raw
    }

    /// Writes the header line.
    public func begin(columns: [String]) {
        output.write(ReportCSV.line(columns, raw: raw) + "\n")
    }

    /// Writes one line.
    public func row(_ values: [String]) {
        output.write(ReportCSV.line(values, raw: raw) + "\n")
    }
}
