import Foundation

/// One emulated MNS queue as a value: messages in order, invisible while delayed or received
/// (until their visibility timeout), delivered again with a new receipt handle when not deleted.
/// Times are given, so that it is tested without waiting.
struct ReceiptQueue: Sendable {
    /// A message delivered by a receive.
    struct Delivery: Sendable {
        var message: QueuedMessage
        var handle: String
    }

    /// Why a handle deleted nothing: the MNS error code and message.
    struct DeleteFailure: Sendable, Error {
        var code: String
        var message: String
    }

    /// The queue's number, the first part of its receipt handles.
    let number: Int
    /// How long a received message stays invisible.
    let visibility: TimeInterval
    private var messages: [Int: QueuedMessage] = [:]
    /// Visible messages in order (may hold deleted ones, skipped).
    private var ready: [Int] = []
    private var readyStart = 0
    /// Invisible messages by when they become visible (entries whose time no longer matches the
    /// message's are stale, skipped).
    private var invisible = TimeHeap()
    private var nextSequence = 0

    init(number: Int, visibility: TimeInterval) {
        self.number = number
        self.visibility = visibility
    }

    /// Messages not deleted.
    var count: Int { messages.count }

    /// Puts a message, visible at `visibleAt`.
    mutating func put(body: String, now: Date, visibleAt: Date) {
        nextSequence += 1
        let id = UUID().uuidString.replacingOccurrences(of: "-", with: "")
        messages[nextSequence] = QueuedMessage(id: id, body: body, enqueued: now, visibleAt: visibleAt)
        if visibleAt <= now { ready.append(nextSequence) } else { invisible.push(visibleAt, nextSequence) }
    }

    /// Up to `max` visible messages, each made invisible for the visibility timeout with a new
    /// handle; and how many of them were delivered before.
    mutating func receive(max: Int, now: Date) -> (deliveries: [Delivery], redelivered: Int) {
        promote(now: now)
        var deliveries: [Delivery] = []
        var redelivered = 0
        while deliveries.count < max, readyStart < ready.count {
            let sequence = ready[readyStart]
            readyStart += 1
            guard var message = messages[sequence], message.visibleAt <= now else { continue }
            message.dequeueCount += 1
            if message.dequeueCount > 1 { redelivered += 1 }
            if message.firstDequeue == nil { message.firstDequeue = now }
            let handle = "\(number)-\(sequence)-\(message.dequeueCount)-" + String(UInt32.random(in: .min ... .max), radix: 36).uppercased()
            message.handle = handle
            message.visibleAt = now.addingTimeInterval(visibility)
            messages[sequence] = message
            invisible.push(message.visibleAt, sequence)
            deliveries.append(Delivery(message: message, handle: handle))
        }
        if readyStart > 1024, readyStart * 2 > ready.count {
            ready.removeFirst(readyStart)
            readyStart = 0
        }
        return (deliveries, redelivered)
    }

    /// Deletes the message `handle` was given for, if it is its latest delivery's and the
    /// visibility timeout has not passed; the message deleted.
    mutating func delete(handle: String, now: Date) -> Result<QueuedMessage, DeleteFailure> {
        let parts = handle.split(separator: "-")
        guard parts.count == 4, Int(parts[0]) == number, let sequence = Int(parts[1]), Int(parts[2]) != nil else {
            return .failure(DeleteFailure(code: "ReceiptHandleError", message: "The receipt handle you provide is not valid."))
        }
        guard let message = messages[sequence], message.handle == handle, now < message.visibleAt else {
            return .failure(DeleteFailure(code: "MessageNotExist", message: "Message not exist or the receipt handle has expired."))
        }
        messages[sequence] = nil
        return .success(message)
    }

    /// When the next invisible message may become visible; nil when none is invisible.
    var nextVisibility: Date? { invisible.first }

    /// Moves the messages whose time has come from `invisible` to `ready`.
    private mutating func promote(now: Date) {
        while let (time, sequence) = invisible.popDue(now) {
            guard let message = messages[sequence], message.visibleAt == time else { continue }
            ready.append(sequence)
        }
    }
}

/// A binary min-heap of (time, sequence).
struct TimeHeap: Sendable {
    private var items: [(Date, Int)] = []

    /// The earliest time.
    var first: Date? { items.first?.0 }

    mutating func push(_ time: Date, _ sequence: Int) {
        items.append((time, sequence))
        var child = items.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard items[child].0 < items[parent].0 else { break }
            items.swapAt(child, parent)
            child = parent
        }
    }

    /// Removes and returns the earliest entry when it is due at `now`.
    mutating func popDue(_ now: Date) -> (Date, Int)? {
        guard let top = items.first, top.0 <= now else { return nil }
        let last = items.removeLast()
        if !items.isEmpty {
            items[0] = last
            var parent = 0
            while true {
                let left = 2 * parent + 1, right = left + 1
                var smallest = parent
                if left < items.count, items[left].0 < items[smallest].0 { smallest = left }
                if right < items.count, items[right].0 < items[smallest].0 { smallest = right }
                guard smallest != parent else { break }
                items.swapAt(parent, smallest)
                parent = smallest
            }
        }
        return top
    }
}
