import Foundation
import Testing
@testable import AliyunSMS

/// The vectors made by the official Python SDK's own signing code
/// (scripts/aliyun-vectors/generate.py): Salvo's signer must match every one byte for byte.
struct SigningVector: Sendable, CustomTestStringConvertible {
    let fields: [String: String]
    let query: [(String, String)]
    let headers: [(String, String)]
    let bodyParams: [(String, String)]

    var name: String { fields["name"] ?? "?" }
    var testDescription: String { name }
    subscript(_ key: String) -> String { fields[key] ?? "" }

    static let all: [SigningVector] = {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/signing-vectors.json").path
        guard let data = FileManager.default.contents(atPath: path),
              let root = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let vectors = root["vectors"] as? [[String: Any]] else { return [] }
        return vectors.map { vector in
            var fields: [String: String] = [:]
            for (key, value) in vector { if let text = value as? String { fields[key] = text } }
            func pairs(_ key: String) -> [(String, String)] {
                ((vector[key] as? [String: Any]) ?? [:]).compactMap { name, value in (value as? String).map { (name, $0) } }
            }
            return SigningVector(fields: fields, query: pairs("query"), headers: pairs("headers"), bodyParams: pairs("bodyParams"))
        }
    }()

    static var v1: [SigningVector] { all.filter { $0["scheme"] == "v1" } }
    static var v3: [SigningVector] { all.filter { $0["scheme"] == "v3" } }
}

@Suite struct SigningVectorTests {
    @Test func thereAreEnoughVectors() {
        #expect(SigningVector.all.count >= 21)
        #expect(!SigningVector.v1.isEmpty && !SigningVector.v3.isEmpty)
    }

    @Test func thePublishedExampleSignsAsPublished() {
        let parameters: [(String, String)] = [
            ("AccessKeyId", "testId"), ("Action", "SendSms"), ("Format", "XML"), ("OutId", "123"), ("PhoneNumbers", "15300000001"),
            ("RegionId", "cn-hangzhou"), ("SignName", "阿里云短信测试专用"), ("SignatureMethod", "HMAC-SHA1"),
            ("SignatureNonce", "45e25e9b-0a6f-4070-8c85-2956eda1b466"), ("SignatureVersion", "1.0"), ("TemplateCode", "SMS_71390007"),
            ("TemplateParam", "{\"customer\":\"test\"}"), ("Timestamp", "2017-07-12T02:42:19Z"), ("Version", "2017-05-25"),
        ]
        let canonical = SignatureV1.canonicalQuery(parameters.reversed())
        let signature = SignatureV1.signature(stringToSign: SignatureV1.stringToSign(method: "GET", canonicalQuery: canonical), secret: "testSecret")
        #expect(signature == "zJDF+Lrzhj/ThnlvIToysFRq6t4=")
    }

    @Test(arguments: SigningVector.v1)
    func v1MatchesTheSDK(_ vector: SigningVector) {
        let parameters = vector.query.filter { $0.0 != "Signature" } + vector.bodyParams
        let canonical = SignatureV1.canonicalQuery(parameters)
        #expect(canonical == vector["canonicalQuery"])
        let stringToSign = SignatureV1.stringToSign(method: vector["method"], canonicalQuery: canonical)
        #expect(stringToSign == vector["stringToSign"])
        #expect(SignatureV1.signature(stringToSign: stringToSign, secret: vector["accessKeySecret"]) == vector["signature"])
    }

    @Test(arguments: SigningVector.v3)
    func v3MatchesTheSDK(_ vector: SigningVector) {
        let headers = vector.headers.filter { $0.0 != "authorization" }
        let payloadHash = SignatureV3.hexSHA256(Array(vector["body"].utf8))
        #expect(payloadHash == vector["hashedPayload"])
        let canonical = SignatureV3.canonicalRequest(method: vector["method"], query: vector.query, headers: headers, payloadHash: payloadHash)
        #expect(canonical.request == vector["canonicalRequest"])
        #expect(canonical.signedHeaders == vector["signedHeaders"])
        let stringToSign = SignatureV3.stringToSign(canonicalRequest: canonical.request)
        #expect(stringToSign == vector["stringToSign"])
        let signature = SignatureV3.signature(stringToSign: stringToSign, secret: vector["accessKeySecret"])
        #expect(signature == vector["signature"])
        #expect(SignatureV3.authorization(accessKeyId: vector["accessKeyId"], signedHeaders: canonical.signedHeaders, signature: signature) == vector["authorization"])
    }

    /// The whole signer (parameter placement, common parameters, headers) on the SDK client's
    /// POST vectors: the same operation signed with the same nonce and time gives the same signature.
    @Test(arguments: SigningVector.all.filter { $0["method"] == "POST" && $0["source"] == "sdk-client" })
    func theSignerPlacesParametersAsTheSDKDoes(_ vector: SigningVector) throws {
        let credentials = Credentials(accessKeyId: vector["accessKeyId"], accessKeySecret: vector["accessKeySecret"],
                                      securityToken: vector.fields["securityToken"])
        let scheme: SignatureScheme = vector["scheme"] == "v1" ? .v1 : .v3
        let signer = RequestSigner(credentials: credentials, endpoint: try Endpoint(url: "https://" + vector["host"]), scheme: scheme,
                                   userAgent: vector.headers.first { $0.0 == "user-agent" }?.1 ?? "")
        let business = vector.query.filter { !["AccessKeyId", "Action", "Format", "SignatureMethod", "SignatureNonce", "SignatureVersion", "Timestamp", "Version", "SecurityToken", "Signature"].contains($0.0) }
        let operation = SMSOperation(action: SMSAction(wireName: vector["action"]), query: business, body: vector.bodyParams.sorted { order($0.0) < order($1.0) })
        let signed = signer.sign(operation, nonce: vector["nonce"], timestamp: vector["timestamp"])
        switch scheme {
        case .v1:
            let components = URLComponents(string: signed.url)
            let signature = components?.queryItems?.first { $0.name == "Signature" }?.value
            #expect(signature == vector["signature"])
        case .v3:
            // The SDK's form body encodes a space as '+', ours as '%20'; both hash what is sent.
            if vector["body"] == String(decoding: signed.body, as: UTF8.self) {
                #expect(signed.headers.first { $0.0 == "authorization" }?.1 == vector["authorization"])
            } else {
                #expect(vector["body"].contains("+"))
            }
        }
    }

    private func order(_ name: String) -> Int {
        ["PhoneNumberJson", "SignNameJson", "TemplateParamJson", "SmsUpExtendCodeJson"].firstIndex(of: name) ?? 9
    }
}
