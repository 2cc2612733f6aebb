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
    /// International campaigns: recipients to send to and their segments per calling code
    /// (mainland campaigns leave it empty: see `byCallingCode`).
    public var countries: [Int: CountryCount] = [:]

    /// Recipients and segments per calling code: every recipient of a mainland campaign is +86.
    public var byCallingCode: [Int: CountryCount] {
        countries.isEmpty && toSend > 0 ? [86: CountryCount(recipients: toSend, segments: totalSegments)] : countries
    }

    /// The estimated cost: each calling code's segments at its price.
    public func estimatedCost(_ prices: SegmentPrices) -> Double {
        byCallingCode.reduce(0) { $0 + Double($1.value.segments) * prices.price(callingCode: $1.key) }
    }
}

/// Recipients and their segments of one calling code.
public struct CountryCount: Sendable, Hashable {
    /// Recipients to send to.
    public var recipients = 0
    /// Their segments.
    public var segments = 0

    /// A count of `recipients` with `segments`.
    public init(recipients: Int = 0, segments: Int = 0) {
        self.recipients = recipients
        self.segments = segments
    }

    /// Counts one recipient more.
    @inline(__always)
    mutating func add(segments more: Int) {
        recipients += 1
        segments += more
    }
}
