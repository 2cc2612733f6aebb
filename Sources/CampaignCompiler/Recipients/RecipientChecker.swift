import YAMLSyntax

/// Reads every recipient source as a stream and checks every row against the template: phone
/// numbers, duplicates across formats, exclusion lists, parameter values, and each row's rendered
/// length and segments. Memory does not grow with the rows, apart from the set of numbers seen
/// (at most 8 bytes each) and the duplicates found.
public struct RecipientChecker: Sendable {
    /// The recipients block of the campaign.
    public var recipients: Recipients
    /// The parameters, in file order.
    public var parameters: [Parameter]
    /// The sign name, for lengths (nil skips length checks).
    public var signName: String?
    /// The template content, for lengths (nil skips length checks).
    public var content: String?
    /// Mainland or international: which numbers rows may hold and how messages are counted.
    public var destination = Destination.mainland
    /// The campaign file's path, for diagnostics that point into it.
    public var campaignPath: String
    /// The most diagnostics kept per file.
    public var diagnosticLimit: Int?
    /// The most diagnostics of one id kept per file (the rest are counted); nil keeps all.
    public var perIDLimit: Int?
    /// The most duplicates whose first occurrence is looked up for a note.
    public var duplicateNoteLimit = 100_000
    /// Plan rows rendered by the fast reader for the plan compiler; nil renders none.
    var planRendering: PlanRendering?
    /// The size of the chunks the fast reader scans in parallel (tests make it small to put
    /// chunk boundaries everywhere).
    var chunkBytes = 1 << 20
    /// Numbers that unsubscribed (promotional campaigns): left out and counted as suppressed.
    public var suppression: PhoneSet?
    /// Reads the recipient sources through another reader with the full row check only (the
    /// differential tests replay a reference reader's rows through it).
    var sourceOverride: (@Sendable (RecipientSourceSpec) -> any RecipientSource)?

    /// Creates a checker for a campaign's pieces.
    public init(recipients: Recipients, parameters: [Parameter], signName: String?, content: String?, campaignPath: String, diagnosticLimit: Int?) {
        self.recipients = recipients
        self.parameters = parameters
        self.signName = signName
        self.content = content
        self.campaignPath = campaignPath
        self.diagnosticLimit = diagnosticLimit
    }

    /// Creates a checker for a decoded campaign.
    public init(campaign: Campaign, diagnosticLimit: Int?) {
        self.init(recipients: campaign.recipients, parameters: campaign.parameters, signName: campaign.signName.value,
                  content: campaign.template.content.value, campaignPath: campaign.path, diagnosticLimit: diagnosticLimit)
        destination = campaign.template.destination.value
    }

    /// The phone policy of the campaign's destination and default country.
    var phones: CampaignPhones {
        CampaignPhones(destination, defaultRegion: recipients.defaultCountry.flatMap { CallingCodes.region(iso: $0.value) })
    }

    /// Checks every row.
    public func check() async -> RecipientCheck {
        await check(accept: { (_: AcceptedRecipient) throws(Never) in }, fast: { (_: FastRecipient, _: FullRecipient) throws(Never) in })
    }

    /// Checks every row; `fast` is called for each recipient to send to that the fast reader
    /// accepted (with a way to make the full `AcceptedRecipient` where needed), `accept` for those
    /// accepted by the full check, in order.
    func check<Failure: Error>(accept: (AcceptedRecipient) throws(Failure) -> Void,
                               fast: (FastRecipient, FullRecipient) throws(Failure) -> Void) async throws(Failure) -> RecipientCheck {
        try await withoutActuallyEscaping(fast) { (fast) async throws(Failure) -> RecipientCheck in
            try await check(accept: accept, setAside: nil, fast: Optional(fast))
        }
    }

    /// Checks every row; `accept` is called for each recipient to send to, in order, and what it
    /// throws ends the check.
    public func check<Failure: Error>(accept: (AcceptedRecipient) throws(Failure) -> Void) async throws(Failure) -> RecipientCheck {
        try await check(accept: accept, setAside: nil, fast: nil)
    }

