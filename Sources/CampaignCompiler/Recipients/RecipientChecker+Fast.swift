#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import YAMLSyntax

/// A recipient accepted by the fast reader: what a plan needs, without a string per value.
struct FastRecipient {
    /// The mainland number.
    var phone: UInt64
    var length: Int
    var segments: Int
    var sourceIndex: Int
    var line: Int
    /// The value set's key (`FrequentSets.key`), when the checker renders plan rows with columns.
    var key: UInt64
    /// The plan row `["phone","source",values…]` (or `["phone","source"]` when grouped), valid
    /// only during the call.
    var fragment: UnsafeBufferPointer<UInt8>
    /// The key of a row a few ahead (0 if none), for the counter to load its slot early.
    var aheadKey: UInt64
}

/// Takes each recipient the fast reader accepted, and a way to make its full `AcceptedRecipient`.
typealias FastSink<Failure: Error> = (FastRecipient, FullRecipient) throws(Failure) -> Void

/// Makes the `AcceptedRecipient` of a row the fast reader accepted, where one is wanted (a sample
/// message): the row is parsed again by the full parser. Costs nothing until asked.
struct FullRecipient {
    fileprivate let bytes: UnsafeBufferPointer<UInt8>
    fileprivate let start: Int
    fileprivate let line: Int
    fileprivate let phone: PhoneNumber
    fileprivate let length: Int
    fileprivate let segments: Int
    fileprivate let maker: Unmanaged<RowMaterializer>

    /// The full recipient (only during the sink's call).
    func make() -> AcceptedRecipient {
        let maker = maker.takeUnretainedValue()
        var values = maker.constants
        if let row = try? RecipientChecker.preciseRow(bytes, start: start, line: line, format: maker.format, columns: maker.columns) {
            for binding in maker.bindings where binding.index < row.fields.count {
                let value = row.fields[binding.index]
                values[binding.position] = value.isEmpty ? binding.fallback ?? value : value
            }
        }
        return AcceptedRecipient(phone: phone, values: values, length: length, segments: segments, sourceIndex: maker.sourceIndex, line: line)
    }
}

/// What makes a full recipient out of a row of one source.
final class RowMaterializer {
    struct Binding {
        var index: Int
        var position: Int
        var fallback: String?
    }

    let format: RowRules.Format
    let columns: [String]
    let bindings: [Binding]
    let constants: [String]
    let sourceIndex: Int

    init(format: RowRules.Format, columns: [String], bindings: [Binding], constants: [String], sourceIndex: Int) {
        self.format = format
        self.columns = columns
        self.bindings = bindings
        self.constants = constants
        self.sourceIndex = sourceIndex
    }
}

/// How the checker writes plan rows for the fast path.
struct PlanRendering: Sendable {
    /// Only phone and source per row: every parameter is a constant.
    var grouped: Bool
}

extension ByteReader.Failure: @unchecked Sendable {}

extension RecipientChecker {
    /// Chunks scanned at once: enough to keep both cores busy while the merge runs, few enough
    /// to bound memory (each holds about 1 MiB of text and what was found in it).
    static var chunksInFlight: Int { max(2, ProcessInfo.processInfo.activeProcessorCount) * 2 + 1 }

    /// The rules the fast reader checks a row of this source against.
    private func rowRules(_ context: SourceContext, format: RowRules.Format, fixedLength: Int?) -> RowRules {
        var bindings: [RowRules.Binding] = []
        for binding in context.bindings {
            guard let index = binding.index else { continue }
            bindings.append(RowRules.Binding(index: index, position: binding.position, type: binding.parameter.type.value, hasFallback: binding.parameter.defaultValue != nil,
                                             fallbackLength: binding.parameter.defaultValue.map { MessageLength.characters($0.value) } ?? 0))
        }
        var render: RowRules.Render?
        if let planRendering {
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
            render = RowRules.Render(source: source, constants: constants, grouped: planRendering.grouped, constantBytes: constantBytes, fallbacks: fallbacks)
        }
        let keys = format == .jsonl ? context.header.columns.map { Array($0.utf8) } : []
        return RowRules(format: format, mode: .check, columnCount: context.header.columns.count, keys: keys, phoneIndex: context.phoneIndex,
                        bindings: bindings, fixedLength: fixedLength, render: render)
    }

