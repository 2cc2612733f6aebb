import YAMLSyntax

/// Puts the fast reader's chunks back together in file order: a record cut between two chunks is
/// scanned again whole, what the scan gave up on goes to the format's precise reader, and read
/// failures stand where the unread record starts.
struct ChunkMerge {
    let format: any SourceFormat
    let rules: RowRules
    /// The columns the precise reader reads by key (JSON Lines), else empty.
    let columns: [String]
    /// The start of a record the next chunk completes.
    private(set) var carry: [UInt8] = []
    private var carryLine = 0
    /// The line the next chunk starts on.
    private(set) var lineBase: Int
    /// Whether the source ended early (a failure, or a handler asked to stop).
    private(set) var stopped = false

    init(format: any SourceFormat, rules: RowRules, firstLine: Int) {
        self.format = format
        self.rules = rules
        columns = format.keyed ? rules.keys.map { String(decoding: $0, as: UTF8.self) } : []
        lineBase = firstLine
    }

    /// Merges one chunk: its rows go to `rows` (with the chunk's first line), rows of the precise
    /// reader to `row`, failures to `failure`.
    mutating func merge<Failure: Error>(_ scanned: ScannedPiece, rows: (inout ScannedChunk, Int) throws(Failure) -> Bool,
                                        row: (RecipientRow) throws(Failure) -> Bool, failure: (RecipientSourceError) -> Void) throws(Failure) {
        var chunk = scanned.chunk
        var base = lineBase
        if !carry.isEmpty {
            // The chunk before ended inside a record: scan again from that record's start.
            var joined = ScannedChunk(bytes: carry + chunk.bytes, isFinal: chunk.isFinal)
            RowScanner.scan(&joined, from: 0, crFinal: scanned.crFinal, rules: rules, format: format)
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
            try precise(chunk.bytes, from: offset, line: base + line, isFinal: chunk.isFinal, row: row, failure: failure)
        case .tooLong(_, let line):
            stop(format.tooLong(line: base + line), failure)
        }
        if !stopped, !carry.isEmpty, carry.count > RowRules.maxRecordBytes {
            if carry.contains(0) {
                let rest = carry
                carry = []
                try precise(rest, from: 0, line: carryLine, isFinal: true, row: row, failure: failure)
                stopped = true
            } else {
                stop(format.tooLong(line: carryLine), failure)
            }
        }
        if !stopped, let error = scanned.error { stop(error, failure) }
        if !stopped, let error = scanned.failure { readFailed(error, failure) }
    }

    /// The precise reader from `offset`; keeps what the next chunk completes.
    private mutating func precise<Failure: Error>(_ bytes: [UInt8], from offset: Int, line: Int, isFinal: Bool,
                                                  row: (RecipientRow) throws(Failure) -> Bool, failure: (RecipientSourceError) -> Void) throws(Failure) {
        switch try format.preciseRows(bytes, from: offset, line: line, isFinal: isFinal, columns: columns, columnCount: rules.columnCount, row: row) {
        case .ended(let next):
            lineBase = next
        case .unfinished(let start, let next):
            lineBase = next
            carry = Array(bytes[start...])
            carryLine = next
        case .stopped:
            stopped = true
        case .failed(let error):
            stop(error, failure)
        }
    }

    private mutating func stop(_ error: RecipientSourceError, _ failure: (RecipientSourceError) -> Void) {
        failure(error)
        stopped = true
    }

    /// Reading stopped: the error stands where the unread record starts.
    private mutating func readFailed(_ error: ByteReader.Failure, _ failure: (RecipientSourceError) -> Void) {
        let position = carry.isEmpty ? SourcePosition(line: lineBase, column: 1) : format.stopPosition(carry, line: carryLine, columnCount: rules.columnCount)
        switch error {
        case .unreadable:
            stop(RecipientSourceError(.unreadable, "a read failed", at: position, cause: error), failure)
        case .encoding(let offset):
            stop(RecipientSourceError(.encoding, "is not valid GB18030 at byte \(offset)", at: position, cause: error), failure)
        }
    }
}
