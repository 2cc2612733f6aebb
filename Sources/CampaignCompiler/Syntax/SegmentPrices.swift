/// The price of one billed segment: one price for every number, or a price per country calling
/// code (`"852"`) with a default for the codes not named (`sending.price-per-segment`).
public struct SegmentPrices: Sendable, Hashable {
    /// Prices by calling code.
    public var byCallingCode: [Int: Double]
    /// The price of a segment to a calling code not in `byCallingCode`.
    public var defaultPrice: Double

    /// Prices by calling code with a default.
    public init(byCallingCode: [Int: Double] = [:], defaultPrice: Double) {
        self.byCallingCode = byCallingCode
        self.defaultPrice = defaultPrice
    }

    /// The price of a segment to `callingCode`.
    public func price(callingCode: Int) -> Double {
        byCallingCode[callingCode] ?? defaultPrice
    }

    /// Whether every calling code has the default price.
    public var isUniform: Bool { byCallingCode.isEmpty }
}
