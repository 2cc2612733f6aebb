import AliyunSMS

/// The delivery receipts of a report's sent rows, asked one recipient at a time through
/// QuerySendDetails (`report --receipts`), paced: that call has its own limit, shared with any
/// campaign running now.
public struct ReceiptLookup: Sendable {
    /// The columns the lookup adds, before the pushed delivery columns: the provider's verdict
    /// (`waiting`, `failed`, `delivered`, `unknown`), its code and when the phone received it.
    public static let columns = ["receipt", "receipt_code", "received_at"]

    private let reconciler: Reconciler
    private let interval: Duration

    /// A lookup through `client`, asking about `perSecond` recipients a second at most.
    public init(client: SMSClient, perSecond: Double) {
        reconciler = Reconciler(client: client)
        interval = .microseconds(Int64(1_000_000 / perSecond))
    }

    /// The rows that will be asked about: those sent (`rows` as `StatusReader.report` gives them,
    /// named by `columns`).
    public static func asking(_ rows: [[String]], columns: [String]) -> Int {
        let outcome = columns.firstIndex(of: "outcome") ?? 0
        return rows.filter { $0[outcome] == "sent" }.count
    }

    /// Hands each of `rows` to `row` with the receipt's three values placed where `columns` has
    /// them, before the pushed delivery columns (empty for a row not sent); `attemptTimes` gives
    /// each batch's send time.
    public func addReceipts(to rows: [[String]], columns: [String], attemptTimes: [Int: Double], _ row: ([String]) -> Void) async {
        let outcomeColumn = columns.firstIndex(of: "outcome") ?? 0
        let batchColumn = columns.firstIndex(of: "batch") ?? 0
        let outIdColumn = columns.firstIndex(of: "out_id") ?? 0
        // The receipt's values go where `columns` has them: before the pushed receipt's.
        let insertAt = columns.firstIndex(of: Self.columns[0]) ?? columns.count
        let clock = ContinuousClock()
        var nextQuery = clock.now
        for values in rows {
            var receipt = ["", "", ""]
            if values[outcomeColumn] == "sent", let batch = Int(values[batchColumn]), let time = attemptTimes[batch] {
                if nextQuery > clock.now { try? await Task.sleep(until: nextQuery, clock: clock) }
                nextQuery = max(nextQuery, clock.now) + interval
                receipt = await self.receipt(outId: values[outIdColumn], phone: values[0], attemptAt: time)
            }
            let split = min(insertAt, values.count)
            row(Array(values[..<split]) + receipt + values[split...])
        }
    }

    /// The receipt's three values for one message.
    private func receipt(outId: String, phone: String, attemptAt: Double) async -> [String] {
        guard let detail = await reconciler.receipt(outId: outId, phone: phone, attemptAt: attemptAt) else { return ["unknown", "", ""] }
        return [[1: "waiting", 2: "failed", 3: "delivered"][detail.sendStatus] ?? "unknown", detail.errorCode, detail.receiveDate ?? ""]
    }
}
