import ArgumentParser
import SMSEmulator

/// `salvo emulator --queue` and its options: the emulator plays Alibaba Cloud's receipt queues
/// (QueryTokenForMnsQueue and an MNS-compatible endpoint), so that `salvo receipts pull` can be
/// tested against it.
struct EmulatorQueueOptions: ParsableArguments {
    static let discussion = """
            With --queue the receipts (SmsReport) and replies (SmsUp) it would push go into two in-memory \
            queues, \(QueueEmulation.reportQueueName) and \(QueueEmulation.replyQueueName) (also pushed when \
            --report-url is given too), read as Alibaba Cloud's receipt queues are: a token from \
            QueryTokenForMnsQueue (signed like every call; MessageType SmsReport or SmsUp, QueueName its queue, \
            else QueueNotExist) and the MNS endpoint on the same URL (point --dybase-endpoint and --mns-endpoint \
            at it): GET and DELETE /queues/<name>/messages signed with the token's secret and carrying its \
            security-token, long polls of up to 30 s, messages received again after --queue-visibility seconds \
            with a new receipt handle. An expired token is refused with 403 AccessDenied "The token has expired.". \
            The queues live in memory: an emulator restart loses them. 'salvo emulator stats' counts queued, \
            queueDeleted and queueRedelivered; a deleted receipt counts as acknowledged.
            """

    @Flag(help: "Also play the receipt queues (QueryTokenForMnsQueue and an MNS endpoint under /queues/): receipts and replies are queued instead of, or with --report-url as well as, pushed.")
    var queue = false
    @Option(help: ArgumentHelp("Seconds a received message stays invisible before it is delivered again. (default: 30)", valueName: "seconds"))
    var queueVisibility: Int?
    @Option(help: ArgumentHelp("Seconds a queue token lasts (its ExpireTime). (default: 3600)", valueName: "seconds"))
    var queueTokenLifetime: Int?
    @Option(help: ArgumentHelp("The first N BatchDeleteMessage calls answer 500 InternalError and delete nothing (a fault for tests).", valueName: "n"))
    var queueFailDeletes: Int?
    @Option(help: ArgumentHelp("Put N extra messages in the SmsReport queue whose bodies are not Base64 JSON ('not-base64!' and Base64 of '{oops'), for tests.", valueName: "n"))
    var queueMalformed: Int?

    func validate() throws {
        guard queue else {
            let given = [("--queue-visibility", queueVisibility != nil), ("--queue-token-lifetime", queueTokenLifetime != nil),
                         ("--queue-fail-deletes", queueFailDeletes != nil), ("--queue-malformed", queueMalformed != nil)].filter(\.1).map(\.0)
            if let first = given.first { throw ValidationError("\(first) needs --queue") }
            return
        }
        if let queueVisibility, !(1...43_200).contains(queueVisibility) { throw ValidationError("--queue-visibility is 1 to 43200 seconds") }
        if let queueTokenLifetime, queueTokenLifetime < 1 { throw ValidationError("--queue-token-lifetime is at least 1 second") }
        for (name, value) in [("--queue-fail-deletes", queueFailDeletes), ("--queue-malformed", queueMalformed)] {
            if let value, value < 0 { throw ValidationError("\(name) is 0 or more") }
        }
    }

    /// What the options ask for.
    var emulation: QueueEmulation {
        var emulation = QueueEmulation()
        emulation.enabled = queue
        if let queueVisibility { emulation.visibility = .seconds(queueVisibility) }
        if let queueTokenLifetime { emulation.tokenLifetime = .seconds(queueTokenLifetime) }
        emulation.failDeletes = queueFailDeletes ?? 0
        emulation.malformed = queueMalformed ?? 0
        return emulation
    }
}
