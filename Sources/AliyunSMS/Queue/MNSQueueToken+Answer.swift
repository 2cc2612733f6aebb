import Foundation

extension MNSQueueToken {
    /// The token in a QueryTokenForMnsQueue answer's `MessageTokenDTO`; nil when a key, the token
    /// or a readable `ExpireTime` is missing.
    init?(answer object: [String: Any]) {
        guard let dto = object["MessageTokenDTO"] as? [String: Any],
              let id = ResponseFields.string(dto["AccessKeyId"]), !id.isEmpty,
              let secret = ResponseFields.string(dto["AccessKeySecret"]), !secret.isEmpty,
              let token = ResponseFields.string(dto["SecurityToken"]), !token.isEmpty,
              let expires = ResponseFields.string(dto["ExpireTime"]).flatMap(Self.parseShanghaiTime) else { return nil }
        self.init(accessKeyId: id, accessKeySecret: Secret(secret), securityToken: Secret(token),
                  created: ResponseFields.string(dto["CreateTime"]).flatMap(Self.parseShanghaiTime), expires: expires)
    }

    /// Asia/Shanghai's offset from UTC: eight hours all year (no daylight saving since 1991).
    static let shanghaiOffset: TimeInterval = 8 * 3600

    /// The instant `yyyy-MM-dd HH:mm:ss` names in Asia/Shanghai, as Dybaseapi writes a token's
    /// times (Spring Cloud Alibaba reads them so); nil for any other text.
    public static func parseShanghaiTime(_ text: String) -> Date? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard trimmed.utf8.count == 19, trimmed.utf8.dropFirst(10).first == UInt8(ascii: " ") else { return nil }
        let stamp = String(trimmed.prefix(10)) + "T" + String(trimmed.dropFirst(11)) + "Z"
        return AliyunTime.parseTimestamp(stamp).map { $0.addingTimeInterval(-shanghaiOffset) }
    }
}
