import Foundation

/// How the emulator pushes delivery receipts, as Alibaba Cloud does: JSON arrays to a receiving
/// address, some time after the send, with failures, duplicates and retries.
public struct ReportPlan: Sendable {
    /// Where to POST the arrays (the receiver's `/sms-report` address); empty: nothing is pushed
    /// (the receipts only go into the emulator's queues, `--queue`).
    public var url: String
    /// How long after the send a receipt is pushed.
    public var delay: Duration = .milliseconds(500)
    /// The share of receipts that report a failure (a carrier code instead of DELIVERED).
    public var failRate = 0.0
    /// The share for messages of a template code, where it differs from `failRate` (a bad
    /// variant, a failing canary).
    public var failRates: [String: Double] = [:]

    /// The share of failing receipts for messages of `templateCode`.
    func failRate(template templateCode: String) -> Double {
        failRates[templateCode] ?? failRate
    }
    /// The share of receipts pushed twice.
    public var duplicateRate = 0.0
    /// The retry schedule when the receiver does not answer code 0: 1, 5 and 10 minutes, times
    /// this scale (tests make it small).
    public var retryScale = 1.0
    /// Receipts per array, at most.
    public var arraySize = 100
    /// Decides which receipts fail, repeatably.
    public var seed: UInt64 = 1
    /// The share of recipients who reply (SmsUp, pushed to the same address with `sms-up` for
    /// `sms-report`); half of the replies are unsubscribe words.
    public var replyRate = 0.0

    /// Where replies go: the receipts address with its last `sms-report` made `sms-up`.
    var replyURL: String {
        guard let range = url.range(of: "sms-report", options: .backwards) else { return url }
        return url.replacingCharacters(in: range, with: "sms-up")
    }

    /// Pushes to `url`.
    public init(url: String) {
        self.url = url
    }

    static let carrierCodes = [("MK:0012", "用户停机"), ("UNDELIV", "用户无法接收"), ("IC:0001", "空号"), ("MK:0005", "用户关机")]
}