    /// Checks every row; `accept` is called for each recipient to send to and `setAside` for each
    /// row that is not sent (invalid, duplicate, excluded), in order.
    public func check<Failure: Error>(accept: (AcceptedRecipient) throws(Failure) -> Void, setAside: (SetAsideRow) -> Void) async throws(Failure) -> RecipientCheck {
        try await withoutActuallyEscaping(setAside) { (setAside) async throws(Failure) -> RecipientCheck in
            try await check(accept: accept, setAside: Optional(setAside), fast: nil)
        }
    }

    /// The check; with `setAside` nil (validate, plan) no set-aside row is built, so a file of a
    /// million duplicates costs no allocation per row for a list nobody reads.
    private func check<Failure: Error>(accept: (AcceptedRecipient) throws(Failure) -> Void, setAside: ((SetAsideRow) -> Void)?,
                                       fast: FastSink<Failure>?) async throws(Failure) -> RecipientCheck {
        var collector = DiagnosticCollector(limit: diagnosticLimit, perIDLimit: perIDLimit)
        var sources: [String: SourceText] = [:]
        let exclusions = await readExclusions(into: &collector, sources: &sources)

        // The fixed part of every message: sign name, 【】, content with constants filled in.
        var constants: [String: String] = [:]
        for parameter in parameters {
            if case .constant(let value) = parameter.binding { constants[parameter.name.value] = value.value }
        }
        var counting: MessageCounting?
        if let signName, let content, MessageLength.characters(content) <= MessageLength.maxLength {
            let bound = Set(parameters.map(\.name.value))
            if PlaceholderParser.placeholderNames(in: content).allSatisfy(bound.contains) {
                var blanks = constants
                for parameter in parameters where blanks[parameter.name.value] == nil { blanks[parameter.name.value] = "" }
                counting = MessageCounting(destination: destination, signName: signName, fixedText: PlaceholderParser.render(content, values: blanks))
            }
        }

        let constantValues = parameters.map { constants[$0.name.value] ?? "" }
        var state = PassState(constants: constantValues, counting: counting, phones: phones,
                              screening: Screening(exclusions: exclusions, suppression: suppression ?? PhoneSet()))
        // Duplicates past what the collector could keep per file are only counted: a file of a
        // million copies of one number costs no memory per copy.
        state.duplicatesKeptPerFile = [diagnosticLimit, perIDLimit].compactMap { $0 }.min() ?? Int.max
        for (sourceIndex, spec) in recipients.sources.enumerated() {
            let format = spec.kind.format
            let source = sourceOverride?(spec) ?? format.makeSource(spec, columns: wantedColumns(spec), access: recipients.access, campaignPath: campaignPath)
            try await checkRows(of: source, spec: spec, format: format, sourceIndex: sourceIndex, state: &state, collector: &collector, sources: &sources,
                                accept: accept, setAside: setAside, fast: sourceOverride == nil ? fast : nil, fastAllowed: sourceOverride == nil)
        }
        let summary = state.summary
        let duplicates = state.duplicates
        if !duplicates.isEmpty {
            let firsts = await firstOccurrences(of: Set(duplicates.prefix(duplicateNoteLimit).map(\.0.key)), exclusions: exclusions, counting: counting,
                                                constants: constantValues, fast: fast != nil)
            for (phone, location) in duplicates {
                collector.report(.duplicateRecipient(phone, first: firsts[phone.key], at: location))
            }
        }
        return RecipientCheck(summary: summary, collector: collector, sources: sources)
    }

    /// The columns a source must supply: the phone column and every `from:` column.
    func wantedColumns(_ spec: RecipientSourceSpec) -> [String] {
        var columns = [spec.phoneColumn.value]
        for parameter in parameters {
            if case .column(let column) = parameter.binding, !columns.contains(column.value) { columns.append(column.value) }
        }
        return columns
    }

