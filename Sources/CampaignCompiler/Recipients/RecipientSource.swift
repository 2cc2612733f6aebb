import YAMLSyntax

/// One recipient row: its fields in header order, where each field starts, and the physical line
/// on which the row starts (a quoted newline moves the rows after it).
public struct RecipientRow: Sendable, Hashable {
    /// Field values in header order; a row shorter than the header has fewer.
    public var fields: [String]
    /// Where each field starts in the source file.
    public var positions: [SourcePosition]
    /// The physical line on which the row starts.
    public var line: Int

    /// Creates a row.
    public init(fields: [String], positions: [SourcePosition], line: Int) {
        self.fields = fields
        self.positions = positions
        self.line = line
    }
}

/// The columns of a source and where they are named.
public struct RecipientHeader: Sendable, Hashable {
    /// Column names, in order.
    public var columns: [String]
    /// Where the header stands in the file.
    public var range: SourceRange
    /// The header's text, for showing under a diagnostic; nil where the header line holds a
    /// recipient's data (JSON Lines) or there is no line (SQLite).
    public var text: String?

    /// Creates a header.
    public init(columns: [String], range: SourceRange, text: String?) {
        self.columns = columns
        self.range = range
        self.text = text
    }
}

/// A failure reading a recipient source: the file is missing or unreadable, or its content stops
/// being readable at `position` (a wrong encoding, an unclosed quote, a line that is not JSON).
public struct RecipientSourceError: Error, Sendable, Hashable {
    /// What kind of failure.
    public enum Code: Sendable, Hashable {
        case missing, unreadable, empty, encoding, unclosedQuote, notAnObject, query
    }

    /// What kind of failure.
    public var code: Code
    /// What happened, in words, without any row's content.
    public var message: String
    /// Where reading stopped, if the failure is inside the file.
    public var position: SourcePosition?

    /// Creates an error.
    public init(_ code: Code, _ message: String, at position: SourcePosition? = nil) {
        self.code = code
        self.message = message
        self.position = position
    }
}

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

extension RecipientSourceSpec {
    /// The source this entry of a campaign file describes.
    public func makeSource() -> any RecipientSource {
        switch kind {
        case .csv: CSVSource(path: resolvedPath, encoding: encoding)
        case .jsonl: JSONLSource(path: resolvedPath, columns: [phoneColumn.value])
        case .sqlite: SQLiteSource(path: resolvedPath, query: query?.value ?? "")
        }
    }
}
