/// Writes a report's rows, one per recipient: CSV (`CSVRowReporter`) or JSON lines
/// (`JSONLinesRowReporter`). The command line chooses one and gives it its output.
public protocol RowReporter {
    /// Starts the report: the columns every row has, in order (a CSV writes its header line).
    func begin(columns: [String])
    /// Writes one row, its values in the order of the columns.
    func row(_ values: [String])
}
