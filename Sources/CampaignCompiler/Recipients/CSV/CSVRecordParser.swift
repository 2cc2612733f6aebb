import YAMLSyntax

/// The RFC 4180 record parser, over bytes in memory: the one definition of what a CSV record is,
/// used for the header, for every row the fast reader sets aside, and for every error.
enum CSVRecordParser {
    enum Outcome {
        /// A record, and where the next one starts.
        case record(RecipientRow, next: Int)
        /// More bytes are needed; the record restarts at `next` with the cursor as it was there.
        case needMore(next: Int)
        /// The end of the text.
        case end(next: Int)
        /// The text stops being CSV here.
        case failure(RecipientSourceError)
    }

    static func failure(_ error: ByteReader.Failure, at cursor: CSVCursor) -> RecipientSourceError {
        switch error {
        case .unreadable:
            return RecipientSourceError(.unreadable, "a read failed", at: SourcePosition(line: cursor.line, column: cursor.column), cause: error)
        case .encoding(let offset):
            return RecipientSourceError(.encoding, "is not valid GB18030 at byte \(offset)", at: SourcePosition(line: cursor.line, column: cursor.column), cause: error)
        }
    }

    /// A NUL byte at the cursor: binary data, never text.
    private static func nulByte(_ cursor: CSVCursor) -> Outcome {
        .failure(RecipientSourceError(.nulByte, "holds a NUL byte here; it is not a text file", at: SourcePosition(line: cursor.line, column: cursor.column)))
    }

    /// Parses one record from `bytes[start..<end]`, or says that more bytes are needed (after a
    /// refill, parsing restarts at `next` with the cursor it had there).
    static func parse(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, end: Int, eof: Bool, cursor: inout CSVCursor, expectedFields: Int) -> Outcome {
        let saved = cursor
        var index = start
        // Blank lines between records are skipped.
        while index < end, bytes[index] == 0x0A || bytes[index] == 0x0D {
            if bytes[index] == 0x0D, index + 1 < end, bytes[index + 1] == 0x0A { index += 1 } else if bytes[index] == 0x0D, index + 1 == end, !eof { cursor = saved; return .needMore(next: start) }
            index += 1
            cursor.line += 1
            cursor.column = 1
        }
        if index == end {
            return eof ? .end(next: index) : .needMore(next: index)
        }
        let rowStart = index
        let skipped = cursor
        let rowLine = cursor.line
        var fields: [String] = []
        var positions: [SourcePosition] = []
        fields.reserveCapacity(expectedFields)
        positions.reserveCapacity(expectedFields)
        var field: [UInt8] = []
        func more() -> Outcome {
            cursor = skipped
            return .needMore(next: rowStart)
        }
        while true {
            positions.append(SourcePosition(line: cursor.line, column: cursor.column))
            field.removeAll(keepingCapacity: true)
            let stop = index < end && bytes[index] == 0x22
                ? quotedField(bytes, index: &index, end: end, eof: eof, cursor: &cursor, into: &field)
                : plainField(bytes, index: &index, end: end, cursor: &cursor, into: &field)
            switch stop {
            case .none: break
            case .more?: return more()
            case .outcome(let outcome)?: return outcome
            }
            if index == end, !eof { return more() }
            guard field.allSatisfy({ $0 < 0x80 }) || YAMLParser.firstInvalidUTF8Byte(in: field) == nil else {
                return .failure(RecipientSourceError(.encoding, "is not valid UTF-8 in the field that starts here; files exported by Excel in China need 'encoding: gb18030'",
                                                     at: positions[positions.count - 1]))
            }
            fields.append(String(decoding: field, as: UTF8.self))
            if index < end, bytes[index] == 0x2C {
                index += 1
                cursor.column += 1
                continue
            }
            if index < end {
                // A line break ends the record.
                if bytes[index] == 0x0D {
                    if index + 1 == end, !eof { return more() }
                    if index + 1 < end, bytes[index + 1] == 0x0A { index += 1 }
                }
                index += 1
                cursor.line += 1
                cursor.column = 1
            }
            return .record(RecipientRow(fields: fields, positions: positions, line: rowLine), next: index)
        }
    }

    /// Why a field's read stops the record: more bytes are needed, or the record's outcome.
    private enum FieldStop {
        case more
        case outcome(Outcome)
    }

    /// A quoted field from its opening quote at `index`, with any text after the closing quote
    /// (kept, as spreadsheets do), appended to `field`; nil when it is whole.
    private static func quotedField(_ bytes: UnsafeBufferPointer<UInt8>, index: inout Int, end: Int, eof: Bool, cursor: inout CSVCursor,
                                    into field: inout [UInt8]) -> FieldStop? {
        let quoteLine = cursor.line, quoteColumn = cursor.column
        index += 1
        cursor.column += 1
        var closed = false
        while index < end {
            let byte = bytes[index]
            if byte == 0 { return .outcome(nulByte(cursor)) }
            if byte == 0x22 {
                if index + 1 < end, bytes[index + 1] == 0x22 {
                    field.append(0x22)
                    index += 2
                    cursor.column += 2
                    continue
                }
                if index + 1 == end, !eof { break }
                index += 1
                cursor.column += 1
                closed = true
                break
            }
            if byte == 0x0A || (byte == 0x0D && !(index + 1 < end && bytes[index + 1] == 0x0A)) {
                if byte == 0x0D, index + 1 == end, !eof { break }
                cursor.line += 1
                cursor.column = 1
            } else if byte & 0xC0 != 0x80, byte != 0x0D {
                cursor.column += 1
            }
            field.append(byte)
            index += 1
        }
        if !closed {
            if !eof { return .more }
            return .outcome(.failure(RecipientSourceError(.unclosedQuote, "ends inside the quoted field opened here; the file may be truncated",
                                                          at: SourcePosition(line: quoteLine, column: quoteColumn))))
        }
        return plainField(bytes, index: &index, end: end, cursor: &cursor, into: &field)
    }

    /// An unquoted field (or the text after a quoted one) up to a comma or line break, appended
    /// to `field`; nil when it is read.
    private static func plainField(_ bytes: UnsafeBufferPointer<UInt8>, index: inout Int, end: Int, cursor: inout CSVCursor,
                                   into field: inout [UInt8]) -> FieldStop? {
        let fieldStart = index
        while index < end {
            let byte = bytes[index]
            if byte == 0x2C || byte == 0x0A || byte == 0x0D { break }
            if byte == 0 { return .outcome(nulByte(cursor)) }
            if byte & 0xC0 != 0x80 { cursor.column += 1 }
            index += 1
        }
        field.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[fieldStart..<index]))
        return nil
    }
}
