import YAMLSyntax

/// The fast reader's scan of CSV: field boundaries found without making strings, each row
/// checked by `RowBuilder` at once; anything unusual is left to `CSVRecordParser`, which defines
/// the format (this scan must agree with it on every row it accepts; a differential fuzz test
/// holds it to that).
///
/// The pieces are `@inline(__always)`: they are one loop over every byte of the file, split for
/// reading only.
struct CSVChunkScanner {
    private let bytes: UnsafeBufferPointer<UInt8>
    private let end: Int
    /// The chunk ends the file.
    private let eof: Bool
    /// A carriage return at the very end is a whole line break.
    private let crFinal: Bool
    private var index: Int
    /// The line of `index`, counted from the chunk's first (0).
    private var line = 0
    /// Where the row being scanned starts, and on which line.
    private var rowStart = 0
    private var rowLine = 0
    /// Set by a field scan that returns nil: where scanning stops.
    private var stopTail: ScannedChunk.Tail = .complete(lines: 0)

    private init(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, eof: Bool, crFinal: Bool) {
        self.bytes = bytes
        end = bytes.count
        self.eof = eof
        self.crFinal = crFinal
        index = start
    }

    /// Scans `bytes[start...]` into `chunk`.
    static func scan(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, eof: Bool, crFinal: Bool,
                     row: inout RowBuilder, into chunk: inout ScannedChunk) {
        var scanner = CSVChunkScanner(bytes, from: start, eof: eof, crFinal: crFinal)
        chunk.tail = scanner.rows(row: &row, into: &chunk)
    }

    /// Every row up to the chunk's end or to something only the full parser may judge.
    @inline(__always)
    private mutating func rows(row: inout RowBuilder, into chunk: inout ScannedChunk) -> ScannedChunk.Tail {
        while true {
            if let tail = skipBlankLines() { return tail }
            rowStart = index
            rowLine = line
            row.reset()
            if let tail = fields(row: &row) { return tail }
            if index - rowStart > RowRules.maxRecordBytes { return .tooLong(offset: rowStart, line: rowLine) }
            row.finish(bytes, start: rowStart, line: rowLine, into: &chunk)
        }
    }

    /// Skips blank lines; the tail when the chunk ends there.
    @inline(__always)
    private mutating func skipBlankLines() -> ScannedChunk.Tail? {
        let blankStart = index, blankLine = line
        while index < end, bytes[index] == 0x0A || bytes[index] == 0x0D {
            if bytes[index] == 0x0D {
                if index + 1 < end, bytes[index + 1] == 0x0A {
                    index += 1
                } else if index + 1 == end, !crFinal {
                    return .incomplete(offset: blankStart, line: blankLine)
                }
            }
            index += 1
            line += 1
        }
        return index == end ? .complete(lines: line) : nil
    }

    /// The fields of one record, added to `row`, and its line break; nil when the record is
    /// whole, else the tail where scanning stops.
    @inline(__always)
    private mutating func fields(row: inout RowBuilder) -> ScannedChunk.Tail? {
        while true {
            var nonASCII = false
            let found = index < end && bytes[index] == 0x22 ? quotedField(row: &row, nonASCII: &nonASCII) : plainField(nonASCII: &nonASCII)
            guard let (fieldStart, fieldEnd) = found else { return stopTail }
            if index == end, !eof { return incompleteRow }
            if nonASCII {
                let valid = fieldStart >= 0 ? YAMLParser.firstInvalidUTF8Byte(in: UnsafeBufferPointer(rebasing: bytes[fieldStart..<fieldEnd])) == nil
                    : row.scratchIsUTF8(fieldStart, fieldEnd)
                if !valid { return giveUp }
            }
            row.addField(fieldStart, fieldEnd)
            if index < end, bytes[index] == 0x2C {
                index += 1
                continue
            }
            if index < end {
                if bytes[index] == 0x0D {
                    if index + 1 == end, !crFinal { return .incomplete(offset: rowStart, line: rowLine) }
                    if index + 1 < end, bytes[index + 1] == 0x0A { index += 1 }
                }
                index += 1
                line += 1
            }
            return nil
        }
    }

    private var giveUp: ScannedChunk.Tail { .giveUp(offset: rowStart, line: rowLine) }

    /// The row runs past the chunk (or is already too long to be a recipient row).
    private var incompleteRow: ScannedChunk.Tail {
        RowScanner.tooLongOr(.incomplete(offset: rowStart, line: rowLine), start: rowStart, end: end, line: rowLine)
    }

    /// A quoted field from its opening quote: its content's bounds (in the scratch buffer, as
    /// negative offsets, where doubled quotes were made single), or nil with `stopTail` set.
    @inline(__always)
    private mutating func quotedField(row: inout RowBuilder, nonASCII: inout Bool) -> (Int, Int)? {
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
                stopTail = giveUp
                return nil
            }
            index += 1
        }
        guard closed else {
            stopTail = eof ? giveUp : incompleteRow
            return nil
        }
        let contentEnd = index
        index += 1
        // Text after the closing quote, kept by the full parser as spreadsheets do.
        if index < end, bytes[index] != 0x2C, bytes[index] != 0x0A, bytes[index] != 0x0D {
            stopTail = giveUp
            return nil
        }
        return escaped ? row.unescape(UnsafeBufferPointer(rebasing: bytes[contentStart..<contentEnd])) : (contentStart, contentEnd)
    }

    /// An unquoted field: its bounds, or nil with `stopTail` set.
    @inline(__always)
    private mutating func plainField(nonASCII: inout Bool) -> (Int, Int)? {
        let fieldStart = index
        while index < end {
            let byte = bytes[index]
            if byte == 0x2C || byte == 0x0A || byte == 0x0D { break }
            if byte < 0x20 {
                if byte == 0 {
                    stopTail = giveUp
                    return nil
                }
            } else if byte >= 0x80 {
                nonASCII = true
            }
            index += 1
        }
        return (fieldStart, index)
    }
}
