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
    var renewal: Task<MNSQueueToken, any Error>?
    private var fetched = 0

    /// Creates the queue client; nothing is asked until the first call. `dybase` signs the token
    /// request with the account's credentials (its endpoint is Dybaseapi's); `now` is the clock of
    /// the token's renewal.
    public init(kind: ReceiptQueueKind, queueName: String, dybase: SMSClient,
                mnsEndpoint: String = MNSReceiptQueue.defaultMNSEndpoint,
                transport: HTTPClientTransport, now: @escaping @Sendable () -> Date = { Date() }) {
        self.kind = kind
        self.queueName = queueName
        self.dybase = dybase
        self.mnsEndpoint = mnsEndpoint.hasSuffix("/") ? String(mnsEndpoint.dropLast()) : mnsEndpoint
        self.transport = transport
        self.now = now
    }

    /// How many tokens were fetched (for the summary and tests).
    public var tokensFetched: Int { fetched }

    /// Up to `max` (at most 16) messages, waiting up to `waitSeconds` (at most 30) for the first;
    /// `[]` when the wait ended empty (404 MessageNotExist).
    public func receive(max: Int = 16, waitSeconds: Int) async throws(QueueError) -> [QueueMessage] {
        throw QueueError(.unavailable, "not yet")
    }

    /// Deletes by receipt handle (16 per call; more are split) and returns the handles that could
    /// not be deleted with the provider's code (204 means none failed; `<Errors>` lists failures).
    public func delete(_ handles: [String]) async throws(QueueError) -> [(handle: String, code: String)] {
        throw QueueError(.unavailable, "not yet")
    }
}
