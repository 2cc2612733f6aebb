import AliyunSMS
import Foundation
import SMSEmulator
import Synchronization
import Testing
@testable import CampaignRunner

/// A run whose access key the provider refuses stops (exit 1) with the masked key id, whether the
/// refusal comes from the probe before the first send or from a send; it is never "run again".
@Suite struct CredentialsRefusedRunTests {
    /// Passes QuerySendDetails to the emulator; answers sends with `code` (HTTP 403) after the
    /// first `passing` sends.
    final class RefusingSends: SMSTransport {
        let inner: EmulatorTransport
        let code: String
        let passing: Int
        let sends = Mutex(0)

        init(inner: EmulatorTransport, code: String, passing: Int) {
            self.inner = inner
            self.code = code
            self.passing = passing
        }

        func execute(_ request: SignedRequest, timeout: Duration) async throws(TransportError) -> HTTPResponse {
            // The preflight's questions (GetSmsSign, GetSmsTemplate) are not sends.
            if !["QuerySendDetails", "GetSmsSign", "GetSmsTemplate"].contains(request.action) {
                let count = sends.withLock { value -> Int in
                    value += 1
                    return value
                }
                if count > passing {
                    let body = #"{"Code":"\#(code)","Message":"You are not authorized to do this action.","RequestId":"r"}"#
                    return HTTPResponse(status: 403, headers: [("content-type", "application/json")], body: Array(body.utf8))
                }
            }
            return try await inner.execute(request, timeout: timeout)
        }
    }

    static func client(core: EmulatorCore, keyId: String, secret: String, transport: (any SMSTransport)? = nil) throws -> SMSClient {
        SMSClient(signer: RequestSigner(credentials: Credentials(accessKeyId: keyId, accessKeySecret: secret), endpoint: try Endpoint(url: "http://127.0.0.1:9"), scheme: .v3),
                  transport: transport ?? EmulatorTransport(core: core), timeout: .seconds(5))
    }

    static func core() throws -> EmulatorCore {
        EmulatorCore(configuration: EmulatorConfiguration(accessKeyId: "LTAI5tRightKeyId0001", accessKeySecret: "right-secret"), record: try EmulatorRecord(path: ":memory:"))
    }

    @Test(arguments: [("LTAI5tRightKeyId0001", "wrong-secret", "SignatureDoesNotMatch", "LTAI****0001"), ("LTAI5tUnknownKey0002", "right-secret", "InvalidAccessKeyId.NotFound", "LTAI****0002")])
    func aKeyRefusedByTheProbeStopsTheRunBeforeAnySend(_ keyId: String, _ secret: String, _ code: String, _ masked: String) async throws {
        let core = try Self.core()
        let fixture = try RunFixture(count: 20)
        let runner = CampaignRunner(campaign: try await fixture.campaign(), options: RunnerTests.options(fixture), client: try Self.client(core: core, keyId: keyId, secret: secret))
        let outcome = await runner.run()
        guard case .stopped(.credentialsRefused(let refusal, let sent)) = outcome else {
            Issue.record("expected a refusal of the key, got \(outcome)")
            return
        }
        #expect(refusal.code == code && refusal.maskedKeyId == masked && sent == 0)
        #expect(outcome.end == .stopped)
        #expect(StopReason.credentialsRefused(refusal, sent: sent).description.contains("nothing was sent"))
        #expect(core.record.statistics().messages == 0)
    }

    @Test(arguments: ["Forbidden.RAM", "NoPermission", "InvalidAccessKeyId.Inactive"])
    func aKeyRefusedOnASendStopsTheRunNamingTheKey(_ code: String) async throws {
        let core = try Self.core()
        let fixture = try RunFixture(count: 50, batchSize: 10)
        let transport = RefusingSends(inner: EmulatorTransport(core: core), code: code, passing: 0)
        let client = try Self.client(core: core, keyId: "LTAI5tRightKeyId0001", secret: "right-secret", transport: transport)
        let outcome = await CampaignRunner(campaign: try await fixture.campaign(), options: RunnerTests.options(fixture), client: client).run()
        guard case .stopped(.credentialsRefused(let refusal, _)) = outcome else {
            Issue.record("expected a refusal of the key, got \(outcome)")
            return
        }
        #expect(refusal.code == code && refusal.maskedKeyId == "LTAI****0001")
        #expect(core.record.statistics().messages == 0)
        // Nothing was lost: the refused batches wait for the next run.
        let status = try await StatusReader(campaign: try await fixture.campaign(), stateFolder: fixture.folder + "/state").status()
        #expect(status.counts.sent == 0 && status.counts.failed == 0)
    }

