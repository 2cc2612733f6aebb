import YAMLSyntax

/// What the fast row reader needs to know to check a row on its own, away from the other rows:
/// the columns, and every rule of a parameter value. What depends on earlier rows (duplicates,
/// exclusions, counts, diagnostics) is left to the reader's merge, in file order.
struct RowRules: Sendable {
    /// CSV and JSON Lines text, or rows already split into fields (`FieldRecords`, from SQLite).
    enum Format: Sendable { case csv, jsonl, fields }

    /// Check rows (validate, plan), or only read their numbers (finding where a duplicate first
    /// appeared).
    enum Mode: Sendable { case check, phones }

    struct Binding: Sendable {
        /// The field the value is read from.
        var index: Int
        /// The parameter's position, where the value goes.
        var position: Int
        var type: ParameterType
        /// Whether the parameter has a default, used where the field is empty (its bytes are in
        /// `Render.fallbacks`).
        var hasFallback: Bool
        /// The default's length in UTF-16 units.
        var fallbackLength: Int
    }

    /// How an accepted row is written into the plan, ready to copy: `["phone","source",values…]`,
    /// or `["phone","source"]` when every recipient shares the constants.
    struct Render: Sendable {
        /// The source index as a JSON string.
        var source: [UInt8]
        /// Per parameter position: the constant as a JSON string, or nil where a column binds it.
        var constants: [[UInt8]?]
        /// Only phone and source (all parameters constant).
        var grouped: Bool
        /// The constants' raw bytes, for the value-set key.
        var constantBytes: [[UInt8]?]
        /// Per parameter position: the default's raw bytes, for an empty field.
        var fallbacks: [[UInt8]?]
    }

    var format: Format
    var mode: Mode
    /// The header's column count (CSV): a row with another count is set aside for the full check.
    var columnCount: Int
    /// The JSON Lines keys read, as UTF-8 (the columns).
    var keys: [[UInt8]]
    var phoneIndex: Int
    var bindings: [Binding]
    /// The sign name, 【】 and the template's fixed text, in UTF-16 units; nil where the template
    /// cannot be measured.
    var fixedLength: Int?
    /// Plan lines to render for accepted rows; nil for validate.
    var render: Render?

    /// The longest record or line read.
    static let maxRecordBytes = 1 << 20
}

/// The rows of one chunk of a file as the fast reader found them: for each row where it starts
/// and on which line, whether every check passed (then its number, length and plan fragment), or
/// whether the full check must look at it. Rows that passed cost no allocation of their own.
struct ScannedChunk: Sendable {
    /// How the chunk's bytes ended.
    enum Tail: Sendable, Equatable {
        /// At a record boundary, `lines` lines after the chunk's first.
        case complete(lines: Int)
        /// Inside a record that the next chunk completes, which starts at `offset` on `line`.
        case incomplete(offset: Int, line: Int)
        /// At something only the full parser may judge (an error, or an odd record), from
        /// `offset` on `line` to the chunk's end.
        case giveUp(offset: Int, line: Int)
        /// A record longer than any recipient row, from `offset` on `line`.
        case tooLong(offset: Int, line: Int)
    }

    /// The chunk's text (UTF-8).
    var bytes: [UInt8]
    /// Whether the chunk ends the file.
    var isFinal: Bool
    /// What was found per row, and the plan fragments of the rows that passed.
    var rows: RowTable
    var tail: Tail = .complete(lines: 0)

    var rowCount: Int { rows.count }

    init(bytes: [UInt8], isFinal: Bool) {
        self.bytes = bytes
        self.isFinal = isFinal
        rows = RowTable(rows: 0, bytes: 0)
    }
}

/// What the fast reader found about one row.
struct RowRecord {
    /// The byte offset where the row starts in its chunk.
    var start: Int32
    /// The row's line, counted from the chunk's first line (0).
    var line: Int32
    /// The message length in UTF-16 units (rows that passed).
    var length: Int32
    /// Where the row's plan fragment ends in the table's bytes.
    var fragmentEnd: Int32
    /// The mainland number (rows that passed).
    var phone: UInt64
    /// The value set's key (rows that passed, when rendering with column values).
    var key: UInt64
    /// Whether every check passed.
    var clean: Bool
}

