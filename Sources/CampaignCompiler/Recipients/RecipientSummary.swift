import YAMLSyntax

/// Counts from checking a campaign's recipients.
public struct RecipientSummary: Sendable, Hashable {
    /// Rows read from all sources.
    public var read = 0
    /// Rows with an error (not sent).
    public var invalid = 0
    /// Rows whose number appeared before (not sent).
    public var duplicates = 0
    /// Rows whose number is on an exclusion list (not sent).
    public var excluded = 0
    /// Rows whose number is on the suppression list (replied to unsubscribe; not sent).
    public var suppressed = 0
    /// Recipients to send to.
    public var toSend = 0
    /// How many recipients need 1, 2, 3… segments.
    public var segmentHistogram: [Int: Int] = [:]
    /// Segments over all recipients to send to.
    public var totalSegments = 0
    /// The first row whose message needs more than one segment, where the segment warning points.
    public var firstMultiSegmentRow: SourceLocation?
}
