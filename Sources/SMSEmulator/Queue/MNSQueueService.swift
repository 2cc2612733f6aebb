import Foundation
import Synchronization

/// The receipt queues as the emulator plays them with `--queue`: QueryTokenForMnsQueue (answered
/// through the SMS API's signature check), and the MNS endpoint under `/queues/` (BatchReceiveMessage
/// with long poll, BatchDeleteMessage), signatures checked as §2.3a of the reference says. Queue
/// contents live in memory: an emulator restart loses them.
final class MNSQueueService: Sendable {
    struct State {
        var queues: [String: ReceiptQueue]
        var tokens: [String: QueueToken] = [:]
        var deletesToFail: Int
    }

    /// What a request to the MNS endpoint gets at once.
    enum Immediate {
        /// This answer.
        case answer(EmulatorReply)
        /// A long poll that found nothing yet: answer it in a task (`answerWaiting`).
        case wait
    }

    /// The action that issues tokens, and its parameters.
    static let tokenAction = "QueryTokenForMnsQueue"
    static let tokenParameters: Set<String> = ["MessageType", "QueueName", "OwnerId", "ResourceOwnerAccount", "ResourceOwnerId"]

    let emulation: QueueEmulation
    let configuration: EmulatorConfiguration
    let record: EmulatorRecord
    let state: Mutex<State>
    let waiters = QueueWaiters()

    /// The queues of `configuration.queue`, counting in `record`; the malformed messages asked for
    /// are put in the SmsReport queue.
    init(configuration: EmulatorConfiguration, record: EmulatorRecord) {
        emulation = configuration.queue
        self.configuration = configuration
        self.record = record
        let visibility = EmulatorCore.seconds(configuration.queue.visibility)
        var reports = ReceiptQueue(number: 1, visibility: visibility)
        let now = configuration.now()
        let bodies = ["not-base64!", Data("{oops".utf8).base64EncodedString()]
        for index in 0..<max(configuration.queue.malformed, 0) { reports.put(body: bodies[index % 2], now: now, visibleAt: now) }
        state = Mutex(State(queues: [QueueEmulation.reportQueueName: reports, QueueEmulation.replyQueueName: ReceiptQueue(number: 2, visibility: visibility)],
                            deletesToFail: configuration.queue.failDeletes))
        if configuration.queue.malformed > 0 { record.countQueue(queued: configuration.queue.malformed) }
    }

    /// Stops the long polls waiting (they answer empty at once).
    func close() {
        waiters.close()
    }

    // MARK: - Putting

    /// Puts the receipts and replies of accepted messages, each as one message whose body is
    /// Base64 of its JSON object, visible after the plan's delay (repeated receipts after twice it).
    func put(_ reports: CarrierReports, delay: Duration) {
        let now = configuration.now()
        let visible = now.addingTimeInterval(EmulatorCore.seconds(delay))
        let again = visible.addingTimeInterval(EmulatorCore.seconds(delay))
        // The bodies are made before the lock is taken, so that receives are not held up.
        var receipts: [(body: String, visibleAt: Date)] = []
        for (index, receipt) in reports.receipts.enumerated() {
            let body = Self.body(receipt)
            receipts.append((body, visible))
            if reports.repeated[index] { receipts.append((body, again)) }
        }
        let replies = reports.replies.map(Self.body)
        let count = receipts.count + replies.count
        state.withLock { state in
            for receipt in receipts { state.queues[QueueEmulation.reportQueueName]?.put(body: receipt.body, now: now, visibleAt: receipt.visibleAt) }
            for reply in replies { state.queues[QueueEmulation.replyQueueName]?.put(body: reply, now: now, visibleAt: visible) }
        }
        guard count > 0 else { return }
        record.countQueue(queued: count)
        waiters.signal(QueueEmulation.reportQueueName)
        if !reports.replies.isEmpty { waiters.signal(QueueEmulation.replyQueueName) }
    }

    /// Base64 of the JSON object a push holds for one receipt or reply (`success` a Boolean).
    static func body(_ fields: [String: String]) -> String {
        var object: [String: Any] = fields
        if let success = fields["success"] { object["success"] = success == "true" }
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
        return data.base64EncodedString()
    }

    // MARK: - Answers

    /// An MNS answer: XML (or none), with the request id and version headers.
    static func xml(_ status: Int, _ body: String?, requestId: String) -> EmulatorReply {
        var headers = [("x-mns-request-id", requestId), ("x-mns-version", "2015-06-06")]
        if body != nil { headers.insert(("content-type", "text/xml;charset=utf-8"), at: 0) }
        return EmulatorReply(status: status, headers: headers, body: Array((body ?? "").utf8), delay: .zero, dropConnection: false)
    }

    /// An `<Error>` answer.
    static func error(_ status: Int, _ code: String, _ message: String, request: EmulatorRequest, requestId: String) -> EmulatorReply {
        let host = request.header("host").map { "http://" + $0 } ?? "http://127.0.0.1"
        return xml(status, MNSXML.error(code: code, message: message, requestId: requestId, hostId: host), requestId: requestId)
    }

    /// A request id as MNS writes them: 24 upper-case hex characters.
    static func requestId() -> String {
        String(UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(24))
    }
}
