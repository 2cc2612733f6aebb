import Foundation

/// One message in an emulated receipt queue, and its delivery state.
struct QueuedMessage: Sendable {
    /// 32 upper-case hex characters.
    var id: String
    /// The `MessageBody` (Base64 of the receipt's JSON, normally).
    var body: String
    /// When it was put in the queue.
    var enqueued: Date
    /// When it was first received; nil until then.
    var firstDequeue: Date?
    /// How many times it was received.
    var dequeueCount = 0
    /// When it is (again) visible to a receive.
    var visibleAt: Date
    /// The handle of its latest delivery, the one that may delete it until `visibleAt`.
    var handle: String?
}
