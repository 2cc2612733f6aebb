/// SARIF 2.1.0, the format GitHub code scanning reads: one run, a rule per diagnostic id, a result
/// per diagnostic with its region, and notes as related locations.
public struct SARIFReporter: DiagnosticReporter {
    /// The version written into the SARIF driver.
    public static let toolVersion = SalvoVersion.current

    /// Creates a SARIF reporter.
    public init() {}

    struct Log: Encodable {
        var schema = "https://json.schemastore.org/sarif-2.1.0.json"
        var version = "2.1.0"
        var runs: [Run]

        enum CodingKeys: String, CodingKey {
            case schema = "$schema", version, runs
        }
    }

    struct Run: Encodable {
        var tool: Tool
        var results: [Result]
        var columnKind = "unicodeCodePoints"
        /// Counts of diagnostics left out past the per-id limit, in the run's property bag.
        var properties: Properties?
    }

    struct Properties: Encodable {
        var omitted: [JSONReporter.OmittedEntry]
    }

    struct Tool: Encodable {
        var driver: Driver
    }

    struct Driver: Encodable {
        var name = "salvo"
        var version = SARIFReporter.toolVersion
        var rules: [Rule]
    }

    struct Rule: Encodable {
        var id: String
        var name: String
        var shortDescription: Message
        var defaultConfiguration: Configuration
    }

    struct Configuration: Encodable {
        var level: String
    }

    struct Message: Encodable {
        var text: String
    }

    struct Result: Encodable {
        var ruleId: String
        var ruleIndex: Int
        var level: String
        var message: Message
        var locations: [Location]
        var relatedLocations: [RelatedLocation]?
    }

    struct Location: Encodable {
        var physicalLocation: PhysicalLocation
    }

    struct RelatedLocation: Encodable {
        var id: Int
        var physicalLocation: PhysicalLocation
        var message: Message
    }

    struct PhysicalLocation: Encodable {
        var artifactLocation: ArtifactLocation
        var region: Region
    }

    struct ArtifactLocation: Encodable {
        var uri: String
    }

    struct Region: Encodable {
        var startLine: Int
        var startColumn: Int
        var endLine: Int
        var endColumn: Int
    }

    public func render(_ report: ValidationReport) -> String {
        let diagnostics = report.diagnostics.map(\.printable)
        var ruleIndex: [String: Int] = [:]
        var rules: [Rule] = []
        for diagnostic in diagnostics where ruleIndex[diagnostic.id.rawValue] == nil {
            ruleIndex[diagnostic.id.rawValue] = rules.count
            rules.append(Rule(id: diagnostic.id.rawValue, name: Self.ruleName(diagnostic.id.rawValue),
                              shortDescription: Message(text: "salvo check '\(diagnostic.id.rawValue)'"),
                              defaultConfiguration: Configuration(level: Self.level(diagnostic.severity))))
        }
        let results = diagnostics.compactMap { diagnostic -> Result? in
            guard let location = diagnostic.location else { return nil }
            var text = diagnostic.message
            if let fixIt = diagnostic.fixIt { text += " (\(fixIt.message))" }
            let related = diagnostic.notes.enumerated().compactMap { index, note -> RelatedLocation? in
                guard let place = note.location else { return nil }
                return RelatedLocation(id: index, physicalLocation: Self.physical(place), message: Message(text: note.message))
            }
            let plain = diagnostic.notes.filter { $0.location == nil }.map(\.message)
            if !plain.isEmpty { text += ". " + plain.joined(separator: ". ") }
            return Result(ruleId: diagnostic.id.rawValue, ruleIndex: ruleIndex[diagnostic.id.rawValue] ?? 0,
                          level: Self.level(diagnostic.severity), message: Message(text: text),
                          locations: [Location(physicalLocation: Self.physical(location))],
                          relatedLocations: related.isEmpty ? nil : related)
        }
        let omitted = JSONReporter.omittedEntries(report)
        let log = Log(runs: [Run(tool: Tool(driver: Driver(rules: rules)), results: results, properties: omitted.isEmpty ? nil : Properties(omitted: omitted))])
        return JSONReporter.encode(log) + "\n"
    }

    private static func physical(_ location: SourceLocation) -> PhysicalLocation {
        let range = location.range
        var uri = location.file
        while uri.hasPrefix("./") { uri.removeFirst(2) }
        let escaped = uri.split(separator: "/", omittingEmptySubsequences: false).map { segment in
            segment.unicodeScalars.map { scalar -> String in
                let safe = ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar) || "-._~".unicodeScalars.contains(scalar)
                guard !safe else { return String(scalar) }
                return String(scalar).utf8.map { byte in
                    let hex = String(byte, radix: 16, uppercase: true)
                    return "%" + (hex.count == 1 ? "0" + hex : hex)
                }.joined()
            }.joined()
        }.joined(separator: "/")
        return PhysicalLocation(artifactLocation: ArtifactLocation(uri: escaped),
                                region: Region(startLine: max(range.start.line, 1), startColumn: max(range.start.column, 1),
                                               endLine: max(range.end.line, 1), endColumn: max(range.end.column, 1)))
    }

    private static func level(_ severity: Severity) -> String {
        switch severity {
        case .error: "error"
        case .warning: "warning"
        case .note: "note"
        }
    }

    private static func ruleName(_ id: String) -> String {
        id.split(separator: "-").map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
    }
}