/// Rows and plan fragments in memory of their own, appended without the copy-on-write checks an
/// array append makes (a few per row add up to a tenth of the scan). Written by one task, then
/// handed to the merge and only read.
final class RowTable: @unchecked Sendable, PlanByteSink {
    private(set) var count = 0
    private var capacity: Int
    private var records: UnsafeMutablePointer<RowRecord>
    private(set) var byteCount = 0
    private var byteCapacity: Int
    private var storage: UnsafeMutablePointer<UInt8>

    init(rows: Int, bytes: Int) {
        capacity = max(rows, 16)
        records = .allocate(capacity: capacity)
        byteCapacity = max(bytes, 64)
        storage = .allocate(capacity: byteCapacity)
    }

    deinit {
        records.deallocate()
        storage.deallocate()
    }

    @inline(__always)
    func append(_ record: RowRecord) {
        if count == capacity {
            let larger = UnsafeMutablePointer<RowRecord>.allocate(capacity: capacity * 2)
            larger.moveInitialize(from: records, count: count)
            records.deallocate()
            records = larger
            capacity *= 2
        }
        (records + count).initialize(to: record)
        count += 1
    }

    @inline(__always)
    subscript(index: Int) -> RowRecord {
        precondition(index >= 0 && index < count)
        return records[index]
    }

    /// The plan fragment of row `index`, valid while the table lives.
    func fragment(_ index: Int) -> UnsafeBufferPointer<UInt8> {
        let from = index == 0 ? 0 : Int(self[index - 1].fragmentEnd)
        return UnsafeBufferPointer(start: storage + from, count: Int(self[index].fragmentEnd) - from)
    }

    @inline(__always)
    private func reserveBytes(_ extra: Int) {
        guard byteCount + extra > byteCapacity else { return }
        let size = max(byteCapacity * 2, byteCount + extra)
        let larger = UnsafeMutablePointer<UInt8>.allocate(capacity: size)
        larger.initialize(from: storage, count: byteCount)
        storage.deallocate()
        storage = larger
        byteCapacity = size
    }

    @inline(__always)
    func appendByte(_ byte: UInt8) {
        reserveBytes(1)
        storage[byteCount] = byte
        byteCount += 1
    }

    @inline(__always)
    func appendBytes(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return }
        reserveBytes(bytes.count)
        (storage + byteCount).update(from: base, count: bytes.count)
        byteCount += bytes.count
    }

    func appendBytes(_ bytes: [UInt8]) {
        bytes.withUnsafeBufferPointer { appendBytes($0) }
    }
}

/// The fast reader of CSV and JSON Lines rows: a scan over a chunk of bytes that records field
/// boundaries without making strings, and checks each row against `RowRules` at once. Anything
/// unusual is left to the full parser (`CSVRecordParser`, `JSONLSource`), which defines the format:
/// this scan must agree with it on every row it accepts, and a differential fuzz test holds it to that.
enum RowScanner {
    /// Scans `chunk.bytes[start...]`; `crFinal` says a carriage return at the very end is a whole
    /// line break (the byte after the chunk is not a line feed).
    static func scan(_ chunk: inout ScannedChunk, from start: Int, crFinal: Bool, rules: RowRules) {
        let expected = max(chunk.bytes.count / 24, 16)
        let renders = rules.mode == .check && rules.render != nil
        chunk.rows = RowTable(rows: expected, bytes: renders ? chunk.bytes.count + chunk.bytes.count / 2 : 0)
        var result = chunk
        chunk = ScannedChunk(bytes: [], isFinal: chunk.isFinal)
        let text = result.bytes
        text.withUnsafeBufferPointer { bytes in
            var row = RowBuilder(rules: rules)
            defer { row.release() }
            switch rules.format {
            case .csv: scanCSV(bytes, from: start, eof: result.isFinal, crFinal: crFinal || result.isFinal, rules: rules, row: &row, into: &result)
            case .jsonl: scanJSONL(bytes, from: start, eof: result.isFinal, rules: rules, row: &row, into: &result)
            case .fields: scanFields(bytes, rules: rules, row: &row, into: &result)
            }
        }
        chunk = result
    }

    // MARK: - CSV

