import Foundation
import Testing
@testable import AliyunSMS

@Suite struct PercentEncodingTests {
    @Test(arguments: [
        ("abcXYZ019-_.~", "abcXYZ019-_.~"), (" ", "%20"), ("*", "%2A"), ("+", "%2B"), ("/", "%2F"), ("%", "%25"), ("&", "%26"),
        ("=", "%3D"), (",", "%2C"), (":", "%3A"), ("^", "%5E"), ("张", "%E5%BC%A0"), ("🎉", "%F0%9F%8E%89"),
    ])
    func encodesAsTheGatewaySigns(text: String, expected: String) {
        #expect(PercentEncoding.encode(text) == expected)
    }

    @Test func decodesBothWireForms() {
        #expect(PercentEncoding.decode("a%20b+c") == "a b c")
        #expect(PercentEncoding.decode("%E5%BC%A0") == "张")
        #expect(PercentEncoding.decode("%E5%BC") == nil, "not UTF-8")
        #expect(PercentEncoding.decode("%G1") == nil)
        #expect(PercentEncoding.parseForm("a=1&b=%2B&c=")?.map { "\($0.0)=\($0.1)" } == ["a=1", "b=+", "c="])
    }
}

@Suite struct OperationTests {
    @Test func templateJSONIsStable() {
        #expect(TemplateJSON.object(["b": "2", "a": "a/b", "名": "张\"伟\n"]) == #"{"a":"a/b","b":"2","名":"张\"伟\n"}"#)
        #expect(TemplateJSON.array(["13800138000", "x"]) == #"["13800138000","x"]"#)
        #expect(TemplateJSON.string("\u{1}") == #""\u0001""#)
    }

    @Test func sendSmsPutsEverythingInTheQuery() throws {
        let operation = try SMSOperation.sendSms(phoneNumbers: ["13800138000", "13900000001"], signName: "云杉", templateCode: "SMS_1", templateParameters: ["code": "1234"], outId: "c:p:1")
        #expect(operation.body.isEmpty)
        #expect(operation.query.map(\.0) == ["PhoneNumbers", "SignName", "TemplateCode", "TemplateParam", "OutId"])
        #expect(operation.query[0].1 == "13800138000,13900000001")
    }

    @Test func sendBatchSmsPutsTheArraysInTheBody() throws {
        let operation = try SMSOperation.sendBatchSms(phoneNumbers: ["13800138000"], signNames: ["云杉"], templateCode: "SMS_1", templateParameters: [["n": "张"]], outId: "o")
        #expect(operation.query.map(\.0) == ["TemplateCode", "OutId"])
        #expect(operation.body.map(\.0) == ["PhoneNumberJson", "SignNameJson", "TemplateParamJson"])
        #expect(operation.body[2].1 == #"[{"n":"张"}]"#)
    }

    @Test func limitsAreEnforced() {
        let thousandAndOne = Array(repeating: "13800138000", count: 1001)
        #expect(throws: SMSOperation.Invalid.self) { try SMSOperation.sendSms(phoneNumbers: thousandAndOne, signName: "a", templateCode: "b", templateParameters: nil) }
        #expect(throws: SMSOperation.Invalid.self) { try SMSOperation.sendBatchSms(phoneNumbers: Array(thousandAndOne.prefix(101)), signNames: Array(repeating: "a", count: 101), templateCode: "b", templateParameters: nil) }
        #expect(throws: SMSOperation.Invalid.self) { try SMSOperation.sendBatchSms(phoneNumbers: ["1", "2"], signNames: ["a"], templateCode: "b", templateParameters: nil) }
        #expect(throws: SMSOperation.Invalid.self) { try SMSOperation.sendSms(phoneNumbers: ["1"], signName: "a", templateCode: "b", templateParameters: nil, outId: String(repeating: "x", count: 256)) }
        #expect(throws: SMSOperation.Invalid.self) { try SMSOperation.querySendDetails(phoneNumber: "1", sendDate: "2027-03-01") }
    }

