import Foundation

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
