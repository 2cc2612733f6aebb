import AliyunSMS
import Foundation
import Synchronization

/// The behaviour of Alibaba Cloud's SMS API: signatures, timestamps, nonces, parameter rules,
/// the same codes and statuses, faults on request, and a durable record of what was accepted.
/// Independent of any network code, so it can be tested directly.
public final class EmulatorCore: Sendable {
    private struct State {
        var nonces: [String: Date] = [:]
        var random: SplitMix64
        /// BizIds count up from the start time, so that they differ between runs of the emulator.
        var nextBizId = UInt64(Date().timeIntervalSince1970 * 1000) * 1000
        var requests = 0
        /// Flow control's budgets: sends (SendSms, SendBatchSms) and QuerySendDetails; nil when
        /// requests are not limited.
        var sendBudget: UserFlowControl.Bucket?
        var queryBudget: UserFlowControl.Bucket?
        /// Requests refused by flow control.
        var throttled = 0
    }

    /// The configuration.
    public let configuration: EmulatorConfiguration
    /// What was accepted.
    public let record: EmulatorRecord
    /// STS and the metadata service, and the keys they issued (with `configuration.sts` on).
    let sts: STSService?
    /// The receipt queues and their tokens (with `configuration.queue` on).
    let queue: MNSQueueService?
    private let state: Mutex<State>

    /// Creates the emulator's behaviour over a record.
    public convenience init(configuration: EmulatorConfiguration, record: EmulatorRecord) {
        self.init(configuration: configuration, record: record,
                  queue: configuration.queue.enabled ? MNSQueueService(configuration: configuration, record: record) : nil)
    }

    /// Creates the emulator's behaviour over a record, with the receipt queues given.
    init(configuration: EmulatorConfiguration, record: EmulatorRecord, queue: MNSQueueService?) {
        self.configuration = configuration
        self.record = record
        self.queue = queue
        sts = configuration.sts.enabled ? STSService(configuration: configuration, record: record) : nil
        var initial = State(random: SplitMix64(state: configuration.faults.seed))
        if configuration.flowControl.isLimited {
            initial.sendBudget = UserFlowControl.Bucket(requestsPerSecond: configuration.flowControl.requestsPerSecond)
            initial.queryBudget = initial.sendBudget
        }
        state = Mutex(initial)
    }

    /// How many requests flow control refused (`configuration.flowControl`); the random
    /// `throttleRate` fault is not counted.
    public var throttledRequests: Int {
        state.withLock { $0.throttled }
    }

    private static let commonV1 = Set(["AccessKeyId", "Action", "Format", "SignatureMethod", "SignatureNonce", "SignatureVersion", "Timestamp", "Version",
                                       "SecurityToken", "RegionId", "Signature", "SignatureType"])
    private static let allowed: [String: Set<String>] = [
        SMSAction.sendSms.wireName: ["PhoneNumbers", "SignName", "TemplateCode", "TemplateParam", "SmsUpExtendCode", "OutId"],
        SMSAction.sendBatchSms.wireName: ["PhoneNumberJson", "SignNameJson", "TemplateCode", "TemplateParamJson", "SmsUpExtendCodeJson", "OutId"],
        SMSAction.querySendDetails.wireName: ["PhoneNumber", "BizId", "SendDate", "PageSize", "CurrentPage"],
        SMSAction.getSmsSign.wireName: ["SignName"],
        SMSAction.getSmsTemplate.wireName: ["TemplateCode"],
    ]

    /// Answers one request.
    public func handle(_ request: EmulatorRequest) -> EmulatorReply {
        let requestId = UUID().uuidString
        let (delay, draw) = state.withLock { state -> (Duration, Double) in
            state.requests += 1
            let jitter = configuration.faults.jitter
            let extra = jitter == .zero ? Duration.zero : jitter * Double.random(in: 0...1, using: &state.random)
            return (configuration.faults.latency + extra, Double.random(in: 0..<1, using: &state.random))
        }
        let replying = Replying(requestId: requestId, delay: delay)
        let call: SignedCall
        switch verify(request) {
        case .failure(let refusal): return replying.refusal(refusal)
        case .success(let verified): call = verified
        }
        let now = configuration.now()
        if let refusal = admit(call, now: now) { return replying.refusal(refusal) }
        return perform(call, draw: draw, now: now, replying: replying)
    }