    private static func scanCSV(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, eof: Bool, crFinal: Bool, rules: RowRules,
                                row: inout RowBuilder, into chunk: inout ScannedChunk) {
        let end = bytes.count
        var index = start
        var line = 0
        while true {
            let blankStart = index, blankLine = line
            while index < end, bytes[index] == 0x0A || bytes[index] == 0x0D {
                if bytes[index] == 0x0D {
                    if index + 1 < end, bytes[index + 1] == 0x0A {
                        index += 1
                    } else if index + 1 == end, !crFinal {
                        chunk.tail = .incomplete(offset: blankStart, line: blankLine)
                        return
                    }
                }
                index += 1
                line += 1
            }
            if index == end {
                chunk.tail = .complete(lines: line)
                return
            }
            let rowStart = index, rowLine = line
            row.reset()
            fields: while true {
                let fieldStart: Int
                let fieldEnd: Int
                var nonASCII = false
                if index < end, bytes[index] == 0x22 {
                    index += 1
                    let contentStart = index
                    var escaped = false
                    var closed = false
                    while index < end {
                        let byte = bytes[index]
                        if byte == 0x22 {
                            if index + 1 < end, bytes[index + 1] == 0x22 {
                                escaped = true
                                index += 2
                                continue
                            }
                            if index + 1 == end, !eof { break }
                            closed = true
                            break
                        }
                        if byte >= 0x80 {
                            nonASCII = true
                        } else if byte == 0x0A {
                            line += 1
                        } else if byte == 0x0D {
                            if index + 1 < end, bytes[index + 1] == 0x0A {
                                // Counted at the line feed.
                            } else if index + 1 == end, !crFinal {
                                break
                            } else {
                                line += 1
                            }
                        } else if byte == 0 {
                            chunk.tail = .giveUp(offset: rowStart, line: rowLine)
                            return
                        }
                        index += 1
                    }
                    if !closed {
                        if eof {
                            chunk.tail = .giveUp(offset: rowStart, line: rowLine)
                        } else {
                            chunk.tail = tooLongOr(.incomplete(offset: rowStart, line: rowLine), start: rowStart, end: end, line: rowLine)
                        }
                        return
                    }
                    let contentEnd = index
                    index += 1
                    // Text after the closing quote, kept by the full parser as spreadsheets do.
                    if index < end, bytes[index] != 0x2C, bytes[index] != 0x0A, bytes[index] != 0x0D {
                        chunk.tail = .giveUp(offset: rowStart, line: rowLine)
                        return
                    }
                    if escaped {
                        (fieldStart, fieldEnd) = row.unescape(UnsafeBufferPointer(rebasing: bytes[contentStart..<contentEnd]))
                    } else {
                        fieldStart = contentStart
                        fieldEnd = contentEnd
                    }
                } else {
                    fieldStart = index
                    while index < end {
                        let byte = bytes[index]
                        if byte == 0x2C || byte == 0x0A || byte == 0x0D { break }
                        if byte < 0x20 {
                            if byte == 0 {
                                chunk.tail = .giveUp(offset: rowStart, line: rowLine)
                                return
                            }
                        } else if byte >= 0x80 {
                            nonASCII = true
                        }
                        index += 1
                    }
                    fieldEnd = index
                }
                if index == end, !eof {
                    chunk.tail = tooLongOr(.incomplete(offset: rowStart, line: rowLine), start: rowStart, end: end, line: rowLine)
                    return
                }
                if nonASCII {
                    let valid = fieldStart >= 0 ? YAMLParser.firstInvalidUTF8Byte(in: UnsafeBufferPointer(rebasing: bytes[fieldStart..<fieldEnd])) == nil
                        : row.scratchIsUTF8(fieldStart, fieldEnd)
                    if !valid {
                        chunk.tail = .giveUp(offset: rowStart, line: rowLine)
                        return
                    }
                }
                row.addField(fieldStart, fieldEnd)
                if index < end, bytes[index] == 0x2C {
                    index += 1
                    continue fields
                }
                if index < end {
                    if bytes[index] == 0x0D {
                        if index + 1 == end, !crFinal {
                            chunk.tail = .incomplete(offset: rowStart, line: rowLine)
                            return
                        }
                        if index + 1 < end, bytes[index + 1] == 0x0A { index += 1 }
                    }
                    index += 1
                    line += 1
                }
                break fields
            }
            if index - rowStart > RowRules.maxRecordBytes {
                chunk.tail = .tooLong(offset: rowStart, line: rowLine)
                return
            }
            row.finish(bytes, start: rowStart, line: rowLine, into: &chunk)
        }
    }

