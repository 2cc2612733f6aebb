import Foundation

/// One message received from a receipt queue, as BatchReceiveMessage gave it.
public struct QueueMessage: Sendable, Hashable {
    /// The queue's id of the message (the same on every delivery).
    public var messageId: String
    /// The handle that deletes this delivery (a new one on every delivery).
    public var receiptHandle: String
    /// `MessageBody` as received, entities decoded (Base64 of the JSON, normally).
    public var body: String
    /// How many times the message has been delivered, this time included.
    public var dequeueCount: Int
    /// When the message was queued (`EnqueueTime`, epoch milliseconds in the XML).
    public var enqueueTime: Date?

    /// Creates a message.
    public init(messageId: String, receiptHandle: String, body: String, dequeueCount: Int, enqueueTime: Date? = nil) {
        self.messageId = messageId
        self.receiptHandle = receiptHandle
        self.body = body
        self.dequeueCount = dequeueCount
        self.enqueueTime = enqueueTime
    }
}
