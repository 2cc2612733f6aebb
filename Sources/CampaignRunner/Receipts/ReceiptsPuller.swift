import AliyunSMS
import Foundation
import Synchronization

/// A queue of receipts or replies that the puller takes from: Alibaba Cloud's MNS receipt queue
/// (`MNSReceiptQueue`), or anything that answers the same way.
public protocol ReceiptMessageQueue: Sendable {
    /// Up to `max` messages, waiting up to `waitSeconds` for the first; none when the wait ended empty.
    func receive(max: Int, waitSeconds: Int) async throws(QueueError) -> [QueueMessage]
    /// Deletes messages by receipt handle; the handles that could not be deleted, with the code.
    func delete(_ handles: [String]) async throws(QueueError) -> [(handle: String, code: String)]
}

extension MNSReceiptQueue: ReceiptMessageQueue {}

/// Takes receipts (SmsReport) or replies (SmsUp) from a queue, stores each batch exactly as a
/// push is stored (`ReceiptsReceiver`: matching, repeats, the ledger, unsubscribes), and only
/// then deletes it. A message left undeleted (a crash between the two, a failed delete) comes
/// back after the queue's visibility timeout and is recognised as a repeat: nothing is lost and
/// nothing counted twice. A message whose body is not Base64 of JSON is kept in the ledger as
/// malformed, with the reason, and deleted.
public struct ReceiptsPuller: Sendable {
    /// When to stop.
    public enum Until: Sendable, Equatable {
        /// When a poll comes back empty.
        case empty
        /// At this time (a poll never waits past it).
        case time(Date)
        /// Only when cancelled (SIGINT, SIGTERM).
        case cancelled
    }

    /// What the pull did.
    public struct Tally: Sendable, Hashable {
        /// Messages received (a redelivered message counts again).
        public var received = 0
        /// What became of their contents.
        public var counts = ReceiptsReceiver.PushCounts()
        /// Messages deleted from the queue.
        public var deleted = 0
        /// Messages whose delete failed (they come back later as repeats).
        public var deleteFailures = 0
        /// Polls made.
        public var polls = 0

        /// Nothing yet.
        public init() {}

        /// The summary line: received, stored, repeats, unmatched, malformed, replies, deleted.
        public var summary: String {
            var parts = ["\(received) received", "\(counts.stored) stored", "\(counts.repeated) repeats", "\(counts.unmatched) unmatched"]
            if counts.malformed > 0 { parts.append("\(counts.malformed) malformed") }
            if counts.replies > 0 || counts.unsubscribes > 0 { parts.append("\(counts.replies) replies (\(counts.unsubscribes) to unsubscribe)") }
            parts.append("\(deleted) deleted")
            if deleteFailures > 0 { parts.append("\(deleteFailures) not deleted (they come back and count as repeats)") }
            return parts.joined(separator: ", ")
        }
    }

    /// Why a pull stopped before its end.
    public struct Failure: Error, Sendable, CustomStringConvertible {
        /// The queue refused (exit 1), could not be reached or answered (75), or a batch could
        /// not be stored (1).
        public enum Code: Sendable, Hashable {
            case refused, unavailable, notStored
        }

        public var code: Code
        public var message: String
        /// What was done before it stopped.
        public var tally: Tally

        public var description: String { message }
    }

    /// Messages asked for per poll (MNS's most).
    public static let batchSize = 16
    /// The longest wait of one poll (MNS's most).
    public static let longestWait = 30
    /// Tries of a poll or a delete that the queue could not answer, before the pull stops.
    public static let attempts = 4

    /// Polls made at once by default: while one batch is stored and deleted, the others wait on
    /// the queue, so round trips overlap (MNS serves several consumers of one queue).
    public static let defaultWorkers = 4

    private let queue: any ReceiptMessageQueue
    private let route: ReceiptsReceiver.Route
    private let receiver: ReceiptsReceiver
    private let wait: Int
    private let retryBase: Duration
    private let workers: Int