    /// An incomplete record that is already too long to be a recipient row is an error at once.
    private static func tooLongOr(_ tail: ScannedChunk.Tail, start: Int, end: Int, line: Int) -> ScannedChunk.Tail {
        end - start > RowRules.maxRecordBytes ? .tooLong(offset: start, line: line) : tail
    }

    // MARK: - Pre-split records

    /// Records of `FieldRecords`, one per line (a query's row number is its line).
    private static func scanFields(_ bytes: UnsafeBufferPointer<UInt8>, rules: RowRules, row: inout RowBuilder, into chunk: inout ScannedChunk) {
        var index = 0
        var line = 0
        while index + 4 <= bytes.count {
            let start = index
            let fieldCount = FieldRecords.count(bytes, at: index)
            index += 4
            row.reset()
            for _ in 0..<fieldCount {
                let length = FieldRecords.count(bytes, at: index)
                row.addField(index + 4, index + 4 + length)
                index += 4 + length
            }
            row.finish(bytes, start: start, line: line, into: &chunk)
            line += 1
        }
        chunk.tail = .complete(lines: line)
    }

    // MARK: - JSON Lines

    private static func scanJSONL(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, eof: Bool, rules: RowRules,
                                  row: inout RowBuilder, into chunk: inout ScannedChunk) {
        let end = bytes.count
        var index = start
        var line = 0
        while index < end {
            let lineStart = index
            var lineEnd = index
            var nonASCII = false
            var nul = false
            while lineEnd < end, bytes[lineEnd] != 0x0A {
                let byte = bytes[lineEnd]
                if byte >= 0x80 { nonASCII = true } else if byte == 0 { nul = true }
                lineEnd += 1
            }
            if lineEnd == end, !eof {
                if nul {
                    chunk.tail = .giveUp(offset: lineStart, line: line)
                } else {
                    chunk.tail = tooLongOr(.incomplete(offset: lineStart, line: line), start: lineStart, end: end, line: line)
                }
                return
            }
            index = lineEnd < end ? lineEnd + 1 : end
            var contentEnd = lineEnd
            if contentEnd > lineStart, bytes[contentEnd - 1] == 0x0D { contentEnd -= 1 }
            if nul {
                chunk.tail = .giveUp(offset: lineStart, line: line)
                return
            }
            if lineEnd - lineStart > RowRules.maxRecordBytes {
                chunk.tail = .tooLong(offset: lineStart, line: line)
                return
            }
            let content = UnsafeBufferPointer(rebasing: bytes[lineStart..<contentEnd])
            var blank = true
            for byte in content where byte != 0x20 && byte != 0x09 {
                blank = false
                break
            }
            if blank {
                line += 1
                continue
            }
            if nonASCII, YAMLParser.firstInvalidUTF8Byte(in: content) != nil {
                chunk.tail = .giveUp(offset: lineStart, line: line)
                return
            }
            row.reset()
            if JSONObjectScanner.fields(bytes, from: lineStart, to: contentEnd, keys: rules.keys, row: &row) {
                row.finish(bytes, start: lineStart, line: line, into: &chunk)
            } else {
                row.setAside(start: lineStart, line: line, into: &chunk)
            }
            line += 1
        }
        chunk.tail = .complete(lines: line)
    }
}

