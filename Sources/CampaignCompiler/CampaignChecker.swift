import Foundation
public import YAMLSyntax

/// What checking one campaign file found.
public struct CampaignCheck: Sendable {
    /// The path as the user named it.
    public var path: String
    /// The campaign, when the file had no errors.
    public var campaign: Campaign?
    /// Every problem found, in file order.
    public var diagnostics: [Diagnostic]
    /// The lines of every file the diagnostics point into, by path.
    public var sources: [String: SourceText]
    /// Diagnostics left out past the per-file limit, by file and id.
    public var omitted: [String: [DiagnosticID: DiagnosticCollector.Omitted]] = [:]
    /// The recipient counts, when the recipients were checked.
    public var recipients: RecipientSummary?
}

/// Options for checking campaign files.
public struct CheckOptions: Sendable {
    /// Whether recipient files are read and every row checked; off for `--no-recipients`.
    public var checksRecipientFiles: Bool
    /// The most diagnostics kept per recipient file (the rest are counted by id); nil keeps all.
    public var diagnosticLimit: Int?
    /// Bounds on hostile YAML.
    public var yamlLimits: YAMLLimits
    /// The largest campaign file read.
    public var maxFileBytes: Int
    /// The most diagnostics of one id kept per file (the rest are counted); nil keeps all.
    public var perIDLimit: Int?
    /// Which recipient files a campaign may name, and the bounds on reading them.
    public var access: SourceAccess

    /// Creates options; by default recipient files are checked.
    public init(checksRecipientFiles: Bool = true, diagnosticLimit: Int? = nil, perIDLimit: Int? = nil, yamlLimits: YAMLLimits = YAMLLimits(),
                maxFileBytes: Int = 4 << 20, access: SourceAccess = SourceAccess()) {
        self.checksRecipientFiles = checksRecipientFiles
        self.diagnosticLimit = diagnosticLimit
        self.perIDLimit = perIDLimit
        self.yamlLimits = yamlLimits
        self.maxFileBytes = maxFileBytes
        self.access = access
    }
}

/// Checks campaign files: YAML, structure, template, parameters, schedule, recipients and limits.
/// Pure apart from reading the files it is given.
public enum CampaignChecker {
    /// A warning when messages need more than one segment or differ in segments between
    /// recipients: the bill is not recipients × price.
    static func segmentDiagnostic(_ summary: RecipientSummary, destination: Destination = .mainland, at location: SourceLocation) -> Diagnostic? {
        let counts = summary.segmentHistogram.keys.sorted()
        guard let most = counts.last, most > 1 || counts.count > 1 else { return nil }
        return .recipientSegments(summary.segmentHistogram, total: summary.totalSegments, destination: destination, template: location,
                                  at: summary.firstMultiSegmentRow ?? location)
    }

