import Foundation

/// The body every Dysmsapi answer has: `Code`, `Message`, `RequestId`, and for an accepted send
/// `BizId`. Gateway errors (4xx/5xx) have the same `Code`/`Message` and may add `HostId` and
/// `Recommend`.
public struct SMSResponse: Sendable, Hashable {
    /// `OK`, or an error code such as `isv.BUSINESS_LIMIT_CONTROL` or `Throttling.User`.
    public var code: String
    /// The platform's words.
    public var message: String
    /// The request's id at the platform.
    public var requestId: String?
    /// For an accepted send: the id shared by every number of the request.
    public var bizId: String?

    /// Whether the platform accepted the request.
    public var isOK: Bool { code == "OK" }

    /// Decodes a JSON body; nil when it is not a JSON object with a `Code`.
    public init?(json bytes: [UInt8]) {
        guard let object = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any],
              let code = ResponseFields.string(object["Code"]) else { return nil }
        self.code = code
        message = ResponseFields.string(object["Message"]) ?? ""
        requestId = ResponseFields.string(object["RequestId"])
        bizId = ResponseFields.string(object["BizId"])
    }

    /// Creates a response.
    public init(code: String, message: String, requestId: String? = nil, bizId: String? = nil) {
        self.code = code
        self.message = message
        self.requestId = requestId
        self.bizId = bizId
    }
}
