/// What the carrier reports for accepted messages, decided once (`ReportPlan.reports(for:)`):
/// the receipts (some to arrive twice), the replies, and what the record keeps of them. The
/// pusher pushes them, the receipt queues (`--queue`) hold them.
struct CarrierReports: Sendable {
    /// One receipt per message, as a push's JSON object holds it (all values text).
    var receipts: [[String: String]] = []
    /// Whether each receipt arrives a second time, later.
    var repeated: [Bool] = []
    /// The replies (SmsUp).
    var replies: [[String: String]] = []
    /// Each receipt's outcome, for the record.
    var decided: [(bizId: String, phone: String, success: Bool, code: String)] = []
    /// The replies that asked to unsubscribe.
    var unsubscribes: [(phone: String, signName: String)] = []

    /// Records the outcomes and replies decided.
    func record(in record: EmulatorRecord) {
        record.recordReports(decided)
        if !replies.isEmpty { record.recordReplies(count: replies.count, unsubscribes: unsubscribes) }
    }
}