    /// The audience and cost guards of `sending`, checked against the counted recipients.
    static func limitDiagnostics(_ summary: RecipientSummary, sending: Sending, sendingKey: SourceRange?, path: String) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        let fallback = sendingKey ?? SourceRange(at: SourcePosition(line: 1, column: 1))
        if summary.toSend > sending.maxRecipients {
            let at = SourceLocation(file: path, range: sending.ranges["max-recipients"] ?? fallback)
            diagnostics.append(.tooManyRecipients(summary.toSend, limit: sending.maxRecipients, at: at))
        }
        let cost = summary.estimatedCost(sending.prices)
        if cost > sending.maxCost {
            let at = SourceLocation(file: path, range: sending.ranges["max-cost"] ?? fallback)
            diagnostics.append(.costTooHigh(cost, segments: summary.totalSegments, price: sending.prices.isUniform ? sending.pricePerSegment : nil,
                                            limit: sending.maxCost, at: at))
        }
        return diagnostics
    }

    /// Reads and checks the campaign file at `path`.
    public static func check(path: String, options: CheckOptions = CheckOptions()) async -> CampaignCheck {
        let start = SourceLocation(file: path, range: SourceRange(at: SourcePosition(line: 1, column: 1)))
        // Only a regular file is read: a FIFO would hang the lint, and /proc/self/environ holds secrets.
        let bytes: [UInt8]
        do {
            bytes = try RegularFile.read(path, maxBytes: Int64(options.maxFileBytes))
        } catch .tooLarge(let size) {
            return CampaignCheck(path: path, campaign: nil, diagnostics: [.fileTooLarge(bytes: Int(size), limit: options.maxFileBytes, at: start)], sources: [:])
        } catch {
            return CampaignCheck(path: path, campaign: nil, diagnostics: [.fileUnreadable(error.reason, at: start)], sources: [:])
        }
        return await check(bytes: bytes, path: path, options: options)
    }

    /// Checks a campaign file's bytes; `path` names it in diagnostics and anchors relative paths.
    public static func check(bytes: [UInt8], path: String, options: CheckOptions = CheckOptions()) async -> CampaignCheck {
        let document = YAMLParser.parse(bytes, limits: options.yamlLimits)
        var diagnostics = document.problems.map { Diagnostic.yaml($0, file: path) }
        var sources = [path: document.text]
        var campaign: Campaign?
        var omitted: [String: [DiagnosticID: DiagnosticCollector.Omitted]] = [:]
        var summary: RecipientSummary?
        if let root = document.root, !root.isNull, !document.problems.contains(where: \.isFatal) {
            var decoder = CampaignDecoder(path: path, text: document.text)
            var decoded = decoder.decodeCampaign(root)
            decoded?.recipients.access = options.access
            diagnostics += decoder.diagnostics
            if options.checksRecipientFiles, var recipients = decoder.pieces.recipients {
                recipients.access = options.access
                var checker = RecipientChecker(recipients: recipients, parameters: decoder.pieces.parameters, signName: decoder.pieces.signName,
                                               content: decoder.pieces.content, campaignPath: path, diagnosticLimit: options.diagnosticLimit)
                checker.destination = decoder.pieces.destination
                checker.perIDLimit = options.perIDLimit
                let result = await checker.check()
                diagnostics += result.collector.diagnostics
                omitted = result.collector.omitted
                sources.merge(result.sources) { first, _ in first }
                summary = result.summary
                diagnostics += limitDiagnostics(result.summary, sending: decoder.pieces.sending, sendingKey: decoder.pieces.sendingKey, path: path)
                let usesColumns = decoder.pieces.parameters.contains { if case .column = $0.binding { true } else { false } }
                if usesColumns, let range = decoder.pieces.contentRange, let diagnostic = segmentDiagnostic(result.summary, destination: decoder.pieces.destination, at: SourceLocation(file: path, range: range)) {
                    // The counted segments replace the estimate from the template alone.
                    diagnostics.removeAll { $0.id == "message-segments" }
                    diagnostics.append(diagnostic)
                }
            }
            campaign = diagnostics.contains { $0.severity == .error } || omitted.values.contains { $0.values.contains { $0.severity == .error } } ? nil : decoded
        } else if document.problems.isEmpty || document.root?.isNull == true {
            diagnostics.append(.yamlEmpty(at: SourceLocation(file: path, range: SourceRange(at: SourcePosition(line: 1, column: 1)))))
        }
        // The campaign file's own diagnostics first, in position order; then those in its recipient files.
        diagnostics = diagnostics.enumerated().sorted { left, right in
            let (l, r) = (left.element, right.element)
            let (lOwn, rOwn) = (l.location?.file == path, r.location?.file == path)
            if lOwn != rOwn { return lOwn }
            if l.location?.file != r.location?.file || l.location?.range.start == r.location?.range.start {
                return left.offset < right.offset
            }
            return Diagnostic.fileOrder(l, r)
        }.map(\.element)
        return CampaignCheck(path: path, campaign: campaign, diagnostics: diagnostics, sources: sources, omitted: omitted, recipients: summary)
    }
}
