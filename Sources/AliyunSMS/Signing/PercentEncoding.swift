/// RFC 3986 percent-encoding as Alibaba Cloud signs it: `A–Z a–z 0–9 - _ . ~` stay, every other
/// UTF-8 byte becomes `%XX` with upper-case hex (so a space is `%20`, never `+`).
public enum PercentEncoding {
    private static let hex: [UInt8] = Array("0123456789ABCDEF".utf8)

    /// 1 for the 66 unreserved ASCII bytes, 0 for every other byte.
    private static let unreserved: [UInt8] = (0...255).map { isUnreservedByRule(UInt8($0)) ? 1 : 0 }

    /// Whether a byte is one of the 66 unreserved ASCII characters.
    @inline(__always)
    static func isUnreserved(_ byte: UInt8) -> Bool {
        unreserved.withUnsafeBufferPointer { $0[Int(byte)] } != 0
    }

    private static func isUnreservedByRule(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
             UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "~"):
            return true
        default:
            return false
        }
    }

    /// `text` percent-encoded.
    public static func encode(_ text: String) -> String {
        form([(text, "")], pairsOnly: false)
    }

    /// Appends `text` percent-encoded to `out`.
    static func append(_ text: String, to out: inout [UInt8]) {
        out.append(contentsOf: Array(encode(text).utf8))
    }

    /// The encoded length of `text`.
    @inline(__always)
    private static func encodedLength(_ text: String) -> Int {
        unreserved.withUnsafeBufferPointer { table in
            var length = 0
            for byte in text.utf8 { length += 3 - 2 * Int(table[Int(byte)]) }
            return length
        }
    }

    /// Writes `text` encoded at `position`, returning the position after it.
    @inline(__always)
    private static func write(_ text: String, into buffer: UnsafeMutableBufferPointer<UInt8>, at position: Int) -> Int {
        var index = position
        unreserved.withUnsafeBufferPointer { table in
        hex.withUnsafeBufferPointer { digits in
            for byte in text.utf8 {
                if table[Int(byte)] != 0 {
                    buffer[index] = byte
                    index += 1
                } else {
                    buffer[index] = UInt8(ascii: "%")
                    buffer[index + 1] = digits[Int(byte >> 4)]
                    buffer[index + 2] = digits[Int(byte & 0x0F)]
                    index += 3
                }
            }
        }
        }
        return index
    }

    /// `name=value` pairs, each side encoded, joined by `&`, in the order given. Sized first and
    /// written once: a 100-recipient body is encoded on every request.
    public static func form(_ pairs: [(String, String)]) -> String {
        form(pairs, pairsOnly: true)
    }

    private static func form(_ pairs: [(String, String)], pairsOnly: Bool) -> String {
        var total = pairsOnly ? max(pairs.count * 2 - 1, 0) : 0
        for (name, value) in pairs { total += encodedLength(name) + encodedLength(value) }
        return String(unsafeUninitializedCapacity: total) { buffer in
            var index = 0
            for (position, pair) in pairs.enumerated() {
                if pairsOnly, position > 0 {
                    buffer[index] = UInt8(ascii: "&")
                    index += 1
                }
                index = write(pair.0, into: buffer, at: index)
                if pairsOnly {
                    buffer[index] = UInt8(ascii: "=")
                    index += 1
                }
                index = write(pair.1, into: buffer, at: index)
            }
            return index
        }
    }

    /// Decodes `%XX` escapes (and, as form bodies on the wire may have them, `+` as a space).
    /// Nil when an escape is malformed or the result is not UTF-8.
    public static func decode(_ text: Substring, plusIsSpace: Bool = true) -> String? {
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count)
        var bytes = text.utf8.makeIterator()
        while let byte = bytes.next() {
            if byte == UInt8(ascii: "%") {
                guard let high = bytes.next().flatMap(hexValue), let low = bytes.next().flatMap(hexValue) else { return nil }
                out.append(high << 4 | low)
            } else if byte == UInt8(ascii: "+"), plusIsSpace {
                out.append(UInt8(ascii: " "))
            } else {
                out.append(byte)
            }
        }
        return String(validating: out, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        default: nil
        }
    }

    /// Parses `a=1&b=2` (either encoding) into pairs in order; nil when an escape is malformed.
    public static func parseForm(_ text: Substring) -> [(String, String)]? {
        guard !text.isEmpty else { return [] }
        var pairs: [(String, String)] = []
        for part in text.split(separator: "&", omittingEmptySubsequences: true) {
            let pieces = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = decode(pieces[0]), let value = pieces.count > 1 ? decode(pieces[1]) : "" else { return nil }
            pairs.append((name, value))
        }
        return pairs
    }
}