    /// A puller of `kind` messages from `queue` into what `receiver` stores; each poll waits up
    /// to `waitSeconds` (at most 30), `workers` polls at once; transient failures are retried
    /// after `retryBase`, doubling.
    public init(queue: any ReceiptMessageQueue, kind: ReceiptQueueKind, receiver: ReceiptsReceiver, waitSeconds: Int = 10,
                workers: Int = ReceiptsPuller.defaultWorkers, retryBase: Duration = .seconds(1)) {
        self.queue = queue
        self.route = kind == .smsUp ? .up : .report
        self.receiver = receiver
        self.wait = min(max(waitSeconds, 0), Self.longestWait)
        self.workers = max(workers, 1)
        self.retryBase = retryBase
    }

    /// The tally the workers add to.
    private final class SharedTally: Sendable {
        let state = Mutex(Tally())

        func add(_ delta: Tally) -> Tally {
            state.withLock { tally in
                tally.received += delta.received
                tally.counts.add(delta.counts)
                tally.deleted += delta.deleted
                tally.deleteFailures += delta.deleteFailures
                tally.polls += delta.polls
                return tally
            }
        }

        var value: Tally { state.withLock { $0 } }
    }

    /// Pulls until `until`; `progress` hears the tally after every batch. Cancelling ends the
    /// pull after the batches in hand are stored and deleted; the first failure of any poll ends
    /// the others the same way.
    public func pull(until: Until, progress: @escaping @Sendable (Tally) -> Void = { _ in }) async throws(Failure) -> Tally {
        let shared = SharedTally()
        let failure = await withTaskGroup(of: Failure?.self) { group -> Failure? in
            for _ in 0..<workers {
                group.addTask {
                    do throws(Failure) {
                        try await work(until: until, shared: shared, progress: progress)
                        return nil
                    } catch {
                        return error
                    }
                }
            }
            var first: Failure?
            for await result in group where first == nil {
                if let result {
                    first = result
                    group.cancelAll()
                }
            }
            return first
        }
        if var failure {
            failure.tally = shared.value
            throw failure
        }
        return shared.value
    }

    /// One worker: polls, and stores and deletes each batch, until `until` or cancellation.
    private func work(until: Until, shared: SharedTally, progress: @escaping @Sendable (Tally) -> Void) async throws(Failure) {
        while !Task.isCancelled {
            var wait = self.wait
            if case .time(let end) = until {
                // No poll waits past the end, and none starts in its last second (a poll of no
                // wait repeated would only hammer the queue).
                let left = Int(end.timeIntervalSinceNow.rounded(.down))
                if left < 1 { return }
                wait = min(wait, left)
            }
            let messages: [QueueMessage]
            do {
                messages = try await retrying { () async throws(QueueError) in try await queue.receive(max: Self.batchSize, waitSeconds: wait) }
            } catch {
                // Cancelled during a poll: what it may have taken comes back after the visibility timeout.
                if Task.isCancelled { return }
                throw error
            }
            var poll = Tally()
            poll.polls = 1
            if messages.isEmpty {
                _ = shared.add(poll)
                if until == .empty { return }
                continue
            }
            // The batch in hand is stored and deleted even if the pull is cancelled meanwhile.
            let handled = Task { [self, poll] () async -> Result<Tally, Failure> in
                var delta = poll
                do throws(Failure) {
                    try await handle(messages, tally: &delta)
                    return .success(delta)
                } catch {
                    return .failure(error)
                }
            }
            switch await handled.value {
            case .success(let delta):
                progress(shared.add(delta))
            case .failure(let failure):
                // What the batch did before it failed (stored, say, then not deleted) still counts.
                _ = shared.add(failure.tally)
                throw failure
            }
        }
    }

