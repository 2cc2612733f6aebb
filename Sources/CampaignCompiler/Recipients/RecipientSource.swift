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

    /// Whether every column name looks like one (at most 64 letters, digits, marks, spaces and
    /// `_-.()#`). Anything else, `root:x:0:0:…` or `PATH=/usr/bin…`, is a file's content that
    /// may not be the user's to show, so it is never echoed.
    public var looksLikeHeader: Bool {
        columns.allSatisfy(Self.isColumnName)
    }

    /// The header line as diagnostics may show it: only when it looks like a header, cut short.
    public var shownText: String? {
        guard looksLikeHeader, let text else { return nil }
        return text.unicodeScalars.count > 200 ? String(String.UnicodeScalarView(text.unicodeScalars.prefix(199))) + "…" : text
    }

    /// Whether `name` can be a column name worth showing.
    public static func isColumnName(_ name: String) -> Bool {
        var count = 0
        for scalar in name.unicodeScalars {
            count += 1
            guard count <= 64 else { return false }
            switch scalar.properties.generalCategory {
            case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
                 .decimalNumber, .letterNumber, .otherNumber, .nonspacingMark, .spacingMark:
                continue
            default:
                guard " _-.()#".unicodeScalars.contains(scalar) else { return false }
            }
        }
        return true
    }
}

/// A failure reading a recipient source: the file is missing or unreadable, or its content stops
/// being readable at `position` (a wrong encoding, an unclosed quote, a line that is not JSON).
public struct RecipientSourceError: Error, Sendable, Hashable {
    /// What kind of failure.
    public enum Code: Sendable, Hashable {
        case missing, unreadable, empty, encoding, unclosedQuote, notAnObject, query
        /// The path leads outside the folders the campaign may read.
        case outside
        /// A FIFO, device, socket, folder or system file.
        case notRegularFile
        /// Over the size limit.
        case tooLarge
        /// A NUL byte: not a text file.
        case nulByte
        /// A row or line longer than any recipient row can be.
        case longRow
        /// A SQLite query that ran out of time or memory.
        case queryLimit
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
    /// The source this entry of the campaign file at `campaignPath` describes, read under `access`.
    public func makeSource(access: SourceAccess, campaignPath: String) -> any RecipientSource {
        kind.format.makeSource(self, columns: [phoneColumn.value], access: access, campaignPath: campaignPath)
    }
}
