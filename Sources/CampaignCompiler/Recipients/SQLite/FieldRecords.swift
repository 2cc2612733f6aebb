#if canImport(Glibc)
import Glibc
#endif
internal import SQLiteDatabase
import YAMLSyntax

/// Rows already split into fields, as the SQLite reader hands them to the fast row checks: per
/// record a field count, then per field its length and bytes (counts and lengths as 4 bytes,
/// little-endian).
enum FieldRecords {
    static func appendCount(_ count: Int, to out: inout [UInt8]) {
        let value = UInt32(truncatingIfNeeded: count)
        out.append(UInt8(truncatingIfNeeded: value))
        out.append(UInt8(truncatingIfNeeded: value >> 8))
        out.append(UInt8(truncatingIfNeeded: value >> 16))
        out.append(UInt8(truncatingIfNeeded: value >> 24))
    }

    static func appendField(_ bytes: UnsafeBufferPointer<UInt8>, to out: inout [UInt8]) {
        appendCount(bytes.count, to: &out)
        out.append(contentsOf: bytes)
    }

    @inline(__always)
    static func count(_ bytes: UnsafeBufferPointer<UInt8>, at offset: Int) -> Int {
        Int(bytes[offset]) | Int(bytes[offset + 1]) << 8 | Int(bytes[offset + 2]) << 16 | Int(bytes[offset + 3]) << 24
    }

    /// The record at `start` as a row on `line` (a field's column is its position), and where
    /// the next record starts.
    static func row(_ bytes: UnsafeBufferPointer<UInt8>, at start: Int, line: Int) -> (RecipientRow, next: Int) {
        let fieldCount = count(bytes, at: start)
        var index = start + 4
        var fields: [String] = []
        var positions: [SourcePosition] = []
        for column in 0..<fieldCount {
            let length = count(bytes, at: index)
            fields.append(String(decoding: UnsafeBufferPointer(rebasing: bytes[(index + 4)..<(index + 4 + length)]), as: UTF8.self))
            positions.append(SourcePosition(line: line, column: column + 1))
            index += 4 + length
        }
        return (RecipientRow(fields: fields, positions: positions, line: line), index)
    }
}
