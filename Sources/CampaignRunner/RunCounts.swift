import AliyunSMS
import CampaignCompiler
import Foundation

/// Recipients by outcome: the `status` counts.
public struct RunCounts: Sendable, Hashable, Codable {
    /// Every recipient of the plan.
    public var total = 0
    /// Accepted by the provider.
    public var sent = 0
    /// Refused for good.
    public var failed = 0
    /// Waiting for a per-number limit or a backoff.
    public var deferred = 0
    /// Not sent yet.
    public var pending = 0
    /// Sent or not: the answer is unknown until the provider is asked.
    public var uncertain = 0
    /// Not sent before the campaign ended.
    public var expired = 0
    /// Failed recipients by the provider's code.
    public var failedByCode: [String: Int] = [:]

    /// No recipients.
    public init() {}

    /// Adds a batch's recipients.
    public mutating func add(_ batch: BatchRecord) { count(batch, 1) }

    /// Takes a batch's recipients away.
    public mutating func remove(_ batch: BatchRecord) { count(batch, -1) }

    private mutating func count(_ batch: BatchRecord, _ sign: Int) {
        let recipients = batch.recipients * sign
        total += recipients
        switch batch.state {
        case .accepted: sent += recipients
        case .failed:
            failed += recipients
            let code = batch.code ?? "unknown"
            let left = failedByCode[code, default: 0] + recipients
            failedByCode[code] = left == 0 ? nil : left
        case .deferred: deferred += recipients
        case .pending: pending += recipients
        case .sending, .uncertain: uncertain += recipients
        case .expired: expired += recipients
        }
    }

    /// Counts of the recipients in `batches`.
    public init(_ batches: [BatchRecord]) {
        for batch in batches { add(batch) }
    }

    /// Whether every recipient has a final outcome.
    public var isDone: Bool { total == sent + failed + expired }
}
