import SalvoIO

/// Where plan bytes are written: an array, or the fast reader's row table.
typealias PlanByteSink = JSONByteSink

/// The plan's batch lines, written by hand as bytes: they are most of a plan's bytes, and the
/// output must be the same bytes for the same inputs (keys in a fixed order, strings escaped
/// minimally by `JSONString`, the one escaper).
enum PlanJSON {
    @inline(__always)
    static func string(_ text: String, into out: inout [UInt8]) {
        JSONString.append(text, to: &out)
    }

    /// A JSON string of UTF-8 bytes, appended to any byte sink.
    @inline(__always)
    static func string(_ bytes: some Collection<UInt8>, into out: inout some PlanByteSink) {
        JSONString.append(bytes, to: &out)
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
        var recipients: [UInt8] = []
        for (index, recipient) in batch.recipients.enumerated() {
            if index > 0 { recipients.append(UInt8(ascii: ",")) }
            array(recipient, into: &recipients)
        }
        var values: [UInt8]?
        if let list = batch.values {
            var rendered: [UInt8] = []
            array(list, into: &rendered)
            values = rendered
        }
        recipients.withUnsafeBufferPointer { rows in
            self.batch(action: batch.action, batch: batch.batch, outId: batch.outId, recipients: rows, segments: batch.segments, values: values,
                       countries: batch.countries, into: &out)
        }
    }

    /// A batch line from its recipients already rendered (JSON arrays joined by commas) and its
    /// values rendered as a JSON array.
    static func batch(action: String, batch: Int, outId: String, recipients: UnsafeBufferPointer<UInt8>, segments: Int, values: [UInt8]?,
                      countries: [String: [Int]]? = nil, into out: inout [UInt8]) {
        literal("{\"action\":", into: &out)
        string(action, into: &out)
        literal(",\"batch\":", into: &out)
        integer(batch, into: &out)
        if let countries {
            literal(",\"countries\":{", into: &out)
            for (index, code) in countries.keys.sorted().enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                string(code, into: &out)
                out.append(UInt8(ascii: ":"))
                out.append(UInt8(ascii: "["))
                for (position, count) in (countries[code] ?? []).enumerated() {
                    if position > 0 { out.append(UInt8(ascii: ",")) }
                    integer(count, into: &out)
                }
                out.append(UInt8(ascii: "]"))
            }
            out.append(UInt8(ascii: "}"))
        }
        literal(",\"outId\":", into: &out)
        string(outId, into: &out)
        literal(",\"recipients\":[", into: &out)
        out.append(contentsOf: recipients)
        literal("],\"segments\":", into: &out)
        integer(segments, into: &out)
        if let values {
            literal(",\"values\":", into: &out)
            out.append(contentsOf: values)
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
