/// Amounts of money as people write them: two decimals, or up to four for prices per segment.
enum Money {
    static func format(_ amount: Double) -> String {
        let cents = (amount * 10_000).rounded() / 10_000
        var text = String(cents)
        if text.hasSuffix(".0") { text.removeLast(2) }
        if let dot = text.firstIndex(of: "."), text.distance(from: dot, to: text.endIndex) == 2 { text += "0" }
        return text
    }
}