    /// Checks a CSV or JSON Lines source with the fast reader; false when it cannot be used, before
    /// any row was counted.
    func checkRowsFast<Failure: Error>(_ context: SourceContext, state: inout PassState, collector: inout DiagnosticCollector,
                                       accept: (AcceptedRecipient) throws(Failure) -> Void, fast: FastSink<Failure>) async throws(Failure) -> Bool {
        let format = Self.format(context.spec.kind)
        let rules = rowRules(context, format: format, fixedLength: state.fixedLength)
        let file = context.file
        let fixedSegments = MessageLength.segments(forLength: state.fixedLength ?? 0)
        let columns = context.header.columns
        var histogram = [Int](repeating: 0, count: 9)
        defer {
            for (segments, count) in histogram.enumerated() where count > 0 { state.summary.segmentHistogram[segments, default: 0] += count }
        }

        let maker = RowMaterializer(format: format, columns: columns, bindings: context.bindings.compactMap { binding in
            binding.index.map { RowMaterializer.Binding(index: $0, position: binding.position, fallback: binding.parameter.defaultValue?.value) }
        }, constants: state.constants, sourceIndex: context.sourceIndex)

        func location(_ row: RecipientRow?, _ index: Int, line: Int) -> SourceLocation {
            let position = row.flatMap { index < $0.positions.count ? $0.positions[index] : nil } ?? SourcePosition(line: line, column: 1)
            return SourceLocation(file: file, range: SourceRange(at: position))
        }

        var reserved = false
        let sourceIndex = context.sourceIndex
        func rows(_ chunk: inout ScannedChunk, base: Int) throws(Failure) -> Bool {
            let table = chunk.rows
            let count = table.count
            let text = chunk.bytes
            if !reserved, count > 0 {
                // Size the set of numbers seen for the whole file from its first rows, so that
                // it is not rehashed while it fills.
                reserved = true
                var low = 0
                for index in 0..<count where table[index].clean && table[index].phone < 17_000_000_000 { low += 1 }
                var info = stat()
                let size = max(stat(file, &info) == 0 ? Int(info.st_size) : 0, text.count)
                let expected = Int(Double(size) / Double(max(text.count, 1)) * Double(count))
                state.seen.reserve(low: expected * low / count, high: expected * (count - low) / count)
            }
            var stop = false
            // The set of numbers seen is held here while the rows that passed go by, and handed
            // back to the state for every row the full check takes.
            var seen = PhoneSet()
            swap(&seen, &state.seen)
            defer { swap(&seen, &state.seen) }
            let hasExclusions = !state.exclusions.isEmpty
            let hasSuppression = !state.suppression.isEmpty
            let measured = state.fixedLength != nil
            try text.withUnsafeBufferPointer { (bytes) throws(Failure) in
                for index in 0..<count {
                    // The set's probes are random: load the slot a few rows ahead.
                    if index + 12 < count {
                        let ahead = table[index + 12]
                        if ahead.clean { seen.prefetch(mainland: ahead.phone) }
                    }
                    let record = table[index]
                    let line = base + Int(record.line)
                    let start = Int(record.start)
                    guard record.clean else {
                        let parsed: RecipientRow?
                        do throws(RecipientSourceError) {
                            parsed = try Self.preciseRow(bytes, start: start, line: line, format: format, columns: columns)
                        } catch {
                            collector.report(.sourceFailure(context.spec, error, at: context.yaml))
                            stop = true
                            return
                        }
                        guard let row = parsed else { continue }
                        swap(&seen, &state.seen)
                        defer { swap(&seen, &state.seen) }
                        try checkRow(row, context, state: &state, collector: &collector, accept: accept, setAside: nil)
                        continue
                    }
                    state.summary.read += 1
                    let phone = PhoneNumber.mainland(record.phone)
                    if hasExclusions, state.exclusions.contains(phone) {
                        state.summary.excluded += 1
                        continue
                    }
                    if hasSuppression, state.suppression.contains(phone) {
                        state.summary.suppressed += 1
                        continue
                    }
                    guard seen.insert(phone) else {
                        state.summary.duplicates += 1
                        if state.duplicatesByFile[file, default: 0] < state.duplicatesKeptPerFile {
                            state.duplicatesByFile[file, default: 0] += 1
                            let row = try? Self.preciseRow(bytes, start: start, line: line, format: format, columns: columns)
                            state.duplicates.append((phone, location(row, context.phoneIndex, line: line)))
                        } else {
                            collector.omit(file: file, id: "recipient-duplicate", severity: .warning)
                        }
                        continue
                    }
                    let length = Int(record.length)
                    let segments = measured ? MessageLength.segments(forLength: length) : 0
                    state.summary.toSend += 1
                    if segments > 1, state.summary.firstMultiSegmentRow == nil, fixedSegments <= 1 {
                        let row = try? Self.preciseRow(bytes, start: start, line: line, format: format, columns: columns)
                        state.summary.firstMultiSegmentRow = location(row, 0, line: line)
                    }
                    if segments > 0 {
                        if segments < histogram.count { histogram[segments] += 1 } else { state.summary.segmentHistogram[segments, default: 0] += 1 }
                        state.summary.totalSegments += segments
                    }
                    let full = FullRecipient(bytes: bytes, start: start, line: line, phone: phone, length: length, segments: segments,
                                             maker: Unmanaged.passUnretained(maker))
                    let ahead = index + 8 < count ? table[index + 8].key : 0
                    try fast(FastRecipient(phone: record.phone, length: length, segments: segments, sourceIndex: sourceIndex,
                                           line: line, key: record.key, fragment: table.fragment(index), aheadKey: ahead), full)
                }
            }
            return !stop
        }

        defer { withExtendedLifetime(maker) {} }
        return try await scanChunks(spec: context.spec, rules: rules, header: format == .csv, rows: rows, row: { (row) throws(Failure) -> Bool in
            try checkRow(row, context, state: &state, collector: &collector, accept: accept, setAside: nil)
            return true
        }, failure: { error in
            collector.report(.sourceFailure(context.spec, error, at: context.yaml))
        })
    }

