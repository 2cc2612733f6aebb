#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import YAMLSyntax

extension RecipientChecker {
    /// Chunks scanned at once: enough to keep both cores busy while the merge runs, few enough
    /// to bound memory (each holds about 1 MiB of text and what was found in it).
    static var chunksInFlight: Int { max(2, ProcessInfo.processInfo.activeProcessorCount) * 2 + 1 }

    /// The rules the fast reader checks a row of this source against: the row rules, and how
    /// accepted rows are written into the plan.
    private func fastRules(_ context: SourceContext) -> RowRules {
        var rules = context.rules
        guard let planRendering else { return rules }
        var source: [UInt8] = []
        PlanJSON.string(String(context.sourceIndex), into: &source)
        var constants: [[UInt8]?] = []
        var constantBytes: [[UInt8]?] = []
        var fallbacks: [[UInt8]?] = []
        for parameter in parameters {
            switch parameter.binding {
            case .constant(let value):
                var json: [UInt8] = []
                PlanJSON.string(value.value, into: &json)
                constants.append(json)
                constantBytes.append(Array(value.value.utf8))
                fallbacks.append(nil)
            case .column:
                constants.append(nil)
                constantBytes.append(nil)
                fallbacks.append(parameter.defaultValue.map { Array($0.value.utf8) })
            }
        }
        rules.render = RowRules.Render(source: source, constants: constants, grouped: planRendering.grouped, constantBytes: constantBytes, fallbacks: fallbacks)
        return rules
    }

    /// What the merge of the fast reader's rows carries through one source.
    struct FastPass {
        let context: SourceContext
        let maker: RowMaterializer
        /// Recipients per segment count (the common counts, without hashing).
        var histogram = [Int](repeating: 0, count: 9)
        /// Whether the set of numbers seen was sized for the file.
        var reserved = false

        var fixedSegments: Int { context.rules.counting?.fixedSegments ?? 0 }
    }

    /// Checks a source with the fast reader; false when it cannot be used, before any row was counted.
    func checkRowsFast<Failure: Error>(_ context: SourceContext, state: inout PassState, collector: inout DiagnosticCollector,
                                       accept: (AcceptedRecipient) throws(Failure) -> Void, fast: FastSink<Failure>) async throws(Failure) -> Bool {
        let bindings = zip(context.rules.bindings, context.rules.labels).map { binding, label in
            RowMaterializer.Binding(index: binding.index, position: binding.position, fallback: label.fallback)
        }
        let maker = RowMaterializer(format: context.format, columns: context.header.columns, bindings: bindings, constants: state.constants,
                                    sourceIndex: context.sourceIndex)
        var pass = FastPass(context: context, maker: maker)
        defer {
            for (segments, count) in pass.histogram.enumerated() where count > 0 { state.summary.segmentHistogram[segments, default: 0] += count }
        }
        defer { withExtendedLifetime(maker) {} }
        return try await scanChunks(spec: context.spec, format: context.format, rules: fastRules(context), rows: { (chunk, base) throws(Failure) -> Bool in
            try mergeRows(&chunk, base: base, pass: &pass, state: &state, collector: &collector, accept: accept, fast: fast)
        }, row: { (row) throws(Failure) -> Bool in
            try checkRow(row, context, state: &state, collector: &collector, accept: accept, setAside: nil)
            return true
        }, failure: { error in
            collector.report(.sourceFailure(context.spec, error, at: context.yaml))
        })
    }

    /// Sizes the set of numbers seen for the whole file from its first rows, so that it is not
    /// rehashed while it fills.
    private func reserve(_ seen: inout PhoneSet, for table: RowTable, chunkBytes: Int, file: String) {
        let count = table.count
        var low = 0
        for index in 0..<count where table[index].clean && table[index].phone < 17_000_000_000 { low += 1 }
        var info = stat()
        let size = max(stat(file, &info) == 0 ? Int(info.st_size) : 0, chunkBytes)
        let expected = Int(Double(size) / Double(max(chunkBytes, 1)) * Double(count))
        seen.reserve(low: expected * low / count, high: expected * (count - low) / count)
    }