    @Test func endpointsParse() throws {
        let local = try Endpoint(url: "http://127.0.0.1:8080")
        #expect(local.hostHeader == "127.0.0.1:8080")
        #expect(local.base == "http://127.0.0.1:8080/")
        #expect(try Endpoint(url: "https://dysmsapi.aliyuncs.com:443/").hostHeader == "dysmsapi.aliyuncs.com")
        #expect(throws: SMSOperation.Invalid.self) { try Endpoint(url: "dysmsapi.aliyuncs.com") }
    }

    @Test func everyAttemptGetsAFreshNonceAndTime() throws {
        let signer = RequestSigner(credentials: Credentials(accessKeyId: "id", accessKeySecret: "secret"), endpoint: try Endpoint(url: "https://x.test"), scheme: .v3)
        let operation = try SMSOperation.sendSms(phoneNumbers: ["13800138000"], signName: "a", templateCode: "SMS_1", templateParameters: nil)
        let first = signer.sign(operation, now: Date(timeIntervalSince1970: 0))
        let second = signer.sign(operation, now: Date(timeIntervalSince1970: 1))
        let nonce = { (request: SignedRequest) in request.headers.first { $0.0 == "x-acs-signature-nonce" }?.1 }
        #expect(nonce(first) != nonce(second))
        #expect(first.headers.first { $0.0 == "x-acs-date" }?.1 == "1970-01-01T00:00:00Z")
        #expect(first.headers.first { $0.0 == "authorization" }?.1 != second.headers.first { $0.0 == "authorization" }?.1)
    }
}

@Suite struct ResponseTests {
    @Test func successAndBothErrorKindsDecode() throws {
        let ok = try #require(SMSResponse(json: Array(#"{"Code":"OK","Message":"OK","BizId":"9006^0","RequestId":"R1"}"#.utf8)))
        #expect(ok.isOK && ok.bizId == "9006^0" && ok.requestId == "R1")
        let business = try #require(SMSResponse(json: Array(#"{"Code":"isv.BUSINESS_LIMIT_CONTROL","Message":"触发分钟级流控Permits:1","RequestId":"R2"}"#.utf8)))
        #expect(!business.isOK)
        let gateway = try #require(SMSResponse(json: Array(#"{"RequestId":"R3","HostId":"dysmsapi.aliyuncs.com","Code":"SignatureDoesNotMatch","Message":"Specified signature is not matched with our calculation.","Recommend":"https://x"}"#.utf8)))
        #expect(gateway.code == "SignatureDoesNotMatch")
        #expect(SMSResponse(json: Array("<html>502</html>".utf8)) == nil)
    }

    @Test func querySendDetailsIsTolerantOfTypes() throws {
        let text = #"{"Code":"OK","Message":"OK","TotalCount":"2","SmsSendDetailDTOs":{"SmsSendDetailDTO":[{"PhoneNum":"138****8000","SendStatus":3,"ErrCode":"DELIVERED","TemplateCode":"SMS_1","SendDate":"2027-03-01 10:00:01","ReceiveDate":"2027-03-01 10:00:05","OutId":"c:p:1"},{"SendStatus":"1","OutId":"c:p:2"}]}}"#
        let decoded = try #require(QuerySendDetailsResponse(json: Array(text.utf8)))
        #expect(decoded.totalCount == 2)
        #expect(decoded.details.map(\.sendStatus) == [3, 1])
        #expect(decoded.details.map(\.outId) == ["c:p:1", "c:p:2"])
        let numeric = try #require(QuerySendDetailsResponse(json: Array(#"{"Code":"OK","TotalCount":0}"#.utf8)))
        #expect(numeric.totalCount == 0 && numeric.details.isEmpty)
    }

