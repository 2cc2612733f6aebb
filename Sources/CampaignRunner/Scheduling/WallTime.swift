import Foundation

/// A point in wall-clock time: seconds since 1970, as schedules, windows and the provider's
/// records count it.
public struct WallTime: InstantProtocol, Sendable {
    /// Seconds since 1970.
    public var seconds: Double

    /// The time `seconds` after 1970.
    public init(seconds: Double) {
        self.seconds = seconds
    }

    public func advanced(by duration: Duration) -> WallTime {
        WallTime(seconds: seconds + Self.seconds(duration))
    }

    public func duration(to other: WallTime) -> Duration {
        .nanoseconds(Int64(((other.seconds - seconds) * 1e9).rounded()))
    }

    public static func < (lhs: WallTime, rhs: WallTime) -> Bool { lhs.seconds < rhs.seconds }

    /// A duration in seconds.
    public static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}
