/// Amounts of money as people write them: two decimals, or up to four for prices per segment.
public enum Money {
    /// An amount for people: `0.36`, `12`, `0.045`.
    public static func format(_ amount: Double) -> String {
        var text = String(rounded(amount))
        if text.hasSuffix(".0") { text.removeLast(2) }
        if let dot = text.firstIndex(of: "."), text.distance(from: dot, to: text.endIndex) == 2 { text += "0" }
        return text
    }

    /// An amount to four decimals, as plans, status and reports write costs.
    public static func rounded(_ amount: Double) -> Double {
        (amount * 10_000).rounded() / 10_000
    }
}
