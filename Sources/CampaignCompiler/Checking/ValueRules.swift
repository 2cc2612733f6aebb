/// What is wrong with one parameter value.
public enum ValueProblem: Sendable, Hashable {
    /// No characters.
    case empty
    /// More than 35 characters.
    case tooLong(count: Int)
    /// A link, which the platform refuses in variables.
    case url
    /// `【` or `】`, reserved for the sign name.
    case brackets
    /// Not of the parameter's type; the text says what was expected ("4-6 letters or digits").
    case type(expected: String)
    /// A control character (C0 such as NUL or ESC, DEL, or C1), which the provider refuses and a
    /// terminal or spreadsheet may act on; `offset` counts characters before it (from 0).
    case control(Unicode.Scalar, offset: Int)
}

/// The rules every parameter value must meet, the same for constants in the campaign file and
/// for column values in recipient rows.
public enum ValueRules {
    /// The most characters a variable value may have.
    public static let maxLength = 35

    /// The problems of `value` as a value of `type`; empty when it is fine.
    public static func problems(of value: String, as type: ParameterType) -> [ValueProblem] {
        var storage = value
        return storage.withUTF8 { bytes in problems(of: bytes, value: value, as: type) }
    }

    /// The rules over the value's UTF-8 bytes: this runs for every recipient row, so it reads the
    /// bytes once and allocates nothing for a valid value.
    private static func problems(of bytes: UnsafeBufferPointer<UInt8>, value: String, as type: ParameterType) -> [ValueProblem] {
        if bytes.isEmpty { return [.empty] }
        var problems: [ValueProblem] = []
        // Characters as the platform counts them (UTF-16 units): one per scalar, two above U+FFFF.
        var count = 0
        var ascii = true
        var scalars = 0
        var control: (Unicode.Scalar, Int)?
        for (index, byte) in bytes.enumerated() where byte & 0xC0 != 0x80 {
            count += byte >= 0xF0 ? 2 : 1
            if byte >= 0x80 { ascii = false }
            if control == nil {
                if byte < 0x20 || byte == 0x7F {
                    control = (Unicode.Scalar(byte), scalars)
                } else if byte == 0xC2, index + 1 < bytes.count, (0x80...0x9F).contains(bytes[index + 1]) {
                    control = (Unicode.Scalar(bytes[index + 1]), scalars)
                }
            }
            scalars += 1
        }
        if let control { problems.append(.control(control.0, offset: control.1)) }
        if count > maxLength { problems.append(.tooLong(count: count)) }
        if containsLink(bytes) { problems.append(.url) }
        if !ascii, containsBracket(bytes) { problems.append(.brackets) }
        if let expected = typeMismatch(bytes, { value }, ascii: ascii, type) { problems.append(.type(expected: expected)) }
        return problems
    }

    /// The value's length in UTF-16 units when it has no problem as a `type`, else nil: the same
    /// judgement as `problems(of:as:)` being empty, made for every recipient row without a String.
    static func cleanLength(_ bytes: UnsafeBufferPointer<UInt8>, as type: ParameterType) -> Int? {
        let total = bytes.count
        if total == 0 { return nil }
        var count = 0
        var ascii = true
        var index = 0
        while index < total {
            let byte = bytes[index]
            if byte < 0x80 {
                if byte < 0x20 || byte == 0x7F { return nil }
                count += 1
            } else {
                ascii = false
                if byte & 0xC0 != 0x80 {
                    count += byte >= 0xF0 ? 2 : 1
                    if byte == 0xC2, index + 1 < total, bytes[index + 1] <= 0x9F { return nil }
                }
            }
            index += 1
        }
        if count > maxLength { return nil }
        if containsLink(bytes) { return nil }
        if !ascii, containsBracket(bytes) { return nil }
        if typeMismatch(bytes, { String(decoding: bytes, as: UTF8.self) }, ascii: ascii, type) != nil { return nil }
        return count
    }

    static func containsLink(_ value: String) -> Bool {
        var value = value
        return value.withUTF8 { containsLink($0) }
    }

