import YAMLSyntax

/// How serious a diagnostic is.
public enum Severity: String, Sendable, Hashable, Comparable, Codable {
    case error, warning, note

    private var rank: Int {
        switch self {
        case .error: 0
        case .warning: 1
        case .note: 2
        }
    }

    public static func < (lhs: Severity, rhs: Severity) -> Bool { lhs.rank < rhs.rank }
}

/// A stable identifier for a kind of diagnostic, such as `unknown-key`. Ids never change meaning,
/// so that CI filters and SARIF rules can rely on them.
public struct DiagnosticID: RawRepresentable, Sendable, Hashable, Comparable, ExpressibleByStringLiteral, CustomStringConvertible {
    /// The id's text.
    public var rawValue: String

    /// Creates an id from its text.
    public init(rawValue: String) { self.rawValue = rawValue }
    /// Creates an id from a literal.
    public init(stringLiteral value: String) { self.rawValue = value }

    public var description: String { rawValue }
    public static func < (lhs: DiagnosticID, rhs: DiagnosticID) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// A second place that a diagnostic involves, or a remark without a place.
public struct DiagnosticNote: Sendable, Hashable {
    /// What the note says.
    public var message: String
    /// Where it points, if anywhere.
    public var location: SourceLocation?

    /// Creates a note.
    public init(_ message: String, at location: SourceLocation? = nil) {
        self.message = message
        self.location = location
    }
}

/// A suggested edit: replace the diagnostic's range by `replacement`.
public struct FixIt: Sendable, Hashable {
    /// What to say about it: "did you mean 'sign-name'?".
    public var message: String
    /// The text that would replace the diagnostic's range, when there is one obvious edit.
    public var replacement: String?

    /// Creates a fix-it.
    public init(_ message: String, replacement: String? = nil) {
        self.message = message
        self.replacement = replacement
    }
}

/// One problem found in a user's file: a message with a stable id, a severity and where it is.
///
/// Diagnostics are plain data; reporters render them. Messages come from the catalog in
/// `Diagnostic+Messages.swift`.
public struct Diagnostic: Sendable, Hashable {
    /// How serious it is.
    public var severity: Severity
    /// The stable id, shown as `[id]`.
    public var id: DiagnosticID
    /// Lowercase text, no final period, names in 'quotes'.
    public var message: String
    /// Where it is; nil only for problems of a whole run.
    public var location: SourceLocation?
    /// Other places involved, and remarks.
    public var notes: [DiagnosticNote]
    /// A suggested fix.
    public var fixIt: FixIt?

    /// Creates a diagnostic.
    public init(_ severity: Severity, _ id: DiagnosticID, _ message: String, at location: SourceLocation?, notes: [DiagnosticNote] = [], fixIt: FixIt? = nil) {
        self.severity = severity
        self.id = id
        self.message = message
        self.location = location
        self.notes = notes
        self.fixIt = fixIt
    }
}

extension Diagnostic {
    /// Orders diagnostics by file, line, column, then id, for stable output.
    public static func fileOrder(_ lhs: Diagnostic, _ rhs: Diagnostic) -> Bool {
        let left = lhs.location, right = rhs.location
        if left?.file != right?.file { return (left?.file ?? "") < (right?.file ?? "") }
        let lstart = left?.range.start ?? SourcePosition(line: 0, column: 0)
        let rstart = right?.range.start ?? SourcePosition(line: 0, column: 0)
        if lstart != rstart { return lstart < rstart }
        return lhs.id < rhs.id
    }
}
