import Testing
@testable import AliyunSMS

/// Typed actions: which calls send, and a read-only call never counted as an ambiguous send.
@Suite struct SMSActionTests {
    @Test func sendsAreTheOnlyCallsThatSend() {
        #expect(SMSAction.known.filter(\.sendsMessages) == [.sendSms, .sendBatchSms])
        #expect(SMSAction(wireName: "QuerySendDetails") == .querySendDetails && !SMSAction.querySendDetails.sendsMessages)
        #expect(SMSAction.known.map(\.wireName) == ["SendSms", "SendBatchSms", "QuerySendDetails", "GetSmsSign", "GetSmsTemplate", "QueryTokenForMnsQueue"])
        let unknown = SMSAction(wireName: "SomethingNew")
        #expect(!unknown.isKnown && unknown.sendsMessages, "an action Salvo does not know is taken to send: the safe reading")
        #expect(SignedRequest(action: "QuerySendDetails", method: "POST", url: "", headers: [], body: []).smsAction == .querySendDetails)
    }

    static let query: SMSOperation = {
        (try? SMSOperation.querySendDetails(phoneNumber: "13800138000", sendDate: "20270301")) ?? SMSOperation(action: .querySendDetails, query: [], body: [])
    }()
    static let send: SMSOperation = {
        (try? SMSOperation.sendSms(phoneNumbers: ["13800138000"], signName: "云杉商城", templateCode: "SMS_1", templateParameters: nil)) ?? SMSOperation(action: .sendSms, query: [], body: [])
    }()

    static func failure(_ operation: SMSOperation, transport: RecordingTransport) async throws -> SMSFailure? {
        let client = SMSClient(signer: RequestSigner(credentials: Credentials(accessKeyId: "id", accessKeySecret: "s"), endpoint: try Endpoint(url: "https://x.test"), scheme: .v3),
                               transport: transport)
        do {
            if operation.action.sendsMessages { _ = try await client.send(operation) } else { _ = try await client.querySendDetails(operation) }
            return nil
        } catch {
            return error
        }
    }

    @Test func aReadOnlyCallWithoutAnAnswerIsNeverAnAmbiguousSend() async throws {
        let silent = RecordingTransport(failure: TransportError(.ambiguous, "no answer"))
        #expect(try await Self.failure(Self.query, transport: silent)?.errorClass == .backoff)
        #expect(try await Self.failure(Self.send, transport: silent)?.errorClass == .ambiguous)
        let garbled = RecordingTransport(body: "<html>bad gateway</html>")
        #expect(try await Self.failure(Self.query, transport: garbled)?.errorClass == .backoff)
        let unknownCode = RecordingTransport(body: #"{"Code":"isv.SOMETHING_NEW","Message":"?"}"#)
        #expect(try await Self.failure(Self.query, transport: unknownCode)?.errorClass == .fatal)
        #expect(try await Self.failure(Self.send, transport: unknownCode)?.errorClass == .ambiguous)
    }

    @Test func aTransportFailureKeepsItsCause() async throws {
        let failure = try await Self.failure(Self.send, transport: RecordingTransport(failure: TransportError(.notSent, "could not connect")))
        #expect(failure?.code == SMSFailure.transportCode && failure?.notSent == true)
        #expect((failure?.cause as? TransportError)?.code == .notSent)
    }
}