/// One row's fields as offsets into the chunk (or, negative, into `scratch` for values that had
/// to be unescaped), and the per-row check once they are all found.
struct RowBuilder {
    let rules: RowRules
    /// Fields past this many are counted, not kept: such a row is left to the full check.
    static let maxFields = 64
    private let starts: UnsafeMutablePointer<Int>
    private let ends: UnsafeMutablePointer<Int>
    private(set) var fieldCount = 0
    private(set) var scratch: [UInt8] = []
    /// Per parameter position, the value of the row being finished (empty: the default).
    private let values: UnsafeMutablePointer<UnsafeBufferPointer<UInt8>>
    private let valueCount: Int
    /// The bindings, copied where reading them costs no reference counting.
    private let bindings: UnsafeMutablePointer<RowRules.Binding>
    private let bindingCount: Int
    /// How plan fragments are written, held for the scan; nil for validate. Used through an
    /// unmanaged reference: a retain per row showed in profiles.
    private let rendererObject: FragmentRenderer?
    private let renderer: Unmanaged<FragmentRenderer>?

    init(rules: RowRules) {
        self.rules = rules
        starts = .allocate(capacity: Self.maxFields)
        ends = .allocate(capacity: Self.maxFields)
        scratch.reserveCapacity(256)
        valueCount = rules.render?.constants.count ?? 0
        values = .allocate(capacity: max(valueCount, 1))
        values.initialize(repeating: UnsafeBufferPointer(start: nil, count: 0), count: max(valueCount, 1))
        bindingCount = rules.bindings.count
        bindings = .allocate(capacity: max(bindingCount, 1))
        rendererObject = rules.mode == .check ? rules.render.map(FragmentRenderer.init) : nil
        renderer = rendererObject.map { Unmanaged.passUnretained($0) }
        let target = bindings, total = bindingCount
        rules.bindings.withUnsafeBufferPointer { source in
            if let base = source.baseAddress { target.initialize(from: base, count: total) }
        }
    }

    /// Frees the buffers (the builder lives for one chunk's scan).
    func release() {
        starts.deallocate()
        ends.deallocate()
        values.deallocate()
        bindings.deallocate()
    }

    @inline(__always)
    mutating func reset() {
        fieldCount = 0
        if !scratch.isEmpty { scratch.removeAll(keepingCapacity: true) }
    }

    @inline(__always)
    mutating func addField(_ start: Int, _ end: Int) {
        if fieldCount < Self.maxFields {
            starts[fieldCount] = start
            ends[fieldCount] = end
        }
        fieldCount += 1
    }

    /// Sets a field by index (JSON Lines, where keys come in any order).
    mutating func setField(_ index: Int, _ start: Int, _ end: Int) {
        while fieldCount <= index { addField(0, 0) }
        starts[index] = start
        ends[index] = end
    }

    /// Copies `bytes` with doubled quotes made single into the scratch buffer; returns the
    /// field's scratch range as negative offsets.
    mutating func unescape(_ bytes: UnsafeBufferPointer<UInt8>) -> (Int, Int) {
        let start = scratch.count
        var index = 0
        while index < bytes.count {
            scratch.append(bytes[index])
            index += bytes[index] == 0x22 ? 2 : 1
        }
        return (-1 - start, -1 - scratch.count)
    }

    mutating func appendScratchByte(_ byte: UInt8) {
        scratch.append(byte)
    }

    var scratchCount: Int { scratch.count }

    func scratchIsUTF8(_ start: Int, _ end: Int) -> Bool {
        scratch.withUnsafeBufferPointer { YAMLParser.firstInvalidUTF8Byte(in: UnsafeBufferPointer(rebasing: $0[(-1 - start)..<(-1 - end)])) == nil }
    }

    /// A row left to the full check.
    func setAside(start: Int, line: Int, into chunk: inout ScannedChunk) {
        chunk.rows.append(RowRecord(start: Int32(truncatingIfNeeded: start), line: Int32(truncatingIfNeeded: line), length: 0,
                                    fragmentEnd: Int32(truncatingIfNeeded: chunk.rows.byteCount), phone: 0, key: 0, clean: false))
    }