    /// How one request's answers are made: its id in their bodies, its delay before them.
    struct Replying {
        var requestId: String
        var delay: Duration

        func reply(_ status: Int, _ code: String, _ message: String, extra: [String: Any] = [:], drop: Bool = false,
                   headers: [(String, String)] = []) -> EmulatorReply {
            var object: [String: Any] = ["RequestId": requestId, "Code": code, "Message": message]
            if status >= 400 { object["HostId"] = "dysmsapi.aliyuncs.com" }
            object.merge(extra) { _, new in new }
            let body = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])).map { [UInt8]($0) } ?? []
            return EmulatorReply(status: status, headers: [("content-type", "application/json;charset=utf-8")] + headers, body: body, delay: delay, dropConnection: drop)
        }

        func refusal(_ refusal: Refusal) -> EmulatorReply {
            reply(refusal.status, refusal.code, refusal.message, headers: refusal.headers)
        }
    }

    /// A request whose signature holds: what it asks, and when and under which nonce it was signed.
    private struct SignedCall {
        var action: String
        var version: String
        var timestamp: String
        var nonce: String
        /// The action's own parameters (the signature's left out).
        var business: [String: String] = [:]
    }

    /// An answer refusing a request.
    struct Refusal: Error {
        var status: Int
        var code: String
        var message: String
        var headers: [(String, String)] = []

        init(_ status: Int, _ code: String, _ message: String, headers: [(String, String)] = []) {
            self.status = status
            self.code = code
            self.message = message
            self.headers = headers
        }
    }

    // MARK: - Checks

    /// Finds the parameters (query and form body) and checks the signature, v3 or v1.
    private func verify(_ request: EmulatorRequest) -> Result<SignedCall, Refusal> {
        let parts = request.uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.first == "/" || parts.first == "" else { return .failure(Refusal(404, "InvalidApi.NotFound", "Specified api is not found, please check your url and method.")) }
        guard let query = PercentEncoding.parseForm(parts.count > 1 ? parts[1] : "") else {
            return .failure(Refusal(400, "InvalidParameter", "The query string is not valid percent-encoding."))
        }
        var bodyParameters: [(String, String)] = []
        if !request.body.isEmpty {
            guard request.header("content-type")?.contains("x-www-form-urlencoded") == true,
                  let parsed = String(validating: request.body, as: UTF8.self).flatMap({ PercentEncoding.parseForm(Substring($0)) }) else {
                return .failure(Refusal(400, "InvalidParameter", "The body must be application/x-www-form-urlencoded."))
            }
            bodyParameters = parsed
        }
        if let authorization = request.header("authorization"), authorization.hasPrefix(SignatureV3.algorithm + " ") {
            if case .failure(let refusal) = verifyV3(request, authorization: authorization, query: query) { return .failure(refusal) }
            var call = SignedCall(action: request.header("x-acs-action") ?? "", version: request.header("x-acs-version") ?? "",
                                  timestamp: request.header("x-acs-date") ?? "", nonce: request.header("x-acs-signature-nonce") ?? "")
            for (name, value) in query + bodyParameters { call.business[name] = value }
            return .success(call)
        }
        guard let signature = query.first(where: { $0.0 == "Signature" })?.1 else {
            return .failure(Refusal(400, "IncompleteSignature", "The request signature does not conform to Aliyun standards."))
        }
        return verifyV1(method: request.method, parameters: query.filter { $0.0 != "Signature" } + bodyParameters, signature: signature)
    }

    private func verifyV1(method: String, parameters: [(String, String)], signature: String) -> Result<SignedCall, Refusal> {
        let values = Dictionary(parameters, uniquingKeysWith: { first, _ in first })
        let secret: String
        switch signingSecret(keyId: values["AccessKeyId"], securityToken: values["SecurityToken"]) {
        case .failure(let refusal): return .failure(refusal)
        case .success(let found): secret = found
        }
        guard values["SignatureMethod"] == "HMAC-SHA1", values["SignatureVersion"] == "1.0" else {
            return .failure(Refusal(400, "IncompleteSignature", "The request signature does not conform to Aliyun standards."))
        }
        let expected = SignatureV1.signature(stringToSign: SignatureV1.stringToSign(method: method, canonicalQuery: SignatureV1.canonicalQuery(parameters)),
                                             secret: secret)
        guard expected == signature else {
            return .failure(Refusal(400, "SignatureDoesNotMatch", "Specified signature is not matched with our calculation."))
        }
        var call = SignedCall(action: values["Action"] ?? "", version: values["Version"] ?? "", timestamp: values["Timestamp"] ?? "",
                              nonce: values["SignatureNonce"] ?? "")
        for (name, value) in parameters where !Self.commonV1.contains(name) { call.business[name] = value }
        return .success(call)
    }

    /// When it was signed, whether its nonce was seen before, whether the action and its
    /// parameters exist, and flow control: the refusal, or nil to go on.
    private func admit(_ call: SignedCall, now: Date) -> Refusal? {
        guard let time = Self.parseTimestamp(call.timestamp) else {
            return Refusal(400, "InvalidTimeStamp.Format", "Specified time stamp or date value is not well formatted.")
        }
        guard abs(now.timeIntervalSince(time)) <= Self.seconds(configuration.timestampWindow) else {
            return Refusal(400, "InvalidTimeStamp.Expired", "Specified time stamp or date value is expired.")
        }
        guard !call.nonce.isEmpty else { return Refusal(400, "MissingSignatureNonce", "SignatureNonce is mandatory for this action.") }
        let reused = state.withLock { state -> Bool in
            let horizon = now.addingTimeInterval(-Self.seconds(configuration.nonceMemory))
            if state.nonces.count > 100_000 { state.nonces = state.nonces.filter { $0.value > horizon } }
            if let seen = state.nonces[call.nonce], seen > horizon { return true }
            state.nonces[call.nonce] = now
            return false
        }
        guard !reused else { return Refusal(400, "SignatureNonceUsed", "Specified signature nonce was used already.") }
        guard call.version == SMSOperation.version else { return Refusal(400, "InvalidVersion", "Specified parameter Version is not valid.") }
        guard let allowed = Self.allowed[call.action] ?? (queue != nil && call.action == MNSQueueService.tokenAction ? MNSQueueService.tokenParameters : nil) else { return Refusal(404, "InvalidApi.NotFound", "Specified api is not found, please check your url and method.") }
        if let unknown = call.business.keys.sorted().first(where: { !allowed.contains($0) }) {
            return Refusal(400, "InvalidParameter", "The parameter \(unknown) is not known for \(call.action).")
        }
        // Flow control: the account's requests per second, refused before any processing.
        guard admits(action: call.action, now: now) else {
            return Refusal(400, "Throttling.User", "Request was denied due to user flow control.", headers: configuration.flowControl.retryAfterHeader.map { [$0] } ?? [])
        }
        return nil
    }

    /// The faults drawn for the request, then the call itself.
    private func perform(_ call: SignedCall, draw: Double, now: Date, replying: Replying) -> EmulatorReply {
        // Faults that refuse the request before it is processed.
        let faults = configuration.faults
        if draw < faults.throttleRate {
            return replying.reply(400, "Throttling.User", "Request was denied due to user flow control.")
        }
        if draw < faults.throttleRate + faults.unavailableRate {
            return replying.reply(503, "ServiceUnavailable", "The request has failed due to a temporary failure of the server.")
        }
        let ambiguous = draw < faults.throttleRate + faults.unavailableRate + faults.ambiguousRate

        switch call.action {
        case MNSQueueService.tokenAction:
            return queue?.token(call.business, replying: replying) ?? replying.reply(404, "InvalidApi.NotFound", "Specified api is not found, please check your url and method.")
        case SMSAction.querySendDetails.wireName:
            return querySendDetails(call.business, replying: replying)
        case SMSAction.getSmsSign.wireName:
            return getSmsSign(call.business, now: now, replying: replying)
        case SMSAction.getSmsTemplate.wireName:
            return getSmsTemplate(call.business, now: now, replying: replying)
        default:
            switch send(action: call.action, call.business, requestId: replying.requestId, now: now) {
            case .failure(let refusal):
                return replying.refusal(refusal)
            case .success(let bizId):
                if ambiguous {
                    // Processed and recorded, but the caller never learns it.
                    return draw < faults.throttleRate + faults.unavailableRate + faults.ambiguousRate / 2
                        ? replying.reply(0, "", "", drop: true)
                        : replying.reply(500, "InternalError", "The request processing has failed due to some unknown error.")
                }
                return replying.reply(200, "OK", "OK", extra: ["BizId": bizId])
            }
        }
    }

    // MARK: - Flow control

    /// Takes a token from the action's budget (the read-only calls, QuerySendDetails, GetSmsSign
    /// and GetSmsTemplate, share one; sends share the other), or counts the refusal.
    private func admits(action: String, now: Date) -> Bool {
        guard configuration.flowControl.isLimited else { return true }
        return state.withLock { state -> Bool in
            let admitted: Bool
            if !SMSAction(wireName: action).sendsMessages {
                admitted = state.queryBudget?.take(now: now) ?? true
            } else {
                admitted = state.sendBudget?.take(now: now) ?? true
            }
            if !admitted { state.throttled += 1 }
            return admitted
        }
    }

    // MARK: - Sending

    /// The recipients of one send: a number, a sign name and template parameters each.
    private struct Recipients {
        var phones: [String]
        var signNames: [String]
        var templateParameters: [[String: String]?]
    }

    /// Checks a send, records its recipients and tells `onAccepted`; the BizId, or the refusal.
    private func send(action: String, _ parameters: [String: String], requestId: String, now: Date) -> Result<String, Refusal> {
        guard let templateCode = parameters["TemplateCode"] else { return .failure(Refusal(400, "MissingTemplateCode", "TemplateCode is mandatory for this action.")) }
        let parsed = action == SMSAction.sendSms.wireName ? Self.singleSendRecipients(parameters) : Self.batchSendRecipients(parameters)
        let recipients: Recipients
        switch parsed {
        case .failure(let refusal): return .failure(refusal)
        case .success(let found): recipients = found
        }
        if let outId = parameters["OutId"], outId.count >= 256 {
            return .failure(Refusal(200, "isv.INVALID_PARAMETERS", "OutId超过长度限制"))
        }
        // A number nobody could read is refused first; one the template cannot take only once
        // the sign and template themselves pass.
        let read = sentNumbers(recipients.phones, templateCode: templateCode)
        if case .failure(let refusal) = read, refusal.code != Self.domesticNotSupported { return .failure(refusal) }
        if let refusal = knownRefusal(recipients, templateCode: templateCode) { return .failure(refusal) }
        let numbers: [SentNumber]
        switch read {
        case .failure(let refusal): return .failure(refusal)
        case .success(let found): numbers = found
        }
        let normalised = numbers.map(\.digits)
        let sendDate = Self.chinaDate(now)
        // The per-number caps are the mainland's: international numbers are not counted.
        let capped = zip(numbers, recipients.signNames).filter { $0.0.isMainland }
        if let refusal = dailyCapRefusal(phones: capped.map(\.0.digits), signNames: capped.map(\.1), templateCode: templateCode, sendDate: sendDate) {
            return .failure(refusal)
        }
        let bizId = state.withLock { state -> String in
            state.nextBizId += 1
            return "\(state.nextBizId)^0"
        }
        let sentAt = Self.chinaTime(now)
        let messages = normalised.indices.map { index in
            RecordedMessage(bizId: bizId, requestId: requestId, action: action, phone: normalised[index], signName: recipients.signNames[index], templateCode: templateCode,
                            parameters: recipients.templateParameters[index].map(TemplateJSON.object) ?? "{}", outId: parameters["OutId"], sentAt: sentAt, sendDate: sendDate)
        }
        do {
            try record.append(messages)
        } catch {
            return .failure(Refusal(500, "InternalError", "The request processing has failed due to some unknown error."))
        }
        configuration.onAccepted?(messages)
        return .success(bizId)
    }

    /// SendSms's recipients: numbers separated by commas, one sign name and one parameter object.
    private static func singleSendRecipients(_ parameters: [String: String]) -> Result<Recipients, Refusal> {
        guard let numbers = parameters["PhoneNumbers"] else { return .failure(Refusal(400, "MissingPhoneNumbers", "PhoneNumbers is mandatory for this action.")) }
        guard let signName = parameters["SignName"] else { return .failure(Refusal(400, "MissingSignName", "SignName is mandatory for this action.")) }
        let phones = numbers.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        guard phones.count <= 1000 else { return .failure(Refusal(200, "isv.MOBILE_COUNT_OVER_LIMIT", "手机号码数量超过限制")) }
        var templateParameters: [[String: String]?] = Array(repeating: nil, count: phones.count)
        if let json = parameters["TemplateParam"] {
            guard let object = stringObject(json) else { return .failure(Refusal(200, "isv.INVALID_JSON_PARAM", "JSON参数不合法，只接受字符串值")) }
            templateParameters = Array(repeating: object, count: phones.count)
        }
        return .success(Recipients(phones: phones, signNames: Array(repeating: signName, count: phones.count), templateParameters: templateParameters))
    }

    /// SendBatchSms's recipients: JSON arrays of numbers, sign names and parameter objects.
    private static func batchSendRecipients(_ parameters: [String: String]) -> Result<Recipients, Refusal> {
        guard let numbers = parameters["PhoneNumberJson"] else { return .failure(Refusal(400, "MissingPhoneNumberJson", "PhoneNumberJson is mandatory for this action.")) }
        guard let signs = parameters["SignNameJson"] else { return .failure(Refusal(400, "MissingSignNameJson", "SignNameJson is mandatory for this action.")) }
        guard let phones = stringArray(numbers), let signNames = stringArray(signs) else {
            return .failure(Refusal(200, "isv.INVALID_JSON_PARAM", "JSON参数不合法"))
        }
        guard phones.count <= 100 else { return .failure(Refusal(200, "isv.MOBILE_COUNT_OVER_LIMIT", "手机号码数量超过限制")) }
        guard !phones.isEmpty, signNames.count == phones.count else {
            return .failure(Refusal(200, "isv.INVALID_PARAMETERS", "PhoneNumberJson与SignNameJson的个数不一致"))
        }
        var templateParameters: [[String: String]?] = Array(repeating: nil, count: phones.count)
        if let json = parameters["TemplateParamJson"] {
            guard let objects = objectArray(json) else { return .failure(Refusal(200, "isv.INVALID_JSON_PARAM", "JSON参数不合法，只接受字符串值")) }
            guard objects.count == phones.count else {
                return .failure(Refusal(200, "isv.INVALID_PARAMETERS", "TemplateParamJson与PhoneNumberJson的个数不一致"))
            }
            templateParameters = objects
        }
        return .success(Recipients(phones: phones, signNames: signNames, templateParameters: templateParameters))
    }

    /// Sign names and template the account does not know (when it knows any) or has not
    /// approved, or parameters the template cannot take: the refusal, or nil.
    private func knownRefusal(_ recipients: Recipients, templateCode: String) -> Refusal? {
        for sign in Set(recipients.signNames) where !configuration.signNames.isEmpty && !configuration.signNames.contains(sign) {
            return Refusal(200, "isv.SMS_SIGNATURE_ILLEGAL", "该账号下找不到对应签名")
        }
        for sign in Set(recipients.signNames) where configuration.signs[sign].map({ $0.status != .approved }) ?? false {
            return Refusal(200, "isv.SMS_SIGNATURE_ILLEGAL", "签名未审核通过")
        }
        guard !configuration.templates.isEmpty else { return nil }
        guard let template = configuration.templates[templateCode] else {
            return Refusal(200, "isv.SMS_TEMPLATE_ILLEGAL", "该账号下找不到对应模板")
        }
        guard template.status == .approved else { return Refusal(200, "isv.SMS_TEMPLATE_ILLEGAL", "模板未审核通过") }
        for values in recipients.templateParameters {
            let given = Set(values?.keys.map { $0 } ?? [])
            if !template.placeholders.isSubset(of: given) {
                return Refusal(200, "isv.TEMPLATE_MISSING_PARAMETERS", "模板缺少变量")
            }
            for value in values?.values.map({ $0 }) ?? [] where value.isEmpty || value.count > 35 {
                return Refusal(200, "isv.PARAM_LENGTH_LIMIT", "参数超出长度限制")
            }
        }
        return nil
    }

    /// A number that would pass the daily cap for its sign name and template: the refusal, or nil.
    private func dailyCapRefusal(phones: [String], signNames: [String], templateCode: String, sendDate: String) -> Refusal? {
        guard configuration.faults.dailyCap > 0 else { return nil }
        var counts: [String: Int] = [:]
        for (phone, sign) in zip(phones, signNames) {
            let key = phone + "\u{1}" + sign
            if counts[key] == nil {
                counts[key] = record.messages(phone: phone, sendDate: sendDate, signName: sign, templateCode: templateCode).count
            }
            counts[key, default: 0] += 1
            if counts[key, default: 0] > configuration.faults.dailyCap {
                return Refusal(200, "isv.BUSINESS_LIMIT_CONTROL", "触发天级流控Permits:\(configuration.faults.dailyCap)")
            }
        }
        return nil
    }

    // MARK: - QuerySendDetails

    private func querySendDetails(_ parameters: [String: String], replying: Replying) -> EmulatorReply {
        for name in ["PhoneNumber", "SendDate", "PageSize", "CurrentPage"] where parameters[name] == nil {
            return replying.reply(400, "Missing\(name)", "\(name) is mandatory for this action.")
        }
        guard let phone = parameters["PhoneNumber"].flatMap(Self.queriedNumber) else { return replying.reply(200, "isv.MOBILE_NUMBER_ILLEGAL", "非法手机号") }
        guard let date = parameters["SendDate"], date.count == 8, date.allSatisfy({ $0.isASCII && $0.isNumber }) else {
            return replying.reply(400, "InvalidParameter", "SendDate is yyyyMMdd.")
        }
        guard let size = parameters["PageSize"].flatMap(Int.init), (1...50).contains(size), let page = parameters["CurrentPage"].flatMap(Int.init), page >= 1 else {
            return replying.reply(400, "InvalidParameter", "PageSize is 1 to 50 and CurrentPage at least 1.")
        }
        let rows = record.messages(phone: phone, sendDate: date, bizId: parameters["BizId"])
        let pageRows = rows.dropFirst((page - 1) * size).prefix(size)
        let details: [[String: Any]] = pageRows.map { row in
            var content = "【\(row.signName)】"
            if let template = configuration.templates[row.templateCode] {
                let values = Self.stringObject(row.parameters) ?? [:]
                var text = template.content
                for (name, value) in values { text = text.replacingOccurrences(of: "${\(name)}", with: value) }
                content += text
            }
            var detail: [String: Any] = ["PhoneNum": row.phone, "SendStatus": 3, "ErrCode": "DELIVERED", "TemplateCode": row.templateCode,
                                         "Content": content, "SendDate": row.sentAt, "ReceiveDate": row.sentAt]
            if let outId = row.outId { detail["OutId"] = outId }
            return detail
        }
        return replying.reply(200, "OK", "OK", extra: ["TotalCount": String(rows.count), "SmsSendDetailDTOs": ["SmsSendDetailDTO": details]])
    }

    // MARK: - V3

    private func verifyV3(_ request: EmulatorRequest, authorization: String, query: [(String, String)]) -> Result<Void, Refusal> {
        var fields: [String: String] = [:]
        for part in authorization.dropFirst(SignatureV3.algorithm.count + 1).split(separator: ",") {
            let pieces = part.split(separator: "=", maxSplits: 1)
            if pieces.count == 2 { fields[pieces[0].trimmingCharacters(in: .whitespaces)] = String(pieces[1]) }
        }
        guard let credential = fields["Credential"], let signedHeaders = fields["SignedHeaders"], let signature = fields["Signature"] else {
            return .failure(Refusal(400, "IncompleteSignature", "The request signature does not conform to Aliyun standards."))
        }
        let secret: String
        switch signingSecret(keyId: credential, securityToken: request.header("x-acs-security-token")) {
        case .failure(let refusal): return .failure(refusal)
        case .success(let found): secret = found
        }
        let names = signedHeaders.split(separator: ";").map { String($0) }
        for required in ["host", "x-acs-action", "x-acs-version", "x-acs-date", "x-acs-signature-nonce", "x-acs-content-sha256"] where !names.contains(required) {
            return .failure(Refusal(400, "IncompleteSignature", "The header \(required) must be signed."))
        }
        let hash = SignatureV3.hexSHA256(request.body)
        guard request.header("x-acs-content-sha256") == hash else {
            return .failure(Refusal(400, "SignatureDoesNotMatch", "Specified signature is not matched with our calculation (x-acs-content-sha256 is not the body's hash)."))
        }
        var headers: [(String, String)] = []
        for name in names {
            guard let value = request.header(name) else {
                return .failure(Refusal(400, "IncompleteSignature", "The signed header \(name) is missing."))
            }
            headers.append((name, value))
        }
        let canonical = SignatureV3.canonicalRequest(method: request.method, query: query, headers: headers, payloadHash: hash)
        let expected = SignatureV3.signature(stringToSign: SignatureV3.stringToSign(canonicalRequest: canonical.request), secret: secret)
        guard expected == signature, canonical.signedHeaders == signedHeaders else {
            return .failure(Refusal(400, "SignatureDoesNotMatch", "Specified signature is not matched with our calculation."))
        }
        return .success(())
    }

    // MARK: - Helpers

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    static func parseTimestamp(_ text: String) -> Date? {
        let scalars = Array(text.utf8)
        guard scalars.count == 20, scalars[4] == 0x2D, scalars[7] == 0x2D, scalars[10] == 0x54, scalars[13] == 0x3A, scalars[16] == 0x3A, scalars[19] == 0x5A else { return nil }
        func number(_ from: Int, _ length: Int) -> Int? { Int(String(decoding: scalars[from..<(from + length)], as: UTF8.self)) }
        guard let year = number(0, 4), let month = number(5, 2), let day = number(8, 2), let hour = number(11, 2), let minute = number(14, 2), let second = number(17, 2) else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? calendar.timeZone
        return calendar.date(from: DateComponents(year: year, month: month, day: day, hour: hour, minute: minute, second: second))
    }

    static func chinaTime(_ date: Date) -> String {
        let shifted = Date(timeIntervalSince1970: date.timeIntervalSince1970 + 8 * 3600)
        let utc = AliyunTime.timestamp(shifted)
        return String(utc.prefix(10)) + " " + String(utc.dropFirst(11).prefix(8))
    }

    static func chinaDate(_ date: Date) -> String {
        String(chinaTime(date).prefix(10).filter { $0 != "-" })
    }

    static func mainland(_ text: String) -> String? {
        var digits = text.filter { $0 != " " }
        if digits.hasPrefix("+86") { digits.removeFirst(3) } else if digits.hasPrefix("0086") { digits.removeFirst(4) } else if digits.hasPrefix("86"), digits.count == 13 { digits.removeFirst(2) } else if digits.hasPrefix("+") { return nil }
        guard digits.count == 11, digits.first == "1", digits.allSatisfy({ $0.isASCII && $0.isNumber }), let second = digits.dropFirst().first, second >= "3" else { return nil }
        return digits
    }

    static func stringObject(_ json: String) -> [String: String]? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any] else { return nil }
        var result: [String: String] = [:]
        for (key, value) in object {
            guard let text = value as? String else { return nil }
            result[key] = text
        }
        return result
    }

    static func stringArray(_ json: String) -> [String]? {
        guard let array = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [Any] else { return nil }
        let strings = array.compactMap { $0 as? String }
        return strings.count == array.count ? strings : nil
    }

    static func objectArray(_ json: String) -> [[String: String]?]? {
        guard let array = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [Any] else { return nil }
        var result: [[String: String]?] = []
        for item in array {
            guard let object = item as? [String: Any] else { return nil }
            var strings: [String: String] = [:]
            for (key, value) in object {
                guard let text = value as? String else { return nil }
                strings[key] = text
            }
            result.append(strings)
        }
        return result
    }
}
