import Foundation

/// The MNS XML the emulator writes (`<Messages>`, `<Error>`, `<Errors>`) and reads
/// (`<ReceiptHandles>`): fixed shapes, written and read by hand (no XML library in the binary).
enum MNSXML {
    /// The namespace of every MNS document.
    static let namespace = "http://mns.aliyuncs.com/doc/v1/"
    private static let declaration = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"

    /// Text with `&`, `<`, `>` and quotes escaped.
    static func escape(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&apos;"
            default: result.append(character)
            }
        }
        return result
    }

    /// Text with the five named entities and numeric references decoded.
    static func unescape(_ text: Substring) -> String {
        guard text.contains("&") else { return String(text) }
        var result = ""
        var rest = text
        while let amp = rest.firstIndex(of: "&") {
            result += rest[..<amp]
            guard let semicolon = rest[amp...].firstIndex(of: ";") else { break }
            let name = rest[rest.index(after: amp)..<semicolon]
            let named = ["amp": "&", "lt": "<", "gt": ">", "quot": "\"", "apos": "'"]
            if let value = named[String(name)] {
                result += value
            } else if name.hasPrefix("#x"), let code = UInt32(name.dropFirst(2), radix: 16), let scalar = Unicode.Scalar(code) {
                result.unicodeScalars.append(scalar)
            } else if name.hasPrefix("#"), let code = UInt32(name.dropFirst()), let scalar = Unicode.Scalar(code) {
                result.unicodeScalars.append(scalar)
            } else {
                result += rest[amp...semicolon]
            }
            rest = rest[rest.index(after: semicolon)...]
        }
        return result + rest
    }

    /// `<Messages>` with one `<Message>` per delivery (times in epoch milliseconds).
    static func messages(_ deliveries: [ReceiptQueue.Delivery]) -> String {
        func millis(_ date: Date?) -> String { String(Int64(((date ?? Date(timeIntervalSince1970: 0)).timeIntervalSince1970 * 1000).rounded())) }
        var xml = declaration + "<Messages xmlns=\"\(namespace)\">"
        for delivery in deliveries {
            let message = delivery.message
            xml += "<Message><MessageId>\(message.id)</MessageId><ReceiptHandle>\(escape(delivery.handle))</ReceiptHandle>"
                + "<MessageBodyMD5>\(MNSSignatureCheck.bodyMD5(message.body))</MessageBodyMD5><MessageBody>\(escape(message.body))</MessageBody>"
                + "<EnqueueTime>\(millis(message.enqueued))</EnqueueTime><NextVisibleTime>\(millis(message.visibleAt))</NextVisibleTime>"
                + "<FirstDequeueTime>\(millis(message.firstDequeue))</FirstDequeueTime><DequeueCount>\(message.dequeueCount)</DequeueCount>"
                + "<Priority>8</Priority></Message>"
        }
        return xml + "</Messages>"
    }

    /// `<Error>` with its code, message, request id and host id.
    static func error(code: String, message: String, requestId: String, hostId: String) -> String {
        declaration + "<Error xmlns=\"\(namespace)\"><Code>\(escape(code))</Code><Message>\(escape(message))</Message>"
            + "<RequestId>\(escape(requestId))</RequestId><HostId>\(escape(hostId))</HostId></Error>"
    }

    /// `<Errors>` with one `<Error>` per handle that deleted nothing.
    static func errors(_ failures: [(handle: String, failure: ReceiptQueue.DeleteFailure)]) -> String {
        var xml = declaration + "<Errors xmlns=\"\(namespace)\">"
        for (handle, failure) in failures {
            xml += "<Error><ErrorCode>\(escape(failure.code))</ErrorCode><ErrorMessage>\(escape(failure.message))</ErrorMessage>"
                + "<ReceiptHandle>\(escape(handle))</ReceiptHandle></Error>"
        }
        return xml + "</Errors>"
    }

    /// The handles of a `<ReceiptHandles>` document, in order; nil when it is not one.
    static func receiptHandles(_ body: [UInt8]) -> [String]? {
        guard let text = String(validating: body, as: UTF8.self), let root = text.range(of: "<ReceiptHandles"),
              text.range(of: "</ReceiptHandles>", range: root.upperBound..<text.endIndex) != nil else { return nil }
        var handles: [String] = []
        var rest = text[root.upperBound...]
        while let open = rest.range(of: "<ReceiptHandle>") {
            guard let close = rest.range(of: "</ReceiptHandle>", range: open.upperBound..<rest.endIndex) else { return nil }
            var inner = rest[open.upperBound..<close.lowerBound]
            if inner.hasPrefix("<![CDATA["), inner.hasSuffix("]]>") {
                handles.append(String(inner.dropFirst(9).dropLast(3)))
            } else {
                inner = Substring(inner.trimmingCharacters(in: .whitespacesAndNewlines))
                handles.append(unescape(inner))
            }
            rest = rest[close.upperBound...]
        }
        return handles
    }
}