    /// Checks the row whose fields were found and records what the merge needs.
    mutating func finish(_ bytes: UnsafeBufferPointer<UInt8>, start: Int, line: Int, into chunk: inout ScannedChunk) {
        let count = fieldCount
        guard count <= Self.maxFields, rules.format == .jsonl || count == rules.columnCount, rules.phoneIndex < count else {
            setAside(start: start, line: line, into: &chunk)
            return
        }
        scratch.withUnsafeBufferPointer { scratch in
            func field(_ index: Int) -> UnsafeBufferPointer<UInt8> {
                let (from, to) = (starts[index], ends[index])
                return from >= 0 ? UnsafeBufferPointer(rebasing: bytes[from..<to]) : UnsafeBufferPointer(rebasing: scratch[(-1 - from)..<(-1 - to)])
            }
            guard let phone = PhoneNumber.mainlandValue(field(rules.phoneIndex)) else {
                setAside(start: start, line: line, into: &chunk)
                return
            }
            var record = RowRecord(start: Int32(truncatingIfNeeded: start), line: Int32(truncatingIfNeeded: line), length: 0, fragmentEnd: 0,
                                   phone: phone, key: 0, clean: true)
            if rules.mode == .phones {
                chunk.rows.append(record)
                return
            }
            var length = rules.fixedLength ?? 0
            for bindingIndex in 0..<bindingCount {
                let binding = bindings[bindingIndex]
                let value = binding.index < count ? field(binding.index) : UnsafeBufferPointer(start: nil, count: 0)
                if value.isEmpty {
                    guard binding.hasFallback else {
                        setAside(start: start, line: line, into: &chunk)
                        return
                    }
                    length += binding.fallbackLength
                    if valueCount > 0 { values[binding.position] = UnsafeBufferPointer(start: nil, count: 0) }
                    continue
                }
                guard let units = ValueRules.cleanLength(value, as: binding.type) else {
                    setAside(start: start, line: line, into: &chunk)
                    return
                }
                length += units
                if valueCount > 0 { values[binding.position] = value }
            }
            if rules.fixedLength != nil, bindingCount > 0, length > MessageLength.maxLength {
                setAside(start: start, line: line, into: &chunk)
                return
            }
            record.length = Int32(truncatingIfNeeded: length)
            if let renderer {
                let sink = TableSink(table: chunk.rows)
                record.key = renderer._withUnsafeGuaranteedRef { $0.render(phone: phone, values: values, into: sink) }
            }
            record.fragmentEnd = Int32(truncatingIfNeeded: chunk.rows.byteCount)
            chunk.rows.append(record)
        }
    }

}

/// Appends to a row table without retaining it per byte (the table outlives every write).
struct TableSink: PlanByteSink {
    let table: Unmanaged<RowTable>

    init(table: RowTable) {
        self.table = .passUnretained(table)
    }

    @inline(__always)
    mutating func appendByte(_ byte: UInt8) { table._withUnsafeGuaranteedRef { $0.appendByte(byte) } }

    @inline(__always)
    mutating func appendBytes(_ bytes: UnsafeBufferPointer<UInt8>) { table._withUnsafeGuaranteedRef { $0.appendBytes(bytes) } }
}

/// Writes plan fragments `["phone","source",values…]`: the constant parts rendered once, held
/// in one block of bytes read without reference counting.
final class FragmentRenderer {
    private let grouped: Bool
    private let positions: Int
    /// All constant pieces, back to back: the source (as JSON), then per position the constant
    /// (as JSON) or the default (raw), each as a range.
    private let storage: UnsafeMutablePointer<UInt8>
    private let source: Range<Int>
    /// Per position: the constant's JSON, its raw bytes, and the default's raw bytes (empty
    /// ranges where absent), and whether it is a constant.
    private let constantJSON: UnsafeMutablePointer<Range<Int>>
    private let constantRaw: UnsafeMutablePointer<Range<Int>>
    private let fallback: UnsafeMutablePointer<Range<Int>>
    private let isConstant: UnsafeMutablePointer<Bool>
    private let hasFallback: UnsafeMutablePointer<Bool>

    init(_ render: RowRules.Render) {
        grouped = render.grouped
        positions = render.constants.count
        var bytes: [UInt8] = render.source
        source = 0..<bytes.count
        func add(_ piece: [UInt8]?) -> Range<Int> {
            let start = bytes.count
            bytes += piece ?? []
            return start..<bytes.count
        }
        let count = max(positions, 1)
        constantJSON = .allocate(capacity: count)
        constantRaw = .allocate(capacity: count)
        fallback = .allocate(capacity: count)
        isConstant = .allocate(capacity: count)
        hasFallback = .allocate(capacity: count)
        for position in 0..<positions {
            (constantJSON + position).initialize(to: add(render.constants[position]))
            (constantRaw + position).initialize(to: add(render.constantBytes[position]))
            (fallback + position).initialize(to: add(render.fallbacks[position]))
            (isConstant + position).initialize(to: render.constants[position] != nil)
            (hasFallback + position).initialize(to: render.fallbacks[position] != nil)
        }
        storage = .allocate(capacity: max(bytes.count, 1))
        bytes.withUnsafeBufferPointer { if let base = $0.baseAddress { storage.initialize(from: base, count: bytes.count) } }
    }

