/// A flat JSON object on one line, read without Foundation: string values (escapes decoded) and
/// plain integers, for the keys asked for. Anything else (floats, booleans, nesting, a key named
/// twice, a malformed line) returns false, and the line goes to `JSONSerialization`.
enum JSONObjectScanner {
    /// Reads the line `bytes[start..<end]` into `row`'s fields, one per key; false when the line
    /// must go to the full parser.
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
            guard let (valueStart, valueEnd) = value(bytes, at: &index, end: end, row: &row) else { return false }
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

    /// A string (unescaped into the row's scratch buffer where it has escapes; the range of its
    /// content) or a plain integer (its text) at `index`, which moves past it; nil for anything else.
    @inline(__always)
    private static func value(_ bytes: UnsafeBufferPointer<UInt8>, at index: inout Int, end: Int, row: inout RowBuilder) -> (Int, Int)? {
        if bytes[index] == 0x22 {
            index += 1
            let contentStart = index
            var escaped = false
            while index < end, bytes[index] != 0x22 {
                let byte = bytes[index]
                if byte < 0x20 { return nil }
                if byte == 0x5C {
                    escaped = true
                    index += 2
                    continue
                }
                index += 1
            }
            guard index < end else { return nil }
            let contentEnd = index
            index += 1
            return escaped ? unescape(UnsafeBufferPointer(rebasing: bytes[contentStart..<contentEnd]), row: &row) : (contentStart, contentEnd)
        } else {
            // A plain integer: its text is what Foundation's number gives back.
            let numberStart = index
            if bytes[index] == 0x2D { index += 1 }
            let digitsStart = index
            while index < end, bytes[index] >= 0x30, bytes[index] <= 0x39 { index += 1 }
            let digits = index - digitsStart
            guard digits > 0, digits <= 18, !(digits > 1 && bytes[digitsStart] == 0x30),
                  !(bytes[numberStart] == 0x2D && digits == 1 && bytes[digitsStart] == 0x30) else { return nil }
            if index < end, bytes[index] == 0x2E || bytes[index] == 0x65 || bytes[index] == 0x45 { return nil }
            return (numberStart, index)
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
