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