    /// Forwards everything to the emulator, but loses the answer of every send (HTTP 500 after the
    /// emulator recorded it), and refuses every QuerySendDetails made after the first send: a key
    /// revoked while requests were unanswered.
    final class KeyRevokedMidRun: SMSTransport {
        let inner: EmulatorTransport
        let sent = Mutex(false)

        init(inner: EmulatorTransport) {
            self.inner = inner
        }

        func execute(_ request: SignedRequest, timeout: Duration) async throws(TransportError) -> HTTPResponse {
            // The preflight's questions are answered as they are (they are not sends).
            if ["GetSmsSign", "GetSmsTemplate"].contains(request.action) { return try await inner.execute(request, timeout: timeout) }
            if request.action == "QuerySendDetails", sent.withLock({ $0 }) {
                return HTTPResponse(status: 400, headers: [], body: Array(#"{"Code":"InvalidAccessKeyId.Inactive","Message":"Specified access key is disabled.","RequestId":"r"}"#.utf8))
            }
            let response = try await inner.execute(request, timeout: timeout)
            guard request.action != "QuerySendDetails" else { return response }
            sent.withLock { $0 = true }
            return HTTPResponse(status: 500, headers: [], body: Array(#"{"Code":"InternalError","Message":"lost","RequestId":"r"}"#.utf8))
        }
    }

    @Test func aKeyRefusedWhileSettlingUnansweredRequestsStopsTheRun() async throws {
        let core = try Self.core()
        let fixture = try RunFixture(count: 10, batchSize: 10)
        let client = try Self.client(core: core, keyId: "LTAI5tRightKeyId0001", secret: "right-secret", transport: KeyRevokedMidRun(inner: EmulatorTransport(core: core)))
        let outcome = await CampaignRunner(campaign: try await fixture.campaign(), options: RunnerTests.options(fixture), client: client).run()
        guard case .stopped(.credentialsRefused(let refusal, _)) = outcome else {
            Issue.record("expected a refusal of the key, got \(outcome)")
            return
        }
        #expect(refusal.code == "InvalidAccessKeyId.Inactive" && refusal.maskedKeyId == "LTAI****0001")
        #expect(core.record.statistics().messages == 10, "the lost answer's request was recorded once, and never sent again")
    }

    /// Connects nowhere: every request fails before it leaves.
    final class Unreachable: SMSTransport {
        let requests = Mutex(0)

        func execute(_ request: SignedRequest, timeout: Duration) async throws(TransportError) -> HTTPResponse {
            requests.withLock { $0 += 1 }
            throw TransportError(.notSent, "could not connect: connection refused")
        }
    }

    @Test func aProviderThatCannotBeReachedIsAskedAboutOneDateAndTheRunIsLater() async throws {
        let fixture = try RunFixture(count: 5)
        let transport = Unreachable()
        let client = try Self.client(core: Self.core(), keyId: "LTAI5tRightKeyId0001", secret: "right-secret", transport: transport)
        var options = RunnerTests.options(fixture)
        options.probeDays = 7
        // The probe's tries, counted alone (a preflight before it would fail to connect first:
        // RunPreflightTests and RunLifecyclePreflightTests cover that).
        options.skipPreflight = true
        let outcome = await CampaignRunner(campaign: try await fixture.campaign(), options: options, client: client).run()
        guard case .later(.providerUnreachable) = outcome else {
            Issue.record("expected exit 75 (could not ask), got \(outcome)")
            return
        }
        // Three tries for the first date, not three for each of the eight: with a connect timeout
        // of 5 s each, that is the difference between 15 s and 2 minutes before cron hears back.
        #expect(transport.requests.withLock { $0 } == 3)
    }

    @Test func aRefusalOfSomethingElseStaysAProviderRefusal() {
        let client = try? Self.client(core: Self.core(), keyId: "LTAI5tRightKeyId0001", secret: "right-secret")
        guard let client else {
            Issue.record("no client")
            return
        }
        let other = RunOutcome.stopped(.providerRefused(code: "isv.SMS_TEMPLATE_ILLEGAL", message: "template"))
        #expect(CampaignRunner.namingTheKey(other, client: client, sent: 3) == other)
        let key = CampaignRunner.namingTheKey(.stopped(.providerRefused(code: "Forbidden.RAM", message: "no")), client: client, sent: 3)
        #expect(key == .stopped(.credentialsRefused(CredentialRefusal(code: "Forbidden.RAM", message: "no", maskedKeyId: "LTAI****0001"), sent: 3)))
    }
}
