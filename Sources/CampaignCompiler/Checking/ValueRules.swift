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
}

/// The rules every parameter value must meet, the same for constants in the campaign file and
/// for column values in recipient rows.
public enum ValueRules {
    /// The most characters a variable value may have.
    public static let maxLength = 35

    /// The problems of `value` as a value of `type`; empty when it is fine.
    public static func problems(of value: String, as type: ParameterType) -> [ValueProblem] {
        let count = value.count
        if count == 0 { return [.empty] }
        var problems: [ValueProblem] = []
        if count > maxLength { problems.append(.tooLong(count: count)) }
        if containsLink(value) { problems.append(.url) }
        if value.contains("【") || value.contains("】") { problems.append(.brackets) }
        if let expected = typeMismatch(value, type) { problems.append(.type(expected: expected)) }
        return problems
    }

    static func containsLink(_ value: String) -> Bool {
        let lower = value.lowercased()
        if lower.contains("://") || lower.contains("www.") { return true }
        // A bare domain such as "t.cn/abc" or "example.com".
        let tlds = [".com", ".cn", ".net", ".org", ".io", ".cc", ".me", ".top", ".xyz", ".vip", ".shop"]
        for tld in tlds {
            var search = lower[...]
            while let found = search.range(of: tld) {
                let after = found.upperBound
                let atBoundary = after == lower.endIndex || !lower[after].isLetter
                let before = found.lowerBound > lower.startIndex ? lower[lower.index(before: found.lowerBound)] : " "
                if atBoundary, before.isASCII, before.isLetter || before.isNumber { return true }
                search = lower[found.upperBound...]
            }
        }
        return false
    }

    private static func typeMismatch(_ value: String, _ type: ParameterType) -> String? {
        let scalars = Array(value.unicodeScalars)
        let isDigit: (Unicode.Scalar) -> Bool = { ("0"..."9").contains($0) }
        switch type {
        case .code:
            let ok = (4...6).contains(scalars.count) && scalars.allSatisfy { isDigit($0) || ("a"..."z").contains($0) || ("A"..."Z").contains($0) }
            return ok ? nil : "4-6 letters or digits"
        case .number:
            return scalars.allSatisfy(isDigit) ? nil : "digits only"
        case .money:
            return isMoney(scalars) ? nil : "an amount such as 128 or 99.50"
        case .date:
            return DateText.isDate(value) ? nil : "a date such as 2027-03-31 or 3月31日"
        case .time:
            return DateText.isTime(value) || DateText.isDateTime(value) ? nil : "a time such as 20:00, 8点30分 or 2027-03-31 20:00"
        case .phone:
            return isPhone(scalars) ? nil : "a phone number (an 11-digit mobile or a landline such as 0571-88888888)"
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
