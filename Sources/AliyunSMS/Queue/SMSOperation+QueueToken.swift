extension SMSOperation {
    /// QueryTokenForMnsQueue (Dybaseapi 2017-05-25, RPC): a temporary token for the receipt queue
    /// of `kind`, with `MessageType` and `QueueName` in the query as the official SDK puts them.
    public static func queryTokenForMnsQueue(kind: ReceiptQueueKind, queueName: String) throws(Invalid) -> SMSOperation {
        guard !queueName.isEmpty else { throw Invalid(.operation, "QueryTokenForMnsQueue needs a queue name") }
        return SMSOperation(action: .queryTokenForMnsQueue, query: [("MessageType", kind.rawValue), ("QueueName", queueName)], body: [])
    }
}
