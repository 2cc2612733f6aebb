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

/// One record of QuerySendDetails: what happened to one message to one number.
public struct SendDetail: Sendable, Hashable {
    /// 1 waiting for a receipt, 2 failed, 3 delivered.
    public var sendStatus: Int
    /// The carrier's status code (`DELIVERED` on success).
    public var errorCode: String
    /// The template code.
    public var templateCode: String
    /// The caller's OutId, echoed.
    public var outId: String?
    /// When it was sent, `yyyy-MM-dd HH:mm:ss` China time.
    public var sendDate: String
    /// When the receipt came, if it has.
    public var receiveDate: String?
    /// The number (the platform may mask it).
    public var phoneNumber: String
}

/// A QuerySendDetails answer.
public struct QuerySendDetailsResponse: Sendable, Hashable {
    /// `OK` or an error code.
    public var code: String
    /// The platform's words.
    public var message: String
    /// How many records match (all pages).
    public var totalCount: Int
    /// The records on this page.
    public var details: [SendDetail]

    /// Decodes a JSON body, tolerant of numbers sent as strings and the reverse.
    public init?(json bytes: [UInt8]) {
        guard let object = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any],
              let code = ResponseFields.string(object["Code"]) else { return nil }
        self.code = code
        message = ResponseFields.string(object["Message"]) ?? ""
        totalCount = ResponseFields.int(object["TotalCount"]) ?? 0
        let container = object["SmsSendDetailDTOs"] as? [String: Any]
        let list = container?["SmsSendDetailDTO"] as? [[String: Any]] ?? []
        details = list.map { item in
            SendDetail(sendStatus: ResponseFields.int(item["SendStatus"]) ?? 0, errorCode: ResponseFields.string(item["ErrCode"]) ?? "",
                       templateCode: ResponseFields.string(item["TemplateCode"]) ?? "", outId: ResponseFields.string(item["OutId"]),
                       sendDate: ResponseFields.string(item["SendDate"]) ?? "", receiveDate: ResponseFields.string(item["ReceiveDate"]),
                       phoneNumber: ResponseFields.string(item["PhoneNum"]) ?? "")
        }
    }
}

/// Reading JSON fields whatever type the platform chose for them.
enum ResponseFields {
    static func string(_ value: Any?) -> String? {
        switch value {
        case let text as String: text
        case let number as NSNumber: number.stringValue
        default: nil
        }
    }

    static func int(_ value: Any?) -> Int? {
        switch value {
        case let number as NSNumber: number.intValue
        case let text as String: Int(text)
        default: nil
        }
    }
}