    deinit {
        storage.deallocate()
        constantJSON.deallocate()
        constantRaw.deallocate()
        fallback.deallocate()
        isConstant.deallocate()
        hasFallback.deallocate()
    }

    @inline(__always)
    private func piece(_ range: Range<Int>) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(start: storage + range.lowerBound, count: range.count)
    }

    /// Writes the fragment of a row whose values are `values` (per position; empty where the
    /// default applies) and returns the value set's key.
    func render(phone: UInt64, values: UnsafeMutablePointer<UnsafeBufferPointer<UInt8>>, into sink: TableSink) -> UInt64 {
        var out = sink
        out.appendByte(UInt8(ascii: "["))
        out.appendByte(UInt8(ascii: "\""))
        PhoneNumber.appendDigits(phone, to: &out)
        out.appendByte(UInt8(ascii: "\""))
        out.appendByte(UInt8(ascii: ","))
        out.appendBytes(piece(source))
        var key = ValueSetKey()
        if !grouped {
            for position in 0..<positions {
                out.appendByte(UInt8(ascii: ","))
                let raw: UnsafeBufferPointer<UInt8>
                if isConstant[position] {
                    out.appendBytes(piece(constantJSON[position]))
                    raw = piece(constantRaw[position])
                } else if values[position].isEmpty, hasFallback[position] {
                    // An empty field that takes the parameter's default.
                    raw = piece(fallback[position])
                    PlanJSON.string(raw, into: &out)
                } else {
                    raw = values[position]
                    PlanJSON.string(raw, into: &out)
                }
                key.add(raw)
            }
        }
        out.appendByte(UInt8(ascii: "]"))
        return key.value
    }
}

/// A flat JSON object on one line, read without Foundation: string values (escapes decoded) and
/// plain integers, for the keys asked for. Anything else (floats, booleans, nesting, a key named
/// twice, a malformed line) returns false, and the line goes to `JSONSerialization`.
enum JSONObjectScanner {
    static func fields(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int, keys: [[UInt8]], row: inout RowBuilder) -> Bool {
        @inline(__always) func skipSpace(_ index: inout Int) {
            while index < end, bytes[index] == 0x20 || bytes[index] == 0x09 || bytes[index] == 0x0D || bytes[index] == 0x0A { index += 1 }
        }
        var index = start
        var found = 0
        let keyCount = keys.count
        guard keyCount <= 60 else { return false }
        // Absent keys read as empty fields.
        for column in 0..<keyCount { row.setField(column, 0, 0) }
        skipSpace(&index)
        guard index < end, bytes[index] == 0x7B else { return false }
        index += 1
        skipSpace(&index)
        if index < end, bytes[index] == 0x7D {
            index += 1
            skipSpace(&index)
            return index == end
        }
        while true {
            guard index < end, bytes[index] == 0x22 else { return false }
            index += 1
            let keyStart = index
            while index < end, bytes[index] != 0x22 {
                if bytes[index] == 0x5C || bytes[index] < 0x20 { return false }
                index += 1
            }
            guard index < end else { return false }
            let key = UnsafeBufferPointer(rebasing: bytes[keyStart..<index])
            index += 1
            skipSpace(&index)
            guard index < end, bytes[index] == 0x3A else { return false }
            index += 1
            skipSpace(&index)
            guard index < end else { return false }
            var column = -1
            for (position, wanted) in keys.enumerated() where wanted.count == key.count && wanted.elementsEqual(key) {
                column = position
                break
            }
            let valueStart: Int, valueEnd: Int
            if bytes[index] == 0x22 {
                index += 1
                let contentStart = index
                var escaped = false
                while index < end, bytes[index] != 0x22 {
                    let byte = bytes[index]
                    if byte < 0x20 { return false }
                    if byte == 0x5C {
                        escaped = true
                        index += 2
                        continue
                    }
                    index += 1
                }
                guard index < end else { return false }
                if escaped {
                    guard let range = unescape(UnsafeBufferPointer(rebasing: bytes[contentStart..<index]), row: &row) else { return false }
                    (valueStart, valueEnd) = range
                } else {
                    (valueStart, valueEnd) = (contentStart, index)
                }
                index += 1
            } else {
                // A plain integer: its text is what Foundation's number gives back.
                let numberStart = index
                if bytes[index] == 0x2D { index += 1 }
                let digitsStart = index
                while index < end, bytes[index] >= 0x30, bytes[index] <= 0x39 { index += 1 }
                let digits = index - digitsStart
                guard digits > 0, digits <= 18, !(digits > 1 && bytes[digitsStart] == 0x30),
                      !(bytes[numberStart] == 0x2D && digits == 1 && bytes[digitsStart] == 0x30) else { return false }
                if index < end, bytes[index] == 0x2E || bytes[index] == 0x65 || bytes[index] == 0x45 { return false }
                (valueStart, valueEnd) = (numberStart, index)
            }
            if column >= 0 {
                guard found & (1 << column) == 0 else { return false }
                found |= 1 << column
                row.setField(column, valueStart, valueEnd)
            }
            skipSpace(&index)
            guard index < end else { return false }
            if bytes[index] == 0x2C {
                index += 1
                skipSpace(&index)
                continue
            }
            guard bytes[index] == 0x7D else { return false }
            index += 1
            skipSpace(&index)
            return index == end
        }
    }

