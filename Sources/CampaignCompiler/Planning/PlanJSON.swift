/// The plan's batch lines, written by hand: they are most of a plan's bytes, and the output must be
/// the same bytes for the same inputs (keys in a fixed order, strings escaped minimally).
enum PlanJSON {
    static func string(_ text: String, into out: inout String) {
        out.append("\"")
        var plain = true
        for byte in text.utf8 where byte < 0x20 || byte == 0x22 || byte == 0x5C {
            plain = false
            break
        }
        if plain {
            out.append(text)
        } else {
            for scalar in text.unicodeScalars {
                switch scalar {
                case "\"": out.append("\\\"")
                case "\\": out.append("\\\\")
                case "\n": out.append("\\n")
                case "\r": out.append("\\r")
                case "\t": out.append("\\t")
                default:
                    if scalar.value < 0x20 {
                        let hex = String(scalar.value, radix: 16)
                        out.append("\\u" + String(repeating: "0", count: 4 - hex.count) + hex)
                    } else {
                        out.unicodeScalars.append(scalar)
                    }
                }
            }
        }
        out.append("\"")
    }

    static func array(_ values: [String], into out: inout String) {
        out.append("[")
        for (index, value) in values.enumerated() {
            if index > 0 { out.append(",") }
            string(value, into: &out)
        }
        out.append("]")
    }

    /// A batch line with the keys in the order `JSONEncoder`'s `.sortedKeys` gives, so that a
    /// decoder and this writer agree byte for byte.
    static func batch(_ batch: PlanBatch) -> String {
        var out = "{\"action\":"
        string(batch.action, into: &out)
        out.append(",\"batch\":\(batch.batch),\"outId\":")
        string(batch.outId, into: &out)
        out.append(",\"recipients\":[")
        for (index, recipient) in batch.recipients.enumerated() {
            if index > 0 { out.append(",") }
            array(recipient, into: &out)
        }
        out.append("],\"segments\":\(batch.segments)")
        if let values = batch.values {
            out.append(",\"values\":")
            array(values, into: &out)
        }
        out.append("}")
        return out
    }
}
