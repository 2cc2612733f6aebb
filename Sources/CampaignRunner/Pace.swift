import AliyunSMS
import CampaignCompiler
import Foundation

/// The pace of a run and why, for the progress line and `status`.
public struct Pace: Sendable, Hashable {
    /// Messages per second in force.
    public var rate: Double
    /// The configured rate.
    public var ceiling: Double
    /// Why the rate is what it is.
    public var reason: FlowControl.Reason

    /// A pace.
    public init(rate: Double, ceiling: Double, reason: FlowControl.Reason) {
        self.rate = rate
        self.ceiling = ceiling
        self.reason = reason
    }

    /// "provider throttling: 9,400/s of 50,000/s", or "50,000/s (configured)".
    public var description: String {
        switch reason {
        case .configured: "\(Self.number(ceiling))/s (the campaign's rate)"
        case .providerThrottling: "provider throttling: \(Self.number(rate))/s of \(Self.number(ceiling))/s"
        case .retryAfter: "the provider asked to wait: \(Self.number(rate))/s of \(Self.number(ceiling))/s"
        }
    }

    static func number(_ value: Double) -> String {
        let rounded = Int(value.rounded())
        guard rounded >= 1000 else { return value < 10 && value != value.rounded() ? String(format: "%.1f", value) : String(rounded) }
        var digits = String(rounded)
        var groups: [String] = []
        while digits.count > 3 {
            groups.insert(String(digits.suffix(3)), at: 0)
            digits = String(digits.dropLast(3))
        }
        return ([digits] + groups).joined(separator: ",")
    }
}