    /// What the first pass carries from row to row and source to source.
    struct PassState {
        var constants: [String]
        var counting: MessageCounting?
        var phones: CampaignPhones
        var screening: Screening
        var seen = PhoneSet()
        var duplicates: [(PhoneNumber, SourceLocation)] = []
        var duplicatesKeptPerFile = Int.max
        var duplicatesByFile: [String: Int] = [:]
        var summary = RecipientSummary()
    }

    /// The cross-row rules of the full check, before a row's values are checked: an excluded
    /// number, then a suppressed one, then one a recipient already has (each counted); nil when
    /// the row may be a recipient. The number is taken (`seen`) only once the row's values pass,
    /// so that a row left out as invalid does not keep a later valid row of its number out.
    static func screen(_ phone: PhoneNumber, screening: Screening, seen: PhoneSet, summary: inout RecipientSummary) -> SetAsideRow.Reason? {
        if let reason = screening.reason(for: phone) {
            if reason == .excluded { summary.excluded += 1 } else { summary.suppressed += 1 }
            return reason
        }
        guard !seen.contains(phone) else {
            summary.duplicates += 1
            return .duplicate
        }
        return nil
    }

    /// The cross-row rules of both readers, in file order, for a row whose other rules passed:
    /// an excluded number, then a suppressed one, then one seen before (each counted); nil for a
    /// new recipient, now seen.
    @inline(__always)
    static func admit(_ phone: PhoneNumber, screening: Screening, seen: inout PhoneSet, summary: inout RecipientSummary) -> SetAsideRow.Reason? {
        if let reason = screening.reason(for: phone) {
            if reason == .excluded { summary.excluded += 1 } else { summary.suppressed += 1 }
            return reason
        }
        guard seen.insert(phone) else {
            summary.duplicates += 1
            return .duplicate
        }
        return nil
    }

