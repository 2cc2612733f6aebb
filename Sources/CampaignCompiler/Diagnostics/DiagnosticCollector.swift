/// Collects diagnostics, keeping at most `limit` per file and counting the rest by id, so that a
/// systemic mistake in a million-row file costs neither memory nor a flooded terminal.
public struct DiagnosticCollector: Sendable {
    /// Diagnostics left out for one file: how many of each id, and their severity.
    public struct Omitted: Sendable, Hashable {
        /// The severity of this id's diagnostics.
        public var severity: Severity
        /// How many were left out.
        public var count: Int
    }

    /// The most diagnostics kept per file; nil keeps all.
    public let limit: Int?
    /// The diagnostics kept, in the order reported.
    public private(set) var diagnostics: [Diagnostic] = []
    /// Per file, the diagnostics left out, by id.
    public private(set) var omitted: [String: [DiagnosticID: Omitted]] = [:]
    private var perFile: [String: Int] = [:]

    /// Creates a collector.
    public init(limit: Int?) {
        self.limit = limit
    }

    /// Adds a diagnostic, or counts it when its file is at the limit.
    public mutating func report(_ diagnostic: Diagnostic) {
        let file = diagnostic.location?.file ?? ""
        let kept = perFile[file, default: 0]
        if let limit, kept >= limit {
            omitted[file, default: [:]][diagnostic.id, default: Omitted(severity: diagnostic.severity, count: 0)].count += 1
            return
        }
        perFile[file] = kept + 1
        diagnostics.append(diagnostic)
    }

    /// Errors, kept and left out.
    public var errorCount: Int { count(.error) }
    /// Warnings, kept and left out.
    public var warningCount: Int { count(.warning) }

    private func count(_ severity: Severity) -> Int {
        diagnostics.filter { $0.severity == severity }.count
            + omitted.values.flatMap(\.values).filter { $0.severity == severity }.reduce(0) { $0 + $1.count }
    }
}
