import Foundation
import SMSEmulator
import Testing
@testable import AliyunSMS

/// Refusals of the access key itself: classified fatal for a send and for a query, recognised as
/// a refusal of the key, and described with the masked key id and what to check, never the secret.
@Suite struct CredentialRefusalTests {
    static let credentials = Credentials(accessKeyId: "LTAI5tExampleKeyab12", accessKeySecret: "MARKER-SECRET-credential-tests")

    static let keyCodes = ["InvalidAccessKeyId.NotFound", "InvalidAccessKeyId.Inactive", "SignatureDoesNotMatch", "IncompleteSignature", "Forbidden.RAM", "NoPermission"]

    @Test(arguments: keyCodes)
    func aRefusedKeyIsFatalForSendsAndQueries(_ code: String) {
        #expect(ErrorClass.classify(code: code, isSend: true) == .fatal, "a send refused for its key was not processed: never ambiguous")
        #expect(ErrorClass.classify(code: code, isSend: false) == .fatal)
    }

    @Test(arguments: keyCodes)
    func aRefusedKeyIsDescribedWithTheMaskedIdAndWhatToCheck(_ code: String) throws {
        let failure = SMSFailure(errorClass: .fatal, code: code, message: "refused", httpStatus: 403)
        let refusal = try #require(CredentialRefusal(failure, credentials: Self.credentials))
        #expect(refusal.code == code && refusal.maskedKeyId == "LTAI****ab12")
        let text = refusal.description
        #expect(text.contains("LTAI****ab12") && text.contains(code))
        #expect(!text.contains("LTAI5tExampleKeyab12"), "the id is masked")
        #expect(!text.contains("MARKER-SECRET"), "the secret is never in a message")
        #expect(text.contains("dysms:SendBatchSms") && text.contains("enabled") && text.contains("secret"), "says what to check: \(text)")
    }

    @Test func theStringTheGatewaySignedIsNotRepeated() throws {
        let message = "Specified signature is not matched with our calculation. server string to sign is:POST&%2F&AccessKeyId%3DLTAI5tExampleKeyab12%26Action%3DQuerySendDetails%26PhoneNumber%3D13912345678"
        let refusal = try #require(CredentialRefusal(SMSFailure(errorClass: .fatal, code: "SignatureDoesNotMatch", message: message), credentials: Self.credentials))
        #expect(refusal.message == "Specified signature is not matched with our calculation.")
        #expect(!refusal.description.contains("13912345678") && !refusal.description.contains("LTAI5tExampleKeyab12"))
        let named = try #require(CredentialRefusal(SMSFailure(errorClass: .fatal, code: "InvalidAccessKeyId.Inactive", message: "Key LTAI5tExampleKeyab12 is disabled. " + String(repeating: "x", count: 500)),
                                                   credentials: Self.credentials))
        #expect(named.message.hasPrefix("Key LTAI****ab12 is disabled.") && named.message.count <= 301)
    }

    /// Answers every request as the real gateway answers a wrong secret: the string it signed
    /// appended to the message.
    struct GatewayRefusingTheSignature: SMSTransport {
        func execute(_ request: SignedRequest, timeout: Duration) async throws(TransportError) -> HTTPResponse {
            let body = #"{"RequestId":"r","HostId":"dysmsapi.aliyuncs.com","Code":"SignatureDoesNotMatch","Message":"Specified signature is not matched with our calculation. server string to sign is:POST&%2F&AccessKeyId%3DLTAI5tExampleKeyab12%26PhoneNumbers%3D13912345678"}"#
            return HTTPResponse(status: 400, headers: [], body: Array(body.utf8))
        }
    }

    @Test func aSendsFailureNeverCarriesTheSignedString() async throws {
        let client = SMSClient(signer: RequestSigner(credentials: Self.credentials, endpoint: try Endpoint(url: "http://127.0.0.1:9"), scheme: .v1),
                               transport: GatewayRefusingTheSignature())
        let operation = try SMSOperation.sendSms(phoneNumbers: ["13912345678"], signName: "云杉商城", templateCode: "SMS_1", templateParameters: nil, outId: "o")
        var caught: SMSFailure?
        do {
            _ = try await client.send(operation)
        } catch {
            caught = error
        }
        let failure = try #require(caught)
        #expect(failure.code == "SignatureDoesNotMatch" && failure.errorClass == .fatal)
        #expect(failure.message == "Specified signature is not matched with our calculation.", "\(failure.message)")
    }

    @Test func eachCodeSaysWhatToCheckFirst() throws {
        func advice(_ code: String) throws -> String {
            try #require(CredentialRefusal(SMSFailure(errorClass: .fatal, code: code, message: ""), credentials: Self.credentials)).advice
        }
        #expect(try advice("InvalidAccessKeyId.NotFound").contains("ALIBABA_CLOUD_ACCESS_KEY_ID"))
        #expect(try advice("InvalidAccessKeyId.Inactive").contains("disabled"))
        #expect(try advice("SignatureDoesNotMatch").contains("ALIBABA_CLOUD_ACCESS_KEY_SECRET"))
        #expect(try advice("Forbidden.RAM").contains("dysms:QuerySendDetails"))
        #expect(try advice("NoPermission").contains("dysms:SendSms"))
    }

    @Test(arguments: ["Throttling.User", "isv.BUSINESS_LIMIT_CONTROL", "ServiceUnavailable", "InternalError", "isv.SMS_TEMPLATE_ILLEGAL", "Transport"])
    func otherFailuresAreNoRefusalOfTheKey(_ code: String) {
        #expect(CredentialRefusal(SMSFailure(errorClass: ErrorClass.classify(code: code, isSend: true), code: code, message: ""), credentials: Self.credentials) == nil)
    }

    /// The emulator on loopback, signing with another secret or another id: the client's failure
    /// is a refusal of the key.
    @Test(arguments: [("LTAI5tExampleKeyab12", "another-secret", "SignatureDoesNotMatch"), ("LTAI5tOtherKeyzz99", "MARKER-SECRET-credential-tests", "InvalidAccessKeyId.NotFound")])
    func theEmulatorRefusesAWrongSecretOrId(_ id: String, _ secret: String, _ expected: String) async throws {
        let configuration = EmulatorConfiguration(accessKeyId: Self.credentials.accessKeyId, accessKeySecret: "MARKER-SECRET-credential-tests")
        let server = try await EmulatorServer(core: EmulatorCore(configuration: configuration, record: try EmulatorRecord(path: ":memory:")))
        let transport = HTTPClientTransport()
        let credentials = Credentials(accessKeyId: id, accessKeySecret: secret)
        let client = SMSClient(signer: RequestSigner(credentials: credentials, endpoint: try Endpoint(url: server.url), scheme: .v3), transport: transport, timeout: .seconds(10))
        var caught: SMSFailure?
        let query = try SMSOperation.querySendDetails(phoneNumber: "13800138000", sendDate: "20270301")
        do {
            _ = try await client.querySendDetails(query)
        } catch {
            caught = error
        }
        await transport.shutdown()
        await server.close()
        let failure = try #require(caught)
        #expect(failure.code == expected && failure.errorClass == .fatal)
        #expect(CredentialRefusal(failure, credentials: credentials) != nil)
    }
}