    /// Where each of `keys` first appears in the CSV or JSON Lines source `spec`, read fast.
    func firstOccurrencesFast(in spec: RecipientSourceSpec, keys: Set<UInt64>, exclusions: PhoneSet, found: inout [UInt64: SourceLocation]) async {
        let columns = [spec.phoneColumn.value]
        let source = spec.makeSource(access: recipients.access, campaignPath: campaignPath)
        guard let header = try? source.open().header, let phoneIndex = header.columns.firstIndex(of: spec.phoneColumn.value) else { return }
        let format = Self.format(spec.kind)
        let rules = RowRules(format: format, mode: .phones, columnCount: header.columns.count, keys: format == .jsonl ? columns.map { Array($0.utf8) } : [],
                             phoneIndex: phoneIndex, bindings: [], fixedLength: nil, render: nil)
        let file = spec.resolvedPath
        let total = keys.count
        func take(_ row: RecipientRow) -> Bool {
            guard row.fields.count == header.columns.count, case .success(let phone) = PhoneNumber.parse(row.fields[phoneIndex]),
                  keys.contains(phone.key), found[phone.key] == nil, !exclusions.contains(phone) else { return true }
            found[phone.key] = SourceLocation(file: file, range: SourceRange(at: row.positions[phoneIndex]))
            return found.count < total
        }
        let rowColumns = format == .jsonl ? columns : header.columns
        // Most numbers are not among the duplicated ones: a bit per 64 Ki buckets says so without hashing.
        var filter = [UInt64](repeating: 0, count: 1024)
        for key in keys { filter[Int(key & 0xFFFF) >> 6] |= 1 << (key & 63) }
        _ = await scanChunks(spec: spec, rules: rules, header: format == .csv, rows: { (chunk: inout ScannedChunk, base: Int) -> Bool in
            let table = chunk.rows
            return chunk.bytes.withUnsafeBufferPointer { bytes in
                for index in 0..<table.count {
                    let record = table[index]
                    let line = base + Int(record.line)
                    if record.clean {
                        guard filter[Int(record.phone & 0xFFFF) >> 6] & (1 << (record.phone & 63)) != 0 else { continue }
                        let phone = PhoneNumber.mainland(record.phone)
                        guard keys.contains(phone.key), found[phone.key] == nil, !exclusions.contains(phone) else { continue }
                    }
                    guard let row = try? Self.preciseRow(bytes, start: Int(record.start), line: line, format: format, columns: rowColumns) else {
                        if record.clean { continue }
                        return false
                    }
                    if !take(row) { return false }
                }
                return true
            }
        }, row: { (row: RecipientRow) -> Bool in take(row) }, failure: { _ in })
    }

    static func format(_ kind: RecipientSourceSpec.Kind) -> RowRules.Format {
        switch kind {
        case .csv: .csv
        case .jsonl: .jsonl
        case .sqlite: .fields
        }
    }

    /// The row that starts at `start`, as the full parser reads it (for diagnostics and values).
    static func preciseRow(_ bytes: UnsafeBufferPointer<UInt8>, start: Int, line: Int, format: RowRules.Format, columns: [String]) throws(RecipientSourceError) -> RecipientRow? {
        switch format {
        case .csv:
            var cursor = CSVCursor(line: line, column: 1)
            switch CSVRecordParser.parse(bytes, from: start, end: bytes.count, eof: true, cursor: &cursor, expectedFields: columns.count) {
            case .record(let row, _): return row
            case .failure(let error): throw error
            case .needMore, .end: return nil
            }
        case .jsonl:
            var end = start
            while end < bytes.count, bytes[end] != 0x0A { end += 1 }
            return try JSONLSource.row(line: UnsafeBufferPointer(rebasing: bytes[start..<end]), number: line, columns: columns)
        case .fields:
            return FieldRecords.row(bytes, at: start, line: line).0
        }
    }