    /// A scheme (`://`), `www.`, or a bare domain such as `t.cn/abc` or `example.com`.
    private static func containsLink(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        @inline(__always) func lower(_ byte: UInt8) -> UInt8 { byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte }
        @inline(__always) func isAlnum(_ byte: UInt8) -> Bool {
            let folded = lower(byte)
            return (folded >= 0x61 && folded <= 0x7A) || (byte >= 0x30 && byte <= 0x39)
        }
        let count = bytes.count
        var index = 0
        while index < count {
            let byte = bytes[index]
            if byte == 0x3A, index + 2 < count, bytes[index + 1] == 0x2F, bytes[index + 2] == 0x2F { return true }
            if byte == 0x2E, index > 0, isAlnum(bytes[index - 1]) {
                // `www.` before the dot, or a known top-level domain after it.
                if index >= 3, lower(bytes[index - 3]) == 0x77, lower(bytes[index - 2]) == 0x77, lower(bytes[index - 1]) == 0x77 { return true }
                var end = index + 1
                while end < count, lower(bytes[end]) >= 0x61, lower(bytes[end]) <= 0x7A { end += 1 }
                let length = end - index - 1
                if length >= 2, length <= 4, end == count || !isAlnum(bytes[end]) {
                    var word: UInt32 = 0
                    for offset in (index + 1)..<end { word = word << 8 | UInt32(lower(bytes[offset])) }
                    if topLevelDomains.contains(word) { return true }
                }
            }
            index += 1
        }
        return false
    }

    /// Top-level domains common in links sent to Chinese phones, packed as big-endian ASCII.
    private static let topLevelDomains: Set<UInt32> = Set(["com", "cn", "net", "org", "io", "cc", "me", "top", "xyz", "vip", "shop", "info", "link"].map { word in
        word.utf8.reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
    })

    private static func containsBracket(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        // 【 is E3 80 90 and 】 is E3 80 91 in UTF-8.
        guard bytes.count >= 3 else { return false }
        for index in 0..<(bytes.count - 2) where bytes[index] == 0xE3 && bytes[index + 1] == 0x80 && (bytes[index + 2] == 0x90 || bytes[index + 2] == 0x91) {
            return true
        }
        return false
    }

    private static func typeMismatch(_ bytes: UnsafeBufferPointer<UInt8>, _ text: () -> String, ascii: Bool, _ type: ParameterType) -> String? {
        @inline(__always) func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }
        switch type {
        case .code:
            let ok = ascii && (4...6).contains(bytes.count) && bytes.allSatisfy { isDigit($0) || ($0 | 0x20 >= 0x61 && $0 | 0x20 <= 0x7A) }
            return ok ? nil : "4-6 letters or digits"
        case .number:
            return bytes.allSatisfy(isDigit) ? nil : "digits only"
        case .money:
            return isMoney(Array(text().unicodeScalars)) ? nil : "an amount such as 128 or 99.50"
        case .date:
            return DateText.isDate(text()) ? nil : "a date such as 2027-03-31 or 3月31日"
        case .time:
            let value = text()
            return DateText.isTime(value) || DateText.isDateTime(value) ? nil : "a time such as 20:00, 8点30分 or 2027-03-31 20:00"
        case .phone:
            return isPhone(Array(text().unicodeScalars)) ? nil : "a phone number (an 11-digit mobile or a landline such as 0571-88888888)"
        case .name, .text:
            return nil
        }
    }

    private static func isMoney(_ scalars: [Unicode.Scalar]) -> Bool {
        var body = scalars[...]
        if body.first == "-" { body = body.dropFirst() }
        let parts = body.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        let digits: (ArraySlice<Unicode.Scalar>) -> Bool = { $0.allSatisfy { ("0"..."9").contains($0) } }
        guard let whole = parts.first, !whole.isEmpty, digits(whole) else { return false }
        if parts.count == 2 {
            return !parts[1].isEmpty && parts[1].count <= 2 && digits(parts[1])
        }
        return true
    }

    private static func isPhone(_ scalars: [Unicode.Scalar]) -> Bool {
        let digits = scalars.filter { ("0"..."9").contains($0) }
        let others = scalars.filter { !("0"..."9").contains($0) }
        if others.isEmpty, digits.count == 11, digits.first == "1" { return true }
        return scalars.count <= 15 && (5...13).contains(digits.count) && others.allSatisfy { $0 == "-" }
    }
}