    /// The rows of one chunk, in file order: the full check for those the scan did not pass, the
    /// cross-row rules and the counts for the others. False when the source must stop.
    private func mergeRows<Failure: Error>(_ chunk: inout ScannedChunk, base: Int, pass: inout FastPass, state: inout PassState, collector: inout DiagnosticCollector,
                                           accept: (AcceptedRecipient) throws(Failure) -> Void, fast: FastSink<Failure>) throws(Failure) -> Bool {
        let table = chunk.rows
        let count = table.count
        let context = pass.context, file = context.file, format = context.format, columns = context.header.columns
        if !pass.reserved, count > 0 {
            pass.reserved = true
            reserve(&state.seen, for: table, chunkBytes: chunk.bytes.count, file: file)
        }
        var stop = false
        // The set of numbers seen is held here while the rows that passed go by, and handed
        // back to the state for every row the full check takes.
        var seen = PhoneSet()
        swap(&seen, &state.seen)
        defer { swap(&seen, &state.seen) }
        let counting = state.counting
        let fixedSegments = pass.fixedSegments
        let phones = context.rules.phones
        let mainland = phones.isMainland
        try chunk.bytes.withUnsafeBufferPointer { (bytes) throws(Failure) in
            for index in 0..<count {
                // The set's probes are random: load the slot a few rows ahead.
                if index + 12 < count {
                    let ahead = table[index + 12]
                    if ahead.clean, mainland { seen.prefetch(mainland: ahead.phone) }
                }
                let record = table[index]
                let line = base + Int(record.line)
                let start = Int(record.start)
                guard record.clean else {
                    swap(&seen, &state.seen)
                    defer { swap(&seen, &state.seen) }
                    guard try checkSetAside(bytes, start: start, line: line, context: context, state: &state, collector: &collector, accept: accept) else {
                        stop = true
                        return
                    }
                    continue
                }
                state.summary.read += 1
                let phone = mainland ? PhoneNumber.mainland(record.phone) : phones.number(key: record.phone)
                if let reason = Self.admit(phone, screening: state.screening, seen: &seen, summary: &state.summary) {
                    if reason == .duplicate {
                        noteDuplicate(phone, at: Self.location(try? format.preciseRow(bytes, start: start, line: line, columns: columns), context.rules.phoneIndex, file: file, line: line),
                                      file: file, state: &state, collector: &collector)
                    }
                    continue
                }
                let length = Int(record.length)
                let encoding = record.gsm7 ? MessageEncoding.gsm7 : .ucs2
                let segments = counting?.segments(length: length, encoding: encoding) ?? 0
                state.summary.toSend += 1
                if segments > 1, state.summary.firstMultiSegmentRow == nil, fixedSegments <= 1 {
                    state.summary.firstMultiSegmentRow = Self.location(try? format.preciseRow(bytes, start: start, line: line, columns: columns), 0, file: file, line: line)
                }
                if segments > 0 {
                    if segments < pass.histogram.count { pass.histogram[segments] += 1 } else { state.summary.segmentHistogram[segments, default: 0] += 1 }
                    state.summary.totalSegments += segments
                }
                let callingCode = mainland ? 86 : CallingCodes.callingCode(ofValue: record.phone) ?? 0
                if !mainland { state.summary.countries[callingCode, default: CountryCount()].add(segments: segments) }
                let full = FullRecipient(bytes: bytes, start: start, line: line, phone: phone, length: length, segments: segments, encoding: encoding,
                                         maker: Unmanaged.passUnretained(pass.maker))
                let ahead = index + 8 < count ? table[index + 8].key : 0
                try fast(FastRecipient(phone: record.phone, callingCode: callingCode, length: length, segments: segments, sourceIndex: context.sourceIndex,
                                       line: line, key: record.key, fragment: table.fragment(index), aheadKey: ahead), full)
            }
        }
        return !stop
    }

    /// A row the scan did not pass, through the precise reader and the full check; false when it
    /// cannot be read (the failure is reported).
    private func checkSetAside<Failure: Error>(_ bytes: UnsafeBufferPointer<UInt8>, start: Int, line: Int, context: SourceContext, state: inout PassState,
                                               collector: inout DiagnosticCollector, accept: (AcceptedRecipient) throws(Failure) -> Void) throws(Failure) -> Bool {
        let parsed: RecipientRow?
        do throws(RecipientSourceError) {
            parsed = try context.format.preciseRow(bytes, start: start, line: line, columns: context.header.columns)
        } catch {
            collector.report(.sourceFailure(context.spec, error, at: context.yaml))
            return false
        }
        guard let row = parsed else { return true }
        try checkRow(row, context, state: &state, collector: &collector, accept: accept, setAside: nil)
        return true
    }

    /// Where field `index` of `row` starts, or the start of `line` where the row is unknown.
    private static func location(_ row: RecipientRow?, _ index: Int, file: String, line: Int) -> SourceLocation {
        let position = row.flatMap { index < $0.positions.count ? $0.positions[index] : nil } ?? SourcePosition(line: line, column: 1)
        return SourceLocation(file: file, range: SourceRange(at: position))
    }