    @Test(arguments: [
        ("isv.BUSINESS_LIMIT_CONTROL", true, ErrorClass.later), ("isv.DAY_LIMIT_CONTROL", true, .fatal), ("isv.MOBILE_NUMBER_ILLEGAL", true, .recipient),
        ("isv.MOBILE_COUNT_OVER_LIMIT", true, .fatal), ("isv.TEMPLATE_PARAMS_ILLEGAL", true, .recipient), ("isv.INVALID_JSON_PARAM", true, .fatal),
        ("isv.SMS_SIGNATURE_ILLEGAL", true, .fatal), ("isv.AMOUNT_NOT_ENOUGH", true, .fatal), ("isp.SYSTEM_ERROR", true, .ambiguous),
        ("SignatureDoesNotMatch", true, .fatal), ("InvalidAccessKeyId.NotFound", true, .fatal), ("InvalidTimeStamp.Expired", true, .backoff),
        ("SignatureNonceUsed", true, .backoff), ("Throttling.User", true, .backoff), ("Throttling.Whatever", true, .backoff),
        ("MissingPhoneNumbers", true, .fatal), ("ServiceUnavailable", true, .backoff), ("InternalError", true, .ambiguous),
        ("isv.SOMETHING_NEW", true, .ambiguous), ("isv.SOMETHING_NEW", false, .fatal),
    ])
    func codesAreClassified(code: String, isSend: Bool, expected: ErrorClass) {
        #expect(ErrorClass.classify(code: code, isSend: isSend) == expected)
    }

    @Test func failuresCarryRetryAfterAndLimitWindow() {
        let throttled = HTTPResponse(status: 400, headers: [("x-acs-retry-after", "1500")], body: [])
        let failure = SMSClient.failure(SMSResponse(code: "Throttling.User", message: "Request was denied due to user flow control."), response: throttled, isSend: true)
        #expect(failure.errorClass == .backoff)
        #expect(failure.retryAfter == .milliseconds(1500))
        let limited = SMSClient.failure(SMSResponse(code: "isv.BUSINESS_LIMIT_CONTROL", message: "触发小时级流控Permits:5"), response: HTTPResponse(status: 200, headers: [], body: []), isSend: true)
        #expect(limited.limitWindow == .hour)
        #expect(LimitWindow.parse("触发天级流控Permits:10") == .day)
        #expect(LimitWindow.parse("触发分钟级流控Permits:1") == .minute)
    }

    @Test func unreadableAnswersToSendsAreAmbiguousUnlessRefused() {
        #expect(SMSClient.unreadable(HTTPResponse(status: 502, headers: [], body: []), isSend: true).errorClass == .ambiguous)
        #expect(SMSClient.unreadable(HTTPResponse(status: 503, headers: [], body: []), isSend: true).errorClass == .backoff)
        #expect(SMSClient.unreadable(HTTPResponse(status: 500, headers: [], body: []), isSend: false).errorClass == .backoff)
    }
}

@Suite struct CredentialsTests {
    static let marker = "MARKER-SECRET-9f8e7d6c"

    @Test func theEnvironmentComesFirst() throws {
        let credentials = try CredentialsLoader.load(environment: [
            "ALIBABA_CLOUD_ACCESS_KEY_ID": "LTAI5tExampleKeyId", "ALIBABA_CLOUD_ACCESS_KEY_SECRET": Self.marker, "ALIBABA_CLOUD_SECURITY_TOKEN": "tok",
        ])
        #expect(credentials.accessKeyId == "LTAI5tExampleKeyId")
        #expect(credentials.accessKeySecret.value == Self.marker)
        #expect(credentials.securityToken?.value == "tok")
    }

    @Test func halfAPairIsAClearError() {
        #expect(throws: CredentialsError.self) { try CredentialsLoader.load(environment: ["ALIBABA_CLOUD_ACCESS_KEY_ID": "x", "HOME": "/nonexistent"]) }
        do {
            _ = try CredentialsLoader.load(environment: ["HOME": "/nonexistent"])
            Issue.record("expected an error")
        } catch {
            #expect(error.message.contains("ALIBABA_CLOUD_ACCESS_KEY_ID"))
        }
    }

