import YAMLSyntax

/// A source of recipient rows: a CSV or JSON Lines file, a SQLite query, or rows in memory.
///
/// `open()` reads the header; the rows then come as an async sequence that reads the source as it
/// goes, so memory does not grow with the number of rows.
public protocol RecipientSource: Sendable {
    /// The row sequence; it reads the source as it is iterated, by one task.
    associatedtype Rows: AsyncSequence<RecipientRow, RecipientSourceError>

    /// The path shown in diagnostics.
    var path: String { get }

    /// Opens the source: its header, and the rows after it.
    func open() throws(RecipientSourceError) -> (header: RecipientHeader, rows: Rows)
}