    /// Where each of `keys` first appears in the source `spec`, read fast.
    /// Only rows that were recipients count: a row left out as invalid holds no number.
    func firstOccurrencesFast(in spec: RecipientSourceSpec, keys: Set<UInt64>, exclusions: PhoneSet, counting: MessageCounting?, constants: [String],
                              found: inout [UInt64: SourceLocation]) async {
        let format = spec.kind.format
        let source = format.makeSource(spec, columns: wantedColumns(spec), access: recipients.access, campaignPath: campaignPath)
        guard let header = try? source.open().header, let phoneIndex = header.columns.firstIndex(of: spec.phoneColumn.value) else { return }
        let (rules, _) = rowRules(header: header, format: format, phoneIndex: phoneIndex, counting: counting, phones: phones)
        let file = spec.resolvedPath
        let total = keys.count
        func take(_ row: RecipientRow) -> Bool {
            guard rules.fieldCountProblem(row, at: SourceLocation(file: file, range: SourceRange(at: SourcePosition(line: row.line, column: 1)))) == nil,
                  case .accepted(let phone) = rules.phones.judge(row.fields[phoneIndex]),
                  keys.contains(phone.key), found[phone.key] == nil, !exclusions.contains(phone),
                  rules.values(of: row, constants: constants, location: { _ in SourceLocation(file: file, range: SourceRange(at: SourcePosition(line: row.line, column: 1))) },
                               report: { _ in }).valid else { return true }
            found[phone.key] = SourceLocation(file: file, range: SourceRange(at: row.positions[phoneIndex]))
            return found.count < total
        }
        let rowColumns = header.columns
        // Most numbers are not among the duplicated ones: a bit per 64 Ki buckets says so without hashing.
        var filter = [UInt64](repeating: 0, count: 1024)
        for key in keys { filter[Int(key & 0xFFFF) >> 6] |= 1 << (key & 63) }
        _ = await scanChunks(spec: spec, format: format, rules: rules, rows: { (chunk: inout ScannedChunk, base: Int) -> Bool in
            let table = chunk.rows
            return chunk.bytes.withUnsafeBufferPointer { bytes in
                for index in 0..<table.count {
                    let record = table[index]
                    let line = base + Int(record.line)
                    if record.clean {
                        guard filter[Int(record.phone & 0xFFFF) >> 6] & (1 << (record.phone & 63)) != 0 else { continue }
                        let phone = rules.phones.number(key: record.phone)
                        guard keys.contains(phone.key), found[phone.key] == nil, !exclusions.contains(phone) else { continue }
                    }
                    guard let row = try? format.preciseRow(bytes, start: Int(record.start), line: line, columns: rowColumns) else {
                        if record.clean { continue }
                        return false
                    }
                    if !take(row) { return false }
                }
                return true
            }
        }, row: { (row: RecipientRow) -> Bool in take(row) }, failure: { _ in })
    }

    /// Reads `spec` in chunks, scans them in parallel and hands them to `rows` in file order, with
    /// the line of each chunk's start; rows the fast reader cannot judge, and chunks that start
    /// inside a record, go through the precise reader, whose rows go to `row`. A read failure ends
    /// the source through `failure`. Returns false when the fast reader cannot read this source
    /// (its header runs past the first chunk) before any row was handed on.
    func scanChunks<Failure: Error>(spec: RecipientSourceSpec, format: any SourceFormat, rules: RowRules,
                                    rows: (inout ScannedChunk, Int) throws(Failure) -> Bool,
                                    row: (RecipientRow) throws(Failure) -> Bool,
                                    failure: (RecipientSourceError) -> Void) async throws(Failure) -> Bool {
        guard let feed = try? format.feed(spec, access: recipients.access, campaignPath: campaignPath, target: chunkBytes),
              let firstPiece = feed.next(), let first = format.rowsStart(in: firstPiece) else { return false }
        var merge = ChunkMerge(format: format, rules: rules, firstLine: first.line)
        var thrown: Failure?
        let limit = Self.chunksInFlight
        await withTaskGroup(of: ScannedPiece.self) { group in
            var submitted = 0
            var merged = 0
            var pending: [Int: ScannedPiece] = [:]
            var piece: ChunkFeed.Piece? = firstPiece
            while !merge.stopped {
                while submitted - merged < limit, let next = piece {
                    let index = submitted, start = submitted == 0 ? first.offset : 0
                    submitted += 1
                    group.addTask {
                        var chunk = ScannedChunk(bytes: next.bytes, isFinal: next.isFinal)
                        RowScanner.scan(&chunk, from: start, crFinal: next.crFinal, rules: rules, format: format)
                        return ScannedPiece(index: index, chunk: chunk, crFinal: next.crFinal, failure: next.failure, error: next.error)
                    }
                    piece = feed.next()
                }
                if let ready = pending.removeValue(forKey: merged) {
                    merged += 1
                    do throws(Failure) {
                        try merge.merge(ready, rows: rows, row: row, failure: failure)
                    } catch {
                        thrown = error
                        break
                    }
                    continue
                }
                guard let result = await group.next() else { break }
                pending[result.index] = result
            }
            group.cancelAll()
        }
        if let thrown { throw thrown }
        return true
    }
}