/// Recognisers for the date and time texts people put in Chinese SMS templates.
enum DateText {
    private static func number(_ scalars: inout ArraySlice<Unicode.Scalar>, digits range: ClosedRange<Int>) -> Int? {
        let run = scalars.prefix { ("0"..."9").contains($0) }
        guard range.contains(run.count) else { return nil }
        scalars = scalars.dropFirst(run.count)
        return Int(String(String.UnicodeScalarView(run)))
    }

    private static func take(_ scalars: inout ArraySlice<Unicode.Scalar>, _ options: Set<Unicode.Scalar>) -> Unicode.Scalar? {
        guard let first = scalars.first, options.contains(first) else { return nil }
        scalars = scalars.dropFirst()
        return first
    }

    /// Parses a date prefix: `2027-03-31`, `2027/3/31`, `2027年3月31日`, `3月31日`, `03-31`.
    private static func date(_ scalars: inout ArraySlice<Unicode.Scalar>) -> Bool {
        let saved = scalars
        if let _ = number(&scalars, digits: 4...4) {
            guard let separator = take(&scalars, ["-", "/", ".", "年"]),
                  let month = number(&scalars, digits: 1...2), (1...12).contains(month) else { scalars = saved; return false }
            let expected: Set<Unicode.Scalar> = separator == "年" ? ["月"] : [separator]
            guard take(&scalars, expected) != nil, let day = number(&scalars, digits: 1...2), (1...31).contains(day) else { scalars = saved; return false }
            if separator == "年" { _ = take(&scalars, ["日", "号"]) }
            return true
        }
        guard let month = number(&scalars, digits: 1...2), (1...12).contains(month),
              let separator = take(&scalars, ["-", "/", ".", "月"]),
              let day = number(&scalars, digits: 1...2), (1...31).contains(day) else { scalars = saved; return false }
        if separator == "月" { _ = take(&scalars, ["日", "号"]) }
        return true
    }

    /// Parses a time: `20:00`, `20:00:00`, `20：00`, `20点`, `8点30分`, `8时30分`.
    private static func time(_ scalars: inout ArraySlice<Unicode.Scalar>) -> Bool {
        let saved = scalars
        guard let hour = number(&scalars, digits: 1...2), (0...24).contains(hour) else { scalars = saved; return false }
        if take(&scalars, [":", "："]) != nil {
            guard let minute = number(&scalars, digits: 2...2), minute < 60 else { scalars = saved; return false }
            if take(&scalars, [":", "："]) != nil {
                guard let second = number(&scalars, digits: 2...2), second < 60 else { scalars = saved; return false }
            }
            return true
        }
        guard take(&scalars, ["点", "时"]) != nil else { scalars = saved; return false }
        let beforeMinutes = scalars
        if let minute = number(&scalars, digits: 1...2), minute < 60 {
            if take(&scalars, ["分"]) == nil, !scalars.isEmpty { scalars = beforeMinutes }
        } else {
            _ = take(&scalars, ["半"])
        }
        return true
    }

    static func isDate(_ value: String) -> Bool {
        var scalars = Array(value.unicodeScalars)[...]
        return date(&scalars) && scalars.isEmpty
    }

    static func isTime(_ value: String) -> Bool {
        var scalars = Array(value.unicodeScalars)[...]
        return time(&scalars) && scalars.isEmpty
    }

    static func isDateTime(_ value: String) -> Bool {
        var scalars = Array(value.unicodeScalars)[...]
        guard date(&scalars) else { return false }
        _ = take(&scalars, [" ", "T"])
        return time(&scalars) && scalars.isEmpty
    }
}
