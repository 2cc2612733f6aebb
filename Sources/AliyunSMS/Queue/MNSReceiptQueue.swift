import Foundation

/// The receipt queue of one `MessageType` at Alibaba Cloud's Message Service: a token from
/// QueryTokenForMnsQueue (renewed when less than two minutes or half its lifetime remain,
/// whichever is shorter; one renewal at a time; renewed at once after a call refused for an
/// expired or invalid token, and that call made once more), BatchReceiveMessage (long poll) and
/// BatchDeleteMessage.
public actor MNSReceiptQueue {
    /// Alibaba Cloud's fixed MNS endpoint for the receipt queues (mainland China).
    public static let defaultMNSEndpoint = "https://1943695596114318.mns.cn-hangzhou.aliyuncs.com"
    /// Dybaseapi's endpoint, where QueryTokenForMnsQueue is called.
    public static let defaultDybaseEndpoint = "https://dybaseapi.aliyuncs.com"
    /// The most messages one BatchReceiveMessage or BatchDeleteMessage takes.
    public static let maxBatch = 16
    /// The longest long poll.
    public static let maxWaitSeconds = 30

    /// Which queue.
    public let kind: ReceiptQueueKind
    /// The queue's name (`Alicom-Queue-<digits>-SmsReport`).
    public let queueName: String
    let dybase: SMSClient
    let mnsEndpoint: String
    let transport: HTTPClientTransport
    let now: @Sendable () -> Date

    /// The token in use, and how many have been fetched (its generation).
    var token: MNSQueueToken?
    var renewal: Task<(MNSQueueToken, Int), any Error>?
    var fetched = 0

    /// How long an answer may take beyond a poll's wait (and a delete in all).
    let answerTime: Int

    /// Creates the queue client; nothing is asked until the first call. `dybase` signs the token
    /// request with the account's credentials (its endpoint is Dybaseapi's); `now` is the clock of
    /// the token's renewal; `answerTime` how long an answer may take beyond a poll's wait.
    public init(kind: ReceiptQueueKind, queueName: String, dybase: SMSClient,
                mnsEndpoint: String = MNSReceiptQueue.defaultMNSEndpoint,
                transport: HTTPClientTransport, now: @escaping @Sendable () -> Date = { Date() }, answerTime: Duration = .seconds(10)) {
        self.answerTime = Swift.max(Int(answerTime.components.seconds), 1)
        self.kind = kind
        self.queueName = queueName
        self.dybase = dybase
        self.mnsEndpoint = mnsEndpoint.hasSuffix("/") ? String(mnsEndpoint.dropLast()) : mnsEndpoint
        self.transport = transport
        self.now = now
    }

    /// How many tokens were fetched (for the summary and tests).
    public var tokensFetched: Int { fetched }

    // MARK: - Calls

    /// Up to `max` (at most 16) messages, waiting up to `waitSeconds` (at most 30) for the first;
    /// `[]` when the wait ended empty (404 MessageNotExist).
    public func receive(max: Int = 16, waitSeconds: Int) async throws(QueueError) -> [QueueMessage] {
        let count = Swift.min(Swift.max(max, 1), Self.maxBatch)
        let wait = Swift.min(Swift.max(waitSeconds, 0), Self.maxWaitSeconds)
        let call = Call(name: "BatchReceiveMessage", method: "GET", resource: "\(messagesPath)?numOfMessages=\(count)&waitseconds=\(wait)",
                        timeout: .seconds(wait + answerTime))
        let response = try await perform(call)
        let answer = MNSAnswer.read(response.body)
        if response.status == 200 {
            guard case .messages(let messages) = answer else {
                throw QueueError(.malformed, "BatchReceiveMessage on queue '\(queueName)' answered HTTP 200 without a readable <Messages> list")
            }
            return messages
        }
        if case .error("MessageNotExist", _, _) = answer { return [] }
        throw failure(call, response)
    }

    /// Deletes by receipt handle (16 per call; more are split) and returns the handles that could
    /// not be deleted with the provider's code (204 means none failed; `<Errors>` lists failures).
    public func delete(_ handles: [String]) async throws(QueueError) -> [(handle: String, code: String)] {
        var failed: [(handle: String, code: String)] = []
        for start in stride(from: 0, to: handles.count, by: Self.maxBatch) {
            let chunk = Array(handles[start..<Swift.min(start + Self.maxBatch, handles.count)])
            let call = Call(name: "BatchDeleteMessage", method: "DELETE", resource: messagesPath, body: Self.receiptHandlesXML(chunk), timeout: .seconds(2 * answerTime))
            let response = try await perform(call)
            switch MNSAnswer.read(response.body) {
            case .failures(let failures):
                failed += failures.map { ($0.handle, $0.code) }
            case .error(let code, _, _) where response.status < 500 && ["MessageNotExist", "ReceiptHandleError"].contains(code):
                // The whole request failed for its handles (a batch of one, or none valid).
                failed += chunk.map { ($0, code) }
            case _ where (200..<300).contains(response.status):
                continue
            default:
                throw failure(call, response)
            }
        }
        return failed
    }

    // MARK: - Wire

    /// `/queues/<name>/messages`, the name percent-encoded where it needs to be.
    var messagesPath: String { "/queues/\(PercentEncoding.encode(queueName))/messages" }

    /// The BatchDeleteMessage body, byte for byte as PY-MNS's `ReceiptHandlesEncoder` writes it.
    static func receiptHandlesXML(_ handles: [String]) -> [UInt8] {
        var xml = #"<?xml version="1.0" encoding="utf-8"?><ReceiptHandles xmlns="http://mns.aliyuncs.com/doc/v1/">"#
        for handle in handles { xml += "<ReceiptHandle>\(escaped(handle))</ReceiptHandle>" }
        return Array((xml + "</ReceiptHandles>").utf8)
    }

    /// Text escaped for an XML element (`&`, `<`, `>`, as minidom writes it; quotes need none there).
    static func escaped(_ text: String) -> String {
        var out = ""
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            default: out.append(character)
            }
        }
        return out
    }
}