    /// Stores `messages` and deletes them, counting into `tally`.
    private func handle(_ messages: [QueueMessage], tally: inout Tally) async throws(Failure) {
        tally.received += messages.count
        // Bodies are taken as JSON first (the receiver parses them anyway); only when it refuses the
        // batch as not JSON is each one checked, so that the bad ones go to the ledger alone.
        var (body, malformed) = Self.pushBody(messages, route: route, checkingJSON: false)
        var reply = body.count > 2 ? await receiver.handle(route, body: body) : nil
        if reply?.status == 400 {
            (body, malformed) = Self.pushBody(messages, route: route, checkingJSON: true)
            reply = body.count > 2 ? await receiver.handle(route, body: body) : nil
        }
        if !malformed.isEmpty {
            let new: Int
            do {
                new = try receiver.ledger.storeMalformed(malformed, at: Date().timeIntervalSince1970)
            } catch {
                throw Failure(code: .notStored, message: "could not keep malformed messages in the ledger: \(error)", tally: tally)
            }
            // One delivered again (its delete failed) is already in the ledger: a repeat.
            tally.counts.elements += malformed.count
            tally.counts.malformed += new
            tally.counts.repeated += malformed.count - new
        }
        if let reply {
            guard reply.status == 200, let counts = reply.counts else {
                throw Failure(code: .notStored, message: "could not store a batch of \(messages.count) messages (left in the queue): \(reply.body)", tally: tally)
            }
            tally.counts.add(counts)
        }
        let failed: [(handle: String, code: String)]
        do {
            failed = try await retrying { () async throws(QueueError) in try await queue.delete(messages.map(\.receiptHandle)) }
        } catch {
            var failure = error
            failure.tally = tally
            throw failure
        }
        tally.deleted += messages.count - failed.count
        tally.deleteFailures += failed.count
    }

    /// The messages that are Base64 of JSON, as one JSON array a push would carry; the others
    /// as malformed elements with the reason.
    static func pushBody(_ messages: [QueueMessage], route: ReceiptsReceiver.Route, checkingJSON: Bool = true) -> (body: Data, malformed: [MalformedElement]) {
        var body = Data("[".utf8)
        var malformed: [MalformedElement] = []
        var first = true
        for message in messages {
            let text = Self.trimmed(message.body)
            guard let decoded = Data(base64Encoded: text) else {
                malformed.append(MalformedElement(route: route.rawValue, reason: "malformed-not-base64",
                                                  detail: "message \(message.messageId): the body is not Base64", element: Self.excerpt(text)))
                continue
            }
            if checkingJSON, (try? JSONSerialization.jsonObject(with: decoded, options: [.fragmentsAllowed])) == nil {
                malformed.append(MalformedElement(route: route.rawValue, reason: "malformed-not-json",
                                                  detail: "message \(message.messageId): the Base64 body is not JSON", element: Self.excerpt(String(decoding: decoded, as: UTF8.self))))
                continue
            }
            if !first { body.append(UInt8(ascii: ",")) }
            body.append(decoded)
            first = false
        }
        body.append(UInt8(ascii: "]"))
        return (body, malformed)
    }

    /// `text` without ASCII white space at its ends (Foundation's trimming is slow on Linux, and
    /// this runs for every message).
    static func trimmed(_ text: String) -> String {
        let bytes = text.utf8
        let isSpace = { (byte: UInt8) in byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D }
        guard let first = bytes.firstIndex(where: { !isSpace($0) }), let last = bytes.lastIndex(where: { !isSpace($0) }) else { return "" }
        if first == bytes.startIndex, last == bytes.index(before: bytes.endIndex) { return text }
        return String(decoding: bytes[first...last], as: UTF8.self)
    }

    private static func excerpt(_ text: String) -> String {
        String(decoding: Data(text.utf8).prefix(MalformedElement.excerptLimit), as: UTF8.self)
    }

    /// `call`, tried again after a transient failure (unreachable, throttled, 5xx, unreadable)
    /// up to `attempts` times with doubling waits; a refusal stops at once.
    private func retrying<T>(_ call: () async throws(QueueError) -> T) async throws(Failure) -> T {
        var delay = retryBase
        for attempt in 1...Self.attempts {
            do {
                return try await call()
            } catch {
                if error.code == .refused {
                    throw Failure(code: .refused, message: error.message, tally: Tally())
                }
                if attempt == Self.attempts || Task.isCancelled {
                    throw Failure(code: .unavailable, message: "\(error.message) (tried \(attempt) times)", tally: Tally())
                }
                try? await Task.sleep(for: delay)
                delay *= 2
            }
        }
        throw Failure(code: .unavailable, message: "the queue could not be asked", tally: Tally())
    }
}