    /// One scanned chunk, as a worker hands it back.
    private struct Scanned: Sendable {
        var index: Int
        var chunk: ScannedChunk
        var crFinal: Bool
        var failure: ByteReader.Failure?
        var error: RecipientSourceError?
    }

    /// Reads `spec` in chunks, scans them in parallel and hands them to `rows` in file order, with
    /// the line of each chunk's start; rows the fast reader cannot judge, and chunks that start
    /// inside a record, go through the full parser, whose rows go to `row`. A read failure ends the
    /// source through `failure`. Returns false when the fast reader cannot read this source (its
    /// header runs past the first chunk) before any row was handed on.
    func scanChunks<Failure: Error>(spec: RecipientSourceSpec, rules: RowRules, header: Bool,
                                    rows: (inout ScannedChunk, Int) throws(Failure) -> Bool,
                                    row: (RecipientRow) throws(Failure) -> Bool,
                                    failure: (RecipientSourceError) -> Void) async throws(Failure) -> Bool {
        let feed: any PieceFeed
        do {
            if spec.kind == .sqlite {
                let source = SQLiteSource(path: spec.resolvedPath, query: spec.query?.value ?? "", access: recipients.access, campaignPath: campaignPath)
                feed = SQLiteFeed(query: try source.openQuery(), target: chunkBytes)
            } else {
                feed = try ChunkFeed(path: spec.resolvedPath, gb18030: spec.encoding == .gb18030, access: recipients.access, campaignPath: campaignPath,
                                     target: chunkBytes)
            }
        } catch {
            return false
        }
        guard let firstPiece = feed.next() else { return false }
        // The header record is read by `open()`; the rows start after it.
        var firstStart = 0
        var firstLine = 1
        if header {
            var cursor = CSVCursor()
            let outcome = firstPiece.bytes.withUnsafeBufferPointer { bytes in
                CSVRecordParser.parse(bytes, from: 0, end: bytes.count, eof: firstPiece.isFinal, cursor: &cursor, expectedFields: 8)
            }
            guard case .record(_, let next) = outcome else { return false }
            firstStart = next
            firstLine = cursor.line
        }
        let format = rules.format
        let columns = format == .jsonl ? rules.keys.map { String(decoding: $0, as: UTF8.self) } : []

        var carry: [UInt8] = []
        var carryLine = 0
        var lineBase = firstLine
        var stopped = false
        var thrown: Failure?

        /// The full parser from `offset` in `bytes` to their end: rows go to `row`; returns the
        /// tail (a record the next chunk completes) or nil when the source ended or stopped.
        func precise(_ bytes: [UInt8], from offset: Int, line: Int, isFinal: Bool) throws(Failure) -> (offset: Int, line: Int)? {
            switch format {
            case .csv:
                var cursor = CSVCursor(line: line, column: 1)
                var index = offset
                while true {
                    let outcome = bytes.withUnsafeBufferPointer { buffer in
                        CSVRecordParser.parse(buffer, from: index, end: buffer.count, eof: isFinal, cursor: &cursor, expectedFields: rules.columnCount)
                    }
                    switch outcome {
                    case .record(let parsed, let next):
                        if next - index > RowRules.maxRecordBytes {
                            tooLong(line: parsed.line)
                            return nil
                        }
                        index = next
                        guard try row(parsed) else { stopped = true; return nil }
                    case .end:
                        lineBase = cursor.line
                        return nil
                    case .needMore(let next):
                        lineBase = cursor.line
                        return next == bytes.count ? nil : (next, cursor.line)
                    case .failure(let error):
                        failure(error)
                        stopped = true
                        return nil
                    }
                }
            case .jsonl:
                var index = offset
                var number = line
                while index < bytes.count {
                    var end = index
                    while end < bytes.count, bytes[end] != 0x0A { end += 1 }
                    if end == bytes.count, !isFinal { return (index, number) }
                    if end - index > RowRules.maxRecordBytes, !bytes[index..<end].contains(0) {
                        tooLong(line: number)
                        return nil
                    }
                    let parsed: RecipientRow?
                    do {
                        parsed = try bytes.withUnsafeBufferPointer { (buffer) throws(RecipientSourceError) -> RecipientRow? in
                            try JSONLSource.row(line: UnsafeBufferPointer(rebasing: buffer[index..<end]), number: number, columns: columns)
                        }
                    } catch {
                        failure(error)
                        stopped = true
                        return nil
                    }
                    if let parsed {
                        guard try row(parsed) else { stopped = true; return nil }
                    }
                    index = end + 1
                    number += 1
                }
                lineBase = number
                return nil
            case .fields:
                // Whole records only: the fast reader never gives these up.
                var index = offset
                var number = line
                while index + 4 <= bytes.count {
                    let (parsed, next) = bytes.withUnsafeBufferPointer { FieldRecords.row($0, at: index, line: number) }
                    guard try row(parsed) else { stopped = true; return nil }
                    index = next
                    number += 1
                }
                lineBase = number
                return nil
            }
        }

        func tooLong(line: Int) {
            failure(format == .csv
                ? RecipientSourceError(.longRow, "has a row over 1 MiB starting here; a closing quote may be missing, or this is not a CSV file",
                                       at: SourcePosition(line: line, column: 1))
                : RecipientSourceError(.longRow, "has a line over 1 MiB; JSON Lines holds one small object per line", at: SourcePosition(line: line, column: 1)))
            stopped = true
        }

        /// Merges one chunk, in file order.
        func merge(_ scanned: Scanned) throws(Failure) {
            var chunk = scanned.chunk
            var base = lineBase
            if !carry.isEmpty {
                // The chunk before ended inside a record: scan again from that record's start.
                var joined = ScannedChunk(bytes: carry + chunk.bytes, isFinal: chunk.isFinal)
                RowScanner.scan(&joined, from: 0, crFinal: scanned.crFinal, rules: rules)
                chunk = joined
                base = carryLine
                carry = []
            }
            guard try rows(&chunk, base) else {
                stopped = true
                return
            }
            switch chunk.tail {
            case .complete(let lines):
                lineBase = base + lines
            case .incomplete(let offset, let line):
                carry = Array(chunk.bytes[offset...])
                carryLine = base + line
            case .giveUp(let offset, let line):
                if let rest = try precise(chunk.bytes, from: offset, line: base + line, isFinal: chunk.isFinal) {
                    carry = Array(chunk.bytes[rest.offset...])
                    carryLine = rest.line
                }
            case .tooLong(_, let line):
                tooLong(line: base + line)
            }
            if !stopped, !carry.isEmpty, carry.count > RowRules.maxRecordBytes {
                if carry.contains(0) {
                    _ = try precise(carry, from: 0, line: carryLine, isFinal: true)
                    stopped = true
                } else {
                    tooLong(line: carryLine)
                }
            }
            if !stopped, let error = scanned.error {
                failure(error)
                stopped = true
            }
            if !stopped, let error = scanned.failure {
                // Reading stopped: the error stands where the unread record starts.
                var position = SourcePosition(line: carry.isEmpty ? lineBase : carryLine, column: 1)
                if format == .csv, !carry.isEmpty {
                    var cursor = CSVCursor(line: carryLine, column: 1)
                    _ = carry.withUnsafeBufferPointer { CSVRecordParser.parse($0, from: 0, end: $0.count, eof: false, cursor: &cursor, expectedFields: rules.columnCount) }
                    position = SourcePosition(line: cursor.line, column: cursor.column)
                }
                switch error {
                case .unreadable:
                    failure(RecipientSourceError(.unreadable, "a read failed", at: position))
                case .encoding(let offset):
                    failure(RecipientSourceError(.encoding, "is not valid GB18030 at byte \(offset)", at: position))
                }
                stopped = true
            }
        }

        let limit = Self.chunksInFlight
        await withTaskGroup(of: Scanned.self) { group in
            var submitted = 0
            var merged = 0
            var pending: [Int: Scanned] = [:]
            var piece: ChunkFeed.Piece? = firstPiece
            func submit(_ piece: ChunkFeed.Piece, from start: Int) {
                let index = submitted
                submitted += 1
                group.addTask {
                    var chunk = ScannedChunk(bytes: piece.bytes, isFinal: piece.isFinal)
                    RowScanner.scan(&chunk, from: start, crFinal: piece.crFinal, rules: rules)
                    return Scanned(index: index, chunk: chunk, crFinal: piece.crFinal, failure: piece.failure, error: piece.error)
                }
            }
            while !stopped {
                while submitted - merged < limit, let next = piece {
                    submit(next, from: submitted == 0 ? firstStart : 0)
                    piece = feed.next()
                }
                if let ready = pending.removeValue(forKey: merged) {
                    merged += 1
                    do throws(Failure) {
                        try merge(ready)
                    } catch {
                        thrown = error
                        stopped = true
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