    @Test func theCredentialsFileMustBePrivate() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("salvo-cred-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder + "/.alibabacloud", withIntermediateDirectories: true)
        let path = folder + "/.alibabacloud/credentials"
        try "[other]\naccess_key_id = nope\n\n[default]\ntype = access_key\naccess_key_id = LTAI5tFromFile\naccess_key_secret = \(Self.marker)\n".write(toFile: path, atomically: true, encoding: .utf8)
        chmod(path, 0o644)
        do {
            _ = try CredentialsLoader.load(environment: ["HOME": folder])
            Issue.record("a world-readable credentials file must be refused")
        } catch {
            #expect(error.message.contains("chmod 600"))
            #expect(!error.message.contains(Self.marker))
        }
        chmod(path, 0o600)
        let credentials = try CredentialsLoader.load(environment: ["HOME": folder])
        #expect(credentials.accessKeyId == "LTAI5tFromFile")
        #expect(credentials.accessKeySecret.value == Self.marker)
    }

    @Test func theSecretNeverPrintsItself() {
        let credentials = Credentials(accessKeyId: "LTAI5tExampleKeyId", accessKeySecret: Self.marker, securityToken: Self.marker + "-token")
        var dumped = ""
        dump(credentials, to: &dumped)
        let renderings = ["\(credentials)", String(describing: credentials), String(reflecting: credentials), dumped,
                          "\(credentials.accessKeySecret)", String(reflecting: credentials.securityToken as Any)]
        for text in renderings {
            #expect(!text.contains(Self.marker), "leaked in: \(text)")
        }
        #expect(credentials.maskedKeyId == "LTAI****eyId")
    }

    @Test func aSignedRequestHoldsNoSecret() throws {
        for scheme in SignatureScheme.allCases {
            let signer = RequestSigner(credentials: Credentials(accessKeyId: "id", accessKeySecret: Self.marker), endpoint: try Endpoint(url: "https://x.test"), scheme: scheme)
            let request = signer.sign(try SMSOperation.sendBatchSms(phoneNumbers: ["13800138000"], signNames: ["a"], templateCode: "SMS_1", templateParameters: nil))
            let everything = request.url + request.headers.map { "\($0.0): \($0.1)" }.joined() + String(decoding: request.body, as: UTF8.self)
            #expect(!everything.contains(Self.marker))
        }
    }
}

@Suite struct ProxyTests {
    @Test func theEnvironmentNamesTheProxy() throws {
        let https = try Endpoint(url: "https://dysmsapi.aliyuncs.com")
        #expect(TransportConfiguration.proxy(for: https, environment: ["HTTPS_PROXY": "http://proxy:3128"]) == "http://proxy:3128")
        #expect(TransportConfiguration.proxy(for: https, environment: ["https_proxy": "http://a:1", "HTTPS_PROXY": "http://b:2"]) == "http://a:1")
        #expect(TransportConfiguration.proxy(for: https, environment: ["http_proxy": "http://proxy:3128"]) == nil)
        #expect(TransportConfiguration.proxy(for: https, environment: ["HTTPS_PROXY": "http://p:1", "NO_PROXY": "localhost,.aliyuncs.com"]) == nil)
        let local = try Endpoint(url: "http://127.0.0.1:8080")
        #expect(TransportConfiguration.proxy(for: local, environment: ["http_proxy": "http://p:1", "no_proxy": "127.0.0.1"]) == nil)
    }
}

@Suite struct BatchBuilderTests {
    @Test func rowsAndDictionariesBuildTheSameRequest() throws {
        let phones = ["13800138000", "13900000001"]
        let names = ["name", "code", "a/b"]
        let rows = [["张\"伟", "1234", "x"], ["李娜\n", "5678", "y"]]
        let fromRows = try SMSOperation.sendBatchSms(phoneNumbers: phones, signName: "云杉", templateCode: "SMS_1", parameterNames: names, values: rows, outId: "o")
        let fromDictionaries = try SMSOperation.sendBatchSms(phoneNumbers: phones, signNames: ["云杉", "云杉"], templateCode: "SMS_1",
                                                             templateParameters: rows.map { Dictionary(uniqueKeysWithValues: zip(names, $0)) }, outId: "o")
        #expect(fromRows.query.map { "\($0.0)=\($0.1)" } == fromDictionaries.query.map { "\($0.0)=\($0.1)" })
        #expect(fromRows.body.map { "\($0.0)=\($0.1)" } == fromDictionaries.body.map { "\($0.0)=\($0.1)" })
    }
}
