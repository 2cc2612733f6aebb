/// The provider actions a plan's batches call; the raw value is the action's name in the plan
/// file and in the request (`PlanBatch.action` holds it as text, so plan files keep their bytes).
public enum PlanAction: String, Sendable, Hashable, CaseIterable {
    /// One request per recipient list, each recipient with their own parameter values.
    case sendBatchSms = "SendBatchSms"
    /// One request for up to 1,000 recipients sharing one set of parameter values.
    case sendSms = "SendSms"

    /// Requests per action, all zero: how plan results start counting.
    public static var noRequests: [String: Int] {
        Dictionary(uniqueKeysWithValues: allCases.map { ($0.rawValue, 0) })
    }
}
