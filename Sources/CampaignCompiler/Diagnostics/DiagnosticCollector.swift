/// Collects diagnostics, keeping at most `limit` per file and `perIDLimit` per file and id, and
/// counting the rest by id, so that a systemic mistake in a million-row file costs neither memory
/// nor a flooded terminal.
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
    /// The most diagnostics of one id kept per file; nil keeps all.
    public let perIDLimit: Int?
    /// The diagnostics kept, in the order reported.
    public private(set) var diagnostics: [Diagnostic] = []
    /// Per file, the diagnostics left out, by id.
    public private(set) var omitted: [String: [DiagnosticID: Omitted]] = [:]
    private var perFile: [String: Int] = [:]
    private var perFileAndID: [String: [DiagnosticID: Int]] = [:]

    /// Creates a collector.
    public init(limit: Int?, perIDLimit: Int? = nil) {
        self.limit = limit
        self.perIDLimit = perIDLimit
    }

    /// Adds a diagnostic, or counts it when its file (or its id in that file) is at the limit.
    public mutating func report(_ diagnostic: Diagnostic) {
        let file = diagnostic.location?.file ?? ""
        guard keeps(file: file, id: diagnostic.id) else {
            omit(file: file, id: diagnostic.id, severity: diagnostic.severity)
            return
        }
        perFile[file, default: 0] += 1
        if perIDLimit != nil { perFileAndID[file, default: [:]][diagnostic.id, default: 0] += 1 }
        diagnostics.append(diagnostic)
    }

    /// Whether a diagnostic with this id in this file would be kept now.
    public func keeps(file: String, id: DiagnosticID) -> Bool {
        if let limit, perFile[file, default: 0] >= limit { return false }
        if let perIDLimit, perFileAndID[file]?[id, default: 0] ?? 0 >= perIDLimit { return false }
        return true
    }

    /// Counts diagnostics left out without making them.
    public mutating func omit(file: String, id: DiagnosticID, severity: Severity, count: Int = 1) {
        omitted[file, default: [:]][id, default: Omitted(severity: severity, count: 0)].count += count
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
