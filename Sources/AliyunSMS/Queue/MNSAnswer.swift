import Foundation

/// An MNS answer body in one of the shapes the receipt queue gives: received messages, the
/// failed handles of a batch delete, or an error. Anything else reads as nil (`.malformed`).
enum MNSAnswer {
    /// `<Messages><Message>…</Message>…</Messages>`.
    case messages([QueueMessage])
    /// `<Errors><Error><ErrorCode/><ErrorMessage/><ReceiptHandle/></Error>…</Errors>`: the handles a
    /// batch delete could not delete.
    case failures([(handle: String, code: String, message: String)])
    /// `<Error><Code/><Message/><RequestId/><HostId/></Error>`: the whole request failed.
    case error(code: String, message: String, requestId: String?)

    /// Reads `bytes`; nil when they are not one of the three shapes.
    static func read(_ bytes: [UInt8]) -> MNSAnswer? {
        guard let root = MNSXMLReader.parse(bytes) else { return nil }
        switch root.name {
        case "Messages": return messages(root)
        case "Errors": return failures(root)
        case "Error":
            guard let code = field(root, "Code"), !code.isEmpty else { return nil }
            return .error(code: code, message: field(root, "Message") ?? "", requestId: field(root, "RequestId"))
        default: return nil
        }
    }

    /// Every `<Message>`, each with its id, handle, body and dequeue count (the other six of its
    /// nine children are not needed and not required).
    private static func messages(_ root: MNSXMLReader.Element) -> MNSAnswer? {
        var list: [QueueMessage] = []
        for element in root.children {
            guard element.name == "Message", let id = field(element, "MessageId"), !id.isEmpty,
                  let handle = field(element, "ReceiptHandle"), !handle.isEmpty,
                  let body = element.child("MessageBody")?.text,
                  let count = field(element, "DequeueCount").flatMap({ Int($0) }) else { return nil }
            let enqueued = field(element, "EnqueueTime").flatMap { Int64($0) }.map { Date(timeIntervalSince1970: TimeInterval($0) / 1000) }
            list.append(QueueMessage(messageId: id, receiptHandle: handle, body: body, dequeueCount: count, enqueueTime: enqueued))
        }
        return .messages(list)
    }

    private static func failures(_ root: MNSXMLReader.Element) -> MNSAnswer? {
        var list: [(handle: String, code: String, message: String)] = []
        for element in root.children {
            guard element.name == "Error", let code = field(element, "ErrorCode"), !code.isEmpty,
                  let handle = field(element, "ReceiptHandle") else { return nil }
            list.append((handle, code, field(element, "ErrorMessage") ?? ""))
        }
        return .failures(list)
    }

    /// A child's text without surrounding whitespace (not for `MessageBody`, taken as it is).
    private static func field(_ element: MNSXMLReader.Element, _ name: String) -> String? {
        element.child(name).map { $0.text.trimmingCharacters(in: .whitespacesAndNewlines) }
    }
}
