/// A delivery receipt (SmsReport) as Alibaba Cloud pushes it, matched to a batch of the run.
public struct Receipt: Sendable, Hashable {
    /// The BizId of the send request; with the phone, what makes a receipt unique.
    public var bizId: String
    /// The recipient, as the provider writes it (11 digits for a mainland number).
    public var phone: String
    /// The OutId the request carried (`CAMPAIGN:PLAN:BATCH`).
    public var outId: String
    /// The batch the OutId names.
    public var batch: Int
    /// Whether the handset received it.
    public var success: Bool
    /// `DELIVERED`, or the carrier's code (`MK:0012`, `UNDELIV`…).
    public var code: String
    /// The carrier's text.
    public var message: String
    /// Billed segments.
    public var segments: Int
    /// When it went to the carrier and when the carrier reported, as written (China time).
    public var sendTime: String
    public var reportTime: String
    /// When Salvo stored it (seconds since 1970).
    public var receivedAt: Double

    /// A receipt.
    public init(bizId: String, phone: String, outId: String, batch: Int, success: Bool, code: String, message: String, segments: Int,
                sendTime: String, reportTime: String, receivedAt: Double) {
        self.bizId = bizId
        self.phone = phone
        self.outId = outId
        self.batch = batch
        self.success = success
        self.code = code
        self.message = message
        self.segments = segments
        self.sendTime = sendTime
        self.reportTime = reportTime
        self.receivedAt = receivedAt
    }
}

extension Receipt {
    /// The receipt that counts for each recipient, by batch and number: the last one stored,
    /// except that a failure reported after a delivery does not undo it.
    public static func counting(_ receipts: [Receipt]) -> [Int: [String: Receipt]] {
        var counting: [Int: [String: Receipt]] = [:]
        for receipt in receipts {
            if let known = counting[receipt.batch]?[receipt.phone], known.success, !receipt.success { continue }
            counting[receipt.batch, default: [:]][receipt.phone] = receipt
        }
        return counting
    }
}

/// Receipts to store together, durably, before the push is answered.
public struct ReceiptBatch: Sendable, Hashable {
    public var receipts: [Receipt]
    /// Receipts to store.
    public init(receipts: [Receipt]) { self.receipts = receipts }
}

/// What storing receipts did: new ones kept, repeats (same BizId and phone) ignored.
public struct ReceiptsStored: Sendable, Hashable {
    public var stored: Int
    public var duplicates: Int
    /// Counts.
    public init(stored: Int, duplicates: Int) {
        self.stored = stored
        self.duplicates = duplicates
    }
}

/// Which receipts to read.
public struct ReceiptQuery: Sendable, Hashable {
    /// One batch's, or all (nil).
    public var batch: Int?
    /// The receipts of `batch`, or of all batches.
    public init(batch: Int? = nil) { self.batch = batch }
}

/// How the messages sent fared, from their receipts.
public struct DeliveryCounts: Sendable, Hashable {
    /// Recipients whose handset received the message.
    public var delivered = 0
    /// Recipients the carrier could not reach.
    public var failed = 0
    /// Accepted by the provider, no receipt yet.
    public var waiting = 0
    /// Failures by carrier code.
    public var failedByCode: [String: Int] = [:]
    /// Segments billed, as the receipts say.
    public var billedSegments = 0

    /// Counts from receipts, for `sent` recipients accepted by the provider: a number's last
    /// receipt of its batch counts (a failure followed by a delivery is a delivery).
    public init(receipts: [Receipt], sent: Int) {
        for receipt in Receipt.counting(receipts).values.flatMap(\.values) {
            billedSegments += receipt.segments
            if receipt.success {
                delivered += 1
            } else {
                failed += 1
                failedByCode[receipt.code, default: 0] += 1
            }
        }
        waiting = max(sent - delivered - failed, 0)
    }

    public init() {}
}