    private static func hexValue(_ byte: UInt8) -> UInt32? {
        switch byte {
        case 0x30...0x39: UInt32(byte - 0x30)
        case 0x41...0x46: UInt32(byte - 0x41 + 10)
        case 0x61...0x66: UInt32(byte - 0x61 + 10)
        default: nil
        }
    }

    /// Decodes a JSON string's escapes into the row's scratch buffer; nil for an escape Foundation
    /// would refuse or that needs its judgement (a lone surrogate, a NUL).
    private static func unescape(_ bytes: UnsafeBufferPointer<UInt8>, row: inout RowBuilder) -> (Int, Int)? {
        let start = row.scratchCount
        var index = 0
        func code(at offset: Int) -> UInt32? {
            guard offset + 4 <= bytes.count else { return nil }
            var value: UInt32 = 0
            for position in offset..<(offset + 4) {
                guard let digit = hexValue(bytes[position]) else { return nil }
                value = value << 4 | digit
            }
            return value
        }
        while index < bytes.count {
            let byte = bytes[index]
            guard byte == 0x5C else {
                row.appendScratchByte(byte)
                index += 1
                continue
            }
            guard index + 1 < bytes.count else { return nil }
            let escape = bytes[index + 1]
            index += 2
            switch escape {
            case 0x22: row.appendScratchByte(0x22)
            case 0x5C: row.appendScratchByte(0x5C)
            case 0x2F: row.appendScratchByte(0x2F)
            case 0x62: row.appendScratchByte(0x08)
            case 0x66: row.appendScratchByte(0x0C)
            case 0x6E: row.appendScratchByte(0x0A)
            case 0x72: row.appendScratchByte(0x0D)
            case 0x74: row.appendScratchByte(0x09)
            case 0x75:
                guard var scalar = code(at: index) else { return nil }
                index += 4
                if (0xD800...0xDBFF).contains(scalar) {
                    guard index + 6 <= bytes.count, bytes[index] == 0x5C, bytes[index + 1] == 0x75,
                          let low = code(at: index + 2), (0xDC00...0xDFFF).contains(low) else { return nil }
                    index += 6
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                } else if (0xDC00...0xDFFF).contains(scalar) || scalar == 0 {
                    return nil
                }
                guard let unicode = Unicode.Scalar(scalar) else { return nil }
                for unit in String(Character(unicode)).utf8 { row.appendScratchByte(unit) }
            default:
                return nil
            }
        }
        return (-1 - start, -1 - row.scratchCount)
    }
}
