import Foundation

/// The clock a run reads and sleeps on: the system's, or a test's that moves when told. Its sleep
/// ends early, throwing `CancellationError`, when the task is cancelled (SIGINT, SIGTERM).
public protocol RunClock: Clock, Sendable where Instant == WallTime, Duration == Swift.Duration {}
