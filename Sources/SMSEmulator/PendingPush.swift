/// A push kept in the record: `sms-report` or `sms-up`, its JSON array of texts, the pushes
/// already made of it.
struct PendingPush: Sendable {
    var route: String
    var body: String
    var attempts: Int
}
