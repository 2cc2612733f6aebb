import Foundation

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
