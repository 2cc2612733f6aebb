import YAMLSyntax

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
