import Foundation

/// QueryTokenForMnsQueue, after the SMS API's signature check (v1 or v3): a token for the
/// `MessageType`'s queue, with an `ExpireTime` in Asia/Shanghai time.
extension MNSQueueService {
    /// Answers QueryTokenForMnsQueue: `MessageType` required (`SmsReport` or `SmsUp`), `QueueName`,
    /// when given, the type's queue; else 404 `QueueNotExist`.
    func token(_ parameters: [String: String], replying: EmulatorCore.Replying) -> EmulatorReply {
        guard let type = parameters["MessageType"], !type.isEmpty else {
            return replying.reply(400, "MissingMessageType", "MessageType is mandatory for this action.")
        }
        guard let name = QueueEmulation.queueName(messageType: type) else {
            return replying.reply(404, "QueueNotExist", "The account has no queue of MessageType \(type).")
        }
        if let asked = parameters["QueueName"], !asked.isEmpty, asked != name {
            return replying.reply(404, "QueueNotExist", "The queue \(asked) is not the account's \(type) queue.")
        }
        let now = configuration.now()
        let token = QueueToken.issue(queueName: name, now: now, lifetime: EmulatorCore.seconds(emulation.tokenLifetime))
        state.withLock { state in
            if state.tokens.count > 10_000 { state.tokens = state.tokens.filter { $0.value.expires > now.addingTimeInterval(-86_400) } }
            state.tokens[token.accessKeyId] = token
        }
        return replying.reply(200, "OK", "OK", extra: ["MessageTokenDTO": [
            "AccessKeyId": token.accessKeyId, "AccessKeySecret": token.accessKeySecret, "SecurityToken": token.securityToken,
            "CreateTime": EmulatorCore.chinaTime(token.created), "ExpireTime": EmulatorCore.chinaTime(token.expires),
        ]])
    }
}