    /// Checks the rows of one source (generic, so each source type gets its own loop); CSV and
    /// JSON Lines go through the parallel fast reader where nothing needs the set-aside rows.
    private func checkRows<Source: RecipientSource, Failure: Error>(
        of source: Source, spec: RecipientSourceSpec, format: any SourceFormat, sourceIndex: Int, state: inout PassState,
        collector: inout DiagnosticCollector, sources: inout [String: SourceText],
        accept: (AcceptedRecipient) throws(Failure) -> Void, setAside: ((SetAsideRow) -> Void)?, fast: FastSink<Failure>?, fastAllowed: Bool
    ) async throws(Failure) {
        let yaml = SourceLocation(file: campaignPath, range: spec.path.range)
        let header: RecipientHeader
        let rows: Source.Rows
        do {
            (header, rows) = try source.open()
        } catch {
            collector.report(.sourceFailure(spec, error, at: yaml))
            return
        }
        if let text = header.shownText {
            sources[spec.resolvedPath] = SourceText(String(repeating: "\n", count: header.range.start.line - 1) + text)
        }
        let headerLocation = format.headerLocation(spec, header: header, campaignPath: campaignPath)
        guard let phoneIndex = header.columns.firstIndex(of: spec.phoneColumn.value) else {
            collector.report(.columnMissing(spec.phoneColumn.value, role: "the phone column", header: header.looksLikeHeader ? header.columns : nil,
                                            named: SourceLocation(file: campaignPath, range: spec.phoneColumn.range), at: headerLocation))
            return
        }
        let (rules, missing) = rowRules(header: header, format: format, phoneIndex: phoneIndex, counting: state.counting, phones: state.phones)
        for (column, parameter) in missing {
            collector.report(.columnMissing(column.value, role: "parameter '\(parameter)'", header: header.looksLikeHeader ? header.columns : nil,
                                            named: SourceLocation(file: campaignPath, range: column.range), at: headerLocation))
        }
        let context = SourceContext(spec: spec, format: format, sourceIndex: sourceIndex, header: header, rules: rules,
                                    skip: recipients.invalid == .skip, yaml: yaml)
        if fastAllowed, setAside == nil, missing.isEmpty {
            let handled = if let fast {
                try await checkRowsFast(context, state: &state, collector: &collector, accept: accept, fast: fast)
            } else {
                try await checkRowsFast(context, state: &state, collector: &collector, accept: accept, fast: { (_: FastRecipient, full: FullRecipient) throws(Failure) in
                    try accept(full.make())
                })
            }
            if handled { return }
        }
        var iterator = rows.makeAsyncIterator()
        while true {
            let next: RecipientRow?
            do {
                next = try await iterator.next(isolation: #isolation)
            } catch {
                collector.report(.sourceFailure(spec, error, at: yaml))
                return
            }
            guard let row = next else { return }
            try checkRow(row, context, state: &state, collector: &collector, accept: accept, setAside: setAside)
        }
    }

    /// The row rules of a source with `header`, and the parameter columns it lacks (each once,
    /// with the first parameter that names it).
    func rowRules(header: RecipientHeader, format: any SourceFormat, phoneIndex: Int, counting: MessageCounting?,
                  phones: CampaignPhones) -> (RowRules, missing: [(column: Located<String>, parameter: String)]) {
        var bindings: [RowRules.Binding] = []
        var labels: [RowRules.Label] = []
        var missing: [(column: Located<String>, parameter: String)] = []
        for (position, parameter) in parameters.enumerated() {
            guard case .column(let column) = parameter.binding else { continue }
            let index = header.columns.firstIndex(of: column.value)
            if index == nil, !missing.contains(where: { $0.column.value == column.value }) { missing.append((column, parameter.name.value)) }
            let fallback = parameter.defaultValue?.value
            bindings.append(RowRules.Binding(index: index ?? -1, position: position, type: parameter.type.value, hasFallback: fallback != nil,
                                             fallbackLength: fallback.map(MessageLength.characters) ?? 0,
                                             fallbackSeptets: fallback.flatMap { GSM7.septets($0) } ?? -1))
            labels.append(RowRules.Label(column: column.value, parameter: parameter.name.value, fallback: fallback))
        }
        let rules = RowRules(mode: .check, keyed: format.keyed, columnCount: header.columns.count, keys: format.keyed ? header.columns.map { Array($0.utf8) } : [],
                             phoneIndex: phoneIndex, bindings: bindings, labels: labels, counting: counting, render: nil, phones: phones)
        return (rules, missing)
    }

    /// What the rows of one source are checked against.
    struct SourceContext {
        var spec: RecipientSourceSpec
        var format: any SourceFormat
        var sourceIndex: Int
        var header: RecipientHeader
        /// The row rules, with the source's columns.
        var rules: RowRules
        var skip: Bool
        /// The source's entry in the campaign file, where read failures point.
        var yaml: SourceLocation
        var file: String { spec.resolvedPath }

        /// The set-aside row of `row`: its values as the row has them.
        func setAsideRow(_ row: RecipientRow, constants: [String], reason: SetAsideRow.Reason, phone: String, problem: DiagnosticID?) -> SetAsideRow {
            var values = constants
            for binding in rules.bindings where binding.index >= 0 && binding.index < row.fields.count {
                values[binding.position] = row.fields[binding.index]
            }
            return SetAsideRow(phone: phone, values: values, reason: reason, problem: problem?.rawValue, file: spec.path.value, line: row.line)
        }
    }

    /// The full check of one row, in the order that decides which diagnostic a row gets: field
    /// count, phone, exclusion, duplicate, values, length (the rules in `RowRules`, the cross-row
    /// ones in `admit`). Every row the fast reader does not accept comes here.
    func checkRow<Failure: Error>(_ row: RecipientRow, _ context: SourceContext, state: inout PassState, collector: inout DiagnosticCollector,
                                  accept: (AcceptedRecipient) throws(Failure) -> Void, setAside: ((SetAsideRow) -> Void)?) throws(Failure) {
        let rules = context.rules, file = context.file
        state.summary.read += 1
        func at(_ index: Int) -> SourceLocation {
            let position = index < row.positions.count ? row.positions[index] : SourcePosition(line: row.line, column: 1)
            return SourceLocation(file: file, range: SourceRange(at: position))
        }
        func report(_ diagnostic: Diagnostic) {
            collector.report(context.skip ? diagnostic.skippingRow() : diagnostic)
        }
        func setAsideRow(_ reason: SetAsideRow.Reason, phone: @autoclosure () -> String, problem: DiagnosticID? = nil) {
            setAside?(context.setAsideRow(row, constants: state.constants, reason: reason, phone: phone(), problem: problem))
        }
        if let diagnostic = rules.fieldCountProblem(row, at: at(0)) {
            report(diagnostic)
            state.summary.invalid += 1
            setAsideRow(.invalid, phone: rules.phoneIndex < row.fields.count ? row.fields[rules.phoneIndex] : "", problem: diagnostic.id)
            return
        }
        let phone: PhoneNumber
        switch rules.phone(of: row) {
        case .rejected(let rejection):
            let diagnostic = rejection.diagnostic(at: at(rules.phoneIndex))
            report(diagnostic)
            state.summary.invalid += 1
            setAsideRow(.invalid, phone: rejection.shown, problem: diagnostic.id)
            return
        case .accepted(let number):
            phone = number
        }
        if let reason = Self.screen(phone, screening: state.screening, seen: state.seen, summary: &state.summary) {
            setAsideRow(reason, phone: phone.digits)
            if reason == .duplicate { noteDuplicate(phone, at: at(rules.phoneIndex), file: file, state: &state, collector: &collector) }
            return
        }
        let checked = rules.values(of: row, constants: state.constants, location: at, report: report)
        guard checked.valid else {
            state.summary.invalid += 1
            setAsideRow(.invalid, phone: phone.digits, problem: checked.firstProblem ?? "recipients-column-missing")
            return
        }
        state.seen.insert(phone)
        let segments = count(length: checked.length, encoding: checked.encoding, phone: phone, state: &state, at: at(0))
        try accept(AcceptedRecipient(phone: phone, values: checked.values, length: checked.length, segments: segments,
                                     sourceIndex: context.sourceIndex, line: row.line, encoding: checked.encoding))
    }

    /// Keeps a duplicate for its diagnostic, or only counts it past the per-file limit.
    func noteDuplicate(_ phone: PhoneNumber, at location: @autoclosure () -> SourceLocation, file: String, state: inout PassState, collector: inout DiagnosticCollector) {
        if state.duplicatesByFile[file, default: 0] < state.duplicatesKeptPerFile {
            state.duplicatesByFile[file, default: 0] += 1
            state.duplicates.append((phone, location()))
        } else {
            collector.omit(file: file, id: "recipient-duplicate", severity: .warning)
        }
    }

    /// Counts a recipient to send to, whose message is `length` long in `encoding`, and returns
    /// its segments.
    private func count(length: Int, encoding: MessageEncoding, phone: PhoneNumber, state: inout PassState,
                       at location: @autoclosure () -> SourceLocation) -> Int {
        // Without a measurable template (its errors are reported elsewhere) there is no length.
        let segments = state.counting?.segments(length: length, encoding: encoding) ?? 0
        state.summary.toSend += 1
        // Where the template's fixed part alone needs two segments, the warning stays at the
        // template; otherwise it points at the first row whose values make it longer.
        if segments > 1, state.summary.firstMultiSegmentRow == nil, (state.counting?.fixedSegments ?? 0) <= 1 {
            state.summary.firstMultiSegmentRow = location()
        }
        if segments > 0 {
            state.summary.segmentHistogram[segments, default: 0] += 1
            state.summary.totalSegments += segments
        }
        if destination == .international { state.summary.countries[phone.callingCode, default: CountryCount()].add(segments: segments) }
        return segments
    }

    private static func open(_ source: some RecipientSource) throws(RecipientSourceError) -> (header: RecipientHeader, rows: any AsyncSequence<RecipientRow, RecipientSourceError>) {
        let (header, rows) = try source.open()
        return (header, rows)
    }

    /// The numbers on the exclusion lists; entries that are not numbers are warned about.
    private func readExclusions(into collector: inout DiagnosticCollector, sources: inout [String: SourceText]) async -> PhoneSet {
        var set = PhoneSet()
        for spec in recipients.exclude {
            let yaml = SourceLocation(file: campaignPath, range: spec.path.range)
            do {
                let (header, rows) = try Self.open(spec.makeSource(access: recipients.access, campaignPath: campaignPath))
                if let text = header.shownText {
                    sources[spec.resolvedPath] = SourceText(String(repeating: "\n", count: header.range.start.line - 1) + text)
                }
                guard let phoneIndex = header.columns.firstIndex(of: spec.phoneColumn.value) else {
                    collector.report(.columnMissing(spec.phoneColumn.value, role: "the phone column", header: header.looksLikeHeader ? header.columns : nil,
                                                    named: SourceLocation(file: campaignPath, range: spec.phoneColumn.range),
                                                    at: SourceLocation(file: spec.resolvedPath, range: header.range)))
                    continue
                }
                let phones = phones
                for try await row in rows where phoneIndex < row.fields.count {
                    switch phones.listed(row.fields[phoneIndex]) {
                    case .success(let number): set.insert(number)
                    case .failure(.empty): continue
                    case .failure(let problem):
                        let position = row.positions[phoneIndex]
                        collector.report(.exclusionPhone(problem, text: row.fields[phoneIndex], at: SourceLocation(file: spec.resolvedPath, range: SourceRange(at: position))))
                    }
                }
            } catch let error {
                collector.report(.sourceFailure(spec, error, at: yaml))
            }
        }
        return set
    }

    /// A second pass over the sources, only when duplicates were found, to find where each
    /// duplicated number first appeared (kept out of the first pass so that it needs no memory
    /// per recipient).
    /// Only rows that were recipients count: a row left out as invalid holds no number.
    private func firstOccurrences(of keys: Set<UInt64>, exclusions: PhoneSet, counting: MessageCounting?, constants: [String], fast: Bool) async -> [UInt64: SourceLocation] {
        var found: [UInt64: SourceLocation] = [:]
        for spec in recipients.sources where found.count < keys.count {
            if fast, sourceOverride == nil {
                await firstOccurrencesFast(in: spec, keys: keys, exclusions: exclusions, counting: counting, constants: constants, found: &found)
                continue
            }
            let source = sourceOverride?(spec) ?? spec.kind.format.makeSource(spec, columns: wantedColumns(spec), access: recipients.access, campaignPath: campaignPath)
            guard let (header, rows) = try? Self.open(source),
                  let phoneIndex = header.columns.firstIndex(of: spec.phoneColumn.value) else { continue }
            let (rules, _) = rowRules(header: header, format: spec.kind.format, phoneIndex: phoneIndex, counting: counting, phones: phones)
            let nowhere = SourceLocation(file: spec.resolvedPath, range: SourceRange(at: SourcePosition(line: 1, column: 1)))
            do {
                for try await row in rows where row.fields.count == header.columns.count {
                    guard case .accepted(let phone) = rules.phones.judge(row.fields[phoneIndex]),
                          keys.contains(phone.key), found[phone.key] == nil, !exclusions.contains(phone),
                          rules.values(of: row, constants: constants, location: { _ in nowhere }, report: { _ in }).valid else { continue }
                    found[phone.key] = SourceLocation(file: spec.resolvedPath, range: SourceRange(at: row.positions[phoneIndex]))
                    if found.count == keys.count { break }
                }
            } catch {
                continue
            }
        }
        return found
    }
}
