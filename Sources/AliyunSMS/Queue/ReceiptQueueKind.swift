/// Which receipt queue: delivery receipts (`SmsReport`) or replies (`SmsUp`), the `MessageType`
/// QueryTokenForMnsQueue asks a token for.
public enum ReceiptQueueKind: String, Sendable {
    /// Delivery receipts.
    case smsReport = "SmsReport"
    /// Replies from recipients.
    case smsUp = "SmsUp"
}
