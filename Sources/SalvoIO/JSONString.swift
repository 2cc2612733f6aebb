/// The one JSON string escaper: plans, request parameters and reports write strings through it,
/// so the same text is always the same bytes.
///
/// Minimal escapes, as `JSONEncoder` writes them with `.withoutEscapingSlashes`: `\"`, `\\`, the short forms `\n`, `\r`, `\t`,
/// `\b` and `\f`, `\u00XX` for the other control characters; everything else (`/`, non-ASCII,
/// U+2028 and U+2029) as itself. (Plans and requests never hold a control character other than a
/// line break: the checker refuses them in values, and the provider refuses them too; the plan
/// reader reads every form.)
public enum JSONString {
    /// Appends the JSON string of UTF-8 `bytes`, quotes included.
    @inlinable
    public static func append(_ bytes: some Collection<UInt8>, to out: inout some JSONByteSink) {
        out.appendByte(UInt8(ascii: "\""))
        // Most values need no escape: their bytes are copied whole.
        if !bytes.contains(where: { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C }) {
            if bytes.withContiguousStorageIfAvailable({ out.appendBytes($0) }) == nil {
                Array(bytes).withUnsafeBufferPointer { out.appendBytes($0) }
            }
        } else {
            for byte in bytes { escape(byte, to: &out) }
        }
        out.appendByte(UInt8(ascii: "\""))
    }

    /// Appends the JSON string of `text`, quotes included.
    @inlinable
    public static func append(_ text: String, to out: inout some JSONByteSink) {
        if text.utf8.withContiguousStorageIfAvailable({ append($0, to: &out) }) == nil {
            append(Array(text.utf8), to: &out)
        }
    }

    /// The JSON string literal of `text`, quotes included.
    public static func literal(_ text: String) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count + 2)
        append(text, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends one byte of a string, escaped where JSON requires it.
    @inlinable
    static func escape(_ byte: UInt8, to out: inout some JSONByteSink) {
        let short: UInt8
        switch byte {
        case 0x22: short = 0x22
        case 0x5C: short = 0x5C
        case 0x0A: short = UInt8(ascii: "n")
        case 0x0D: short = UInt8(ascii: "r")
        case 0x09: short = UInt8(ascii: "t")
        case 0x08: short = UInt8(ascii: "b")
        case 0x0C: short = UInt8(ascii: "f")
        case 0x00..<0x20:
            for escaped in [0x5C, UInt8(ascii: "u"), 0x30, 0x30, hexDigit(byte >> 4), hexDigit(byte & 0x0F)] { out.appendByte(escaped) }
            return
        default:
            out.appendByte(byte)
            return
        }
        out.appendByte(0x5C)
        out.appendByte(short)
    }

    /// A lower-case hex digit.
    @inlinable
    static func hexDigit(_ value: UInt8) -> UInt8 {
        value < 10 ? 0x30 + value : 0x57 + value
    }
}
