import YAMLSyntax

/// What a recipient check found.
public struct RecipientCheck: Sendable {
    /// The counts.
    public var summary: RecipientSummary
    /// Diagnostics kept (see `DiagnosticCollector`) and counts of those left out.
    public var collector: DiagnosticCollector
    /// Header lines of the recipient files, for showing under header diagnostics.
    public var sources: [String: SourceText]
}
