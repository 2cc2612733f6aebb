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

/// The clock a run reads and sleeps on: the system's, or a test's that moves when told. Its sleep
/// ends early, throwing `CancellationError`, when the task is cancelled (SIGINT, SIGTERM).
public protocol RunClock: Clock, Sendable where Instant == WallTime, Duration == Swift.Duration {}

/// The system's wall clock.
public struct SystemRunClock: RunClock {
    /// The clock.
    public init() {}

    public var now: WallTime { WallTime(seconds: Date().timeIntervalSince1970) }

    public var minimumResolution: Duration { .microseconds(1) }

    public func sleep(until deadline: WallTime, tolerance: Duration?) async throws {
        let seconds = deadline.seconds - Date().timeIntervalSince1970
        if seconds > 0 { try await Task.sleep(for: .nanoseconds(Int64(seconds * 1e9))) } else { try Task.checkCancellation() }
    }
}
