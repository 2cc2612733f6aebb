/// Reads the plan's batch lines quickly: a small JSON parser for the shapes a batch line has
/// (objects, arrays, strings, integers, null), several times faster than `JSONDecoder`, which the
/// runner would otherwise spend most of its time in.
public enum PlanLineParser {
    private struct Cursor {
        let bytes: UnsafeBufferPointer<UInt8>
        var index = 0

        mutating func skipSpace() {
            while index < bytes.count, bytes[index] == 0x20 || bytes[index] == 0x09 || bytes[index] == 0x0D || bytes[index] == 0x0A { index += 1 }
        }

        mutating func expect(_ byte: UInt8) -> Bool {
            skipSpace()
            guard index < bytes.count, bytes[index] == byte else { return false }
            index += 1
            return true
        }

        mutating func peek() -> UInt8? {
            skipSpace()
            return index < bytes.count ? bytes[index] : nil
        }

        mutating func string() -> String? {
            guard expect(0x22) else { return nil }
            let start = index
            var escaped = false
            while index < bytes.count, bytes[index] != 0x22 {
                if bytes[index] == 0x5C { escaped = true; index += 1 }
                index += 1
            }
            guard index < bytes.count else { return nil }
            let raw = UnsafeBufferPointer(rebasing: bytes[start..<index])
            index += 1
            guard escaped else { return String(decoding: raw, as: UTF8.self) }
            return Self.unescape(raw)
        }

        static func unescape(_ raw: UnsafeBufferPointer<UInt8>) -> String? {
            var out: [UInt8] = []
            out.reserveCapacity(raw.count)
            var i = 0
            func hex(_ at: Int) -> UInt32? {
                guard at + 4 <= raw.count else { return nil }
                return UInt32(String(decoding: UnsafeBufferPointer(rebasing: raw[at..<(at + 4)]), as: UTF8.self), radix: 16)
            }
            while i < raw.count {
                let byte = raw[i]
                guard byte == 0x5C, i + 1 < raw.count else {
                    out.append(byte)
                    i += 1
                    continue
                }
                let next = raw[i + 1]
                i += 2
                switch next {
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "u"):
                    guard var code = hex(i) else { return nil }
                    i += 4
                    if (0xD800..<0xDC00).contains(code), i + 6 <= raw.count, raw[i] == 0x5C, raw[i + 1] == UInt8(ascii: "u"), let low = hex(i + 2) {
                        code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                        i += 6
                    }
                    guard let scalar = Unicode.Scalar(code) else { return nil }
                    out.append(contentsOf: Array(String(scalar).utf8))
                default: out.append(next)
                }
            }
            return String(decoding: out, as: UTF8.self)
        }

        mutating func integer() -> Int? {
            skipSpace()
            let start = index
            if index < bytes.count, bytes[index] == UInt8(ascii: "-") { index += 1 }
            while index < bytes.count, bytes[index] >= 0x30, bytes[index] <= 0x39 { index += 1 }
            return Int(String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self))
        }

        mutating func strings() -> [String]? {
            guard expect(UInt8(ascii: "[")) else { return nil }
            var values: [String] = []
            if expect(UInt8(ascii: "]")) { return values }
            repeat {
                guard let value = string() else { return nil }
                values.append(value)
            } while expect(UInt8(ascii: ","))
            return expect(UInt8(ascii: "]")) ? values : nil
        }

        /// `{"852":[3,3],…}`: a per-country tally of recipients and segments.
        mutating func countTable() -> [String: [Int]]? {
            guard expect(UInt8(ascii: "{")) else { return nil }
            var table: [String: [Int]] = [:]
            if expect(UInt8(ascii: "}")) { return table }
            repeat {
                guard let key = string(), expect(UInt8(ascii: ":")), expect(UInt8(ascii: "[")) else { return nil }
                var counts: [Int] = []
                if !expect(UInt8(ascii: "]")) {
                    repeat {
                        guard let count = integer() else { return nil }
                        counts.append(count)
                    } while expect(UInt8(ascii: ","))
                    guard expect(UInt8(ascii: "]")) else { return nil }
                }
                table[key] = counts
            } while expect(UInt8(ascii: ","))
            return expect(UInt8(ascii: "}")) ? table : nil
        }

        mutating func null() -> Bool {
            skipSpace()
            guard index + 4 <= bytes.count, bytes[index] == UInt8(ascii: "n") else { return false }
            index += 4
            return true
        }
    }

    /// The batch a line holds, or nil when it is not a batch line.
    static func batch(_ line: UnsafeBufferPointer<UInt8>) -> PlanBatch? {
        var cursor = Cursor(bytes: line)
        guard cursor.expect(UInt8(ascii: "{")) else { return nil }
        var action: String?, outId: String?, number: Int?, segments: Int?
        var recipients: [[String]]?
        var values: [String]?
        var countries: [String: [Int]]?
        repeat {
            guard let key = cursor.string(), cursor.expect(UInt8(ascii: ":")) else { return nil }
            switch key {
            case "action": action = cursor.string()
            case "outId": outId = cursor.string()
            case "batch": number = cursor.integer()
            case "segments": segments = cursor.integer()
            case "values":
                if !cursor.null() { values = cursor.strings() }
            case "countries":
                guard let tallies = cursor.countTable() else { return nil }
                countries = tallies
            case "recipients":
                guard cursor.expect(UInt8(ascii: "[")) else { return nil }
                var list: [[String]] = []
                if !cursor.expect(UInt8(ascii: "]")) {
                    repeat {
                        guard let recipient = cursor.strings() else { return nil }
                        list.append(recipient)
                    } while cursor.expect(UInt8(ascii: ","))
                    guard cursor.expect(UInt8(ascii: "]")) else { return nil }
                }
                recipients = list
            default:
                return nil
            }
        } while cursor.expect(UInt8(ascii: ","))
        guard cursor.expect(UInt8(ascii: "}")), let action, let outId, let number, let segments, let recipients else { return nil }
        return PlanBatch(batch: number, action: action, outId: outId, recipients: recipients, values: values, segments: segments, countries: countries)
    }

    /// The batch a line holds (from bytes), or nil.
    public static func batch(_ line: some Collection<UInt8>) -> PlanBatch? {
        let bytes = Array(line)
        return bytes.withUnsafeBufferPointer { batch($0) }
    }
}
