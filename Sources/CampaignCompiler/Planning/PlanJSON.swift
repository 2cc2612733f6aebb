/// The plan's batch lines, written by hand as bytes: they are most of a plan's bytes, and the
/// output must be the same bytes for the same inputs (keys in a fixed order, strings escaped
/// minimally).
enum PlanJSON {
    private static let hex: [UInt8] = Array("0123456789abcdef".utf8)

    static func string(_ text: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        // Most values need no escape: copy their bytes whole.
        let copied = text.utf8.withContiguousStorageIfAvailable { bytes -> Bool in
            for byte in bytes where byte < 0x20 || byte == 0x22 || byte == 0x5C { return false }
            out.append(contentsOf: bytes)
            return true
        }
        if copied != true {
            for byte in text.utf8 {
                switch byte {
                case 0x22: out.append(contentsOf: [0x5C, 0x22])
                case 0x5C: out.append(contentsOf: [0x5C, 0x5C])
                case 0x0A: out.append(contentsOf: [0x5C, UInt8(ascii: "n")])
                case 0x0D: out.append(contentsOf: [0x5C, UInt8(ascii: "r")])
                case 0x09: out.append(contentsOf: [0x5C, UInt8(ascii: "t")])
                case 0x00..<0x20: out.append(contentsOf: [0x5C, UInt8(ascii: "u"), 0x30, 0x30, hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]])
                default: out.append(byte)
                }
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    static func array(_ values: [String], into out: inout [UInt8]) {
        out.append(UInt8(ascii: "["))
        for (index, value) in values.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            string(value, into: &out)
        }
        out.append(UInt8(ascii: "]"))
    }

    private static func literal(_ text: StaticString, into out: inout [UInt8]) {
        text.withUTF8Buffer { out.append(contentsOf: $0) }
    }

    private static func integer(_ value: Int, into out: inout [UInt8]) {
        out.append(contentsOf: String(value).utf8)
    }

    /// A batch line with the keys in the order `JSONEncoder`'s `.sortedKeys` gives, so that a
    /// decoder and this writer agree byte for byte; appended to `out`, without a newline.
    static func batch(_ batch: PlanBatch, into out: inout [UInt8]) {
        literal("{\"action\":", into: &out)
        string(batch.action, into: &out)
        literal(",\"batch\":", into: &out)
        integer(batch.batch, into: &out)
        literal(",\"outId\":", into: &out)
        string(batch.outId, into: &out)
        literal(",\"recipients\":[", into: &out)
        for (index, recipient) in batch.recipients.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            array(recipient, into: &out)
        }
        literal("],\"segments\":", into: &out)
        integer(batch.segments, into: &out)
        if let values = batch.values {
            literal(",\"values\":", into: &out)
            array(values, into: &out)
        }
        out.append(UInt8(ascii: "}"))
    }

    /// The batch line as bytes.
    static func batch(_ batch: PlanBatch) -> [UInt8] {
        var out: [UInt8] = []
        self.batch(batch, into: &out)
        return out
    }
}
