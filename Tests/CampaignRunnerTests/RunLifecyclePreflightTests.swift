import AliyunSMS
import CampaignCompiler
import Foundation
import Testing
@testable import CampaignRunner

/// Whether a run preflights, and what the answer does to it: `RunLifecycle` fed the stored
/// record, the time and the options, without async code.
@Suite struct RunLifecyclePreflightTests {
    static let now = 1_800_000_000.0
    static let metadata = RunLifecycleTests.metadata

    static func recorded(at: Double?, passed: Bool?, summary: String? = "preflight of 1 sign name, 1 template: the account agrees") -> RunMetadata {
        var metadata = Self.metadata
        metadata.preflightAt = at
        metadata.preflight = summary
        metadata.preflightPassed = passed
        return metadata
    }

    static func finding(_ severity: Severity, _ id: DiagnosticID) -> Diagnostic {
        Diagnostic(severity, id, "m", at: nil)
    }

    @Test func aNewRunAsks() {
        #expect(RunLifecycleTests.lifecycle().preflight(Self.metadata, waiting: true, skipping: false, now: Self.now) == .ask)
    }

    @Test func nothingLeftToSendAsksNothingAndRecordsNothing() {
        let lifecycle = RunLifecycleTests.lifecycle()
        #expect(lifecycle.preflight(Self.metadata, waiting: false, skipping: false, now: Self.now) == .none)
        #expect(lifecycle.preflight(Self.metadata, waiting: false, skipping: true, now: Self.now) == .none)
    }

    @Test func noPreflightSkipsAndRecordsTheSkip() {
        let step = RunLifecycleTests.lifecycle().preflight(Self.recorded(at: Self.now - 60, passed: true), waiting: true, skipping: true, now: Self.now)
        #expect(step == .skip(Self.recorded(at: Self.now, passed: false, summary: "skipped (--no-preflight)")))
    }

    @Test func aResumeWithinADayOfAPassingPreflightDoesNotAskAgain() {
        let lifecycle = RunLifecycleTests.lifecycle()
        let hourAgo = lifecycle.preflight(Self.recorded(at: Self.now - 3 * 3600 - 5, passed: true), waiting: true, skipping: false, now: Self.now)
        #expect(hourAgo == .reuse(notice: "preflight: not asked again, the account was asked 3 hours ago (preflight of 1 sign name, 1 template: the account agrees)"))
        let justNow = lifecycle.preflight(Self.recorded(at: Self.now - 10, passed: true), waiting: true, skipping: false, now: Self.now)
        #expect(justNow == .reuse(notice: "preflight: not asked again, the account was asked less than an hour ago (preflight of 1 sign name, 1 template: the account agrees)"))
        let almostADay = lifecycle.preflight(Self.recorded(at: Self.now - 86_399, passed: true), waiting: true, skipping: false, now: Self.now)
        #expect(almostADay != .ask)
    }

    @Test func aDayLaterOrAfterASkipAFailureOrAClockGoneBackItAsksAgain() {
        let lifecycle = RunLifecycleTests.lifecycle()
        for metadata in [Self.recorded(at: Self.now - 86_400, passed: true), Self.recorded(at: Self.now - 60, passed: false),
                         Self.recorded(at: Self.now - 60, passed: nil), Self.recorded(at: nil, passed: true), Self.recorded(at: Self.now + 3600, passed: true)] {
            #expect(lifecycle.preflight(metadata, waiting: true, skipping: false, now: Self.now) == .ask, "\(metadata)")
        }
    }

    @Test func anAgreeingAccountOrWarningsLetTheRunSendAndAreRecorded() {
        let lifecycle = RunLifecycleTests.lifecycle()
        let result = PreflightResult(diagnostics: [Self.finding(.warning, "template-content-unknown")], signNames: ["s"], templateCodes: ["t"])
        let (metadata, outcome) = lifecycle.preflighted(result, metadata: Self.metadata, now: Self.now)
        #expect(outcome == nil)
        #expect(metadata == Self.recorded(at: Self.now, passed: true, summary: "preflight of 1 sign name, 1 template: 0 errors, 1 warning (template-content-unknown)"))
    }

    @Test func anErrorStopsTheRunAndIsRecordedAsNotPassed() {
        let lifecycle = RunLifecycleTests.lifecycle()
        let result = PreflightResult(diagnostics: [Self.finding(.error, "template-not-approved")], signNames: ["s"], templateCodes: ["t"])
        let (metadata, outcome) = lifecycle.preflighted(result, metadata: Self.metadata, now: Self.now)
        #expect(outcome == .stopped(.preflightFailed(summary: result.summary)))
        #expect(metadata.preflightPassed == false && metadata.preflightAt == Self.now && metadata.preflight == result.summary)
        #expect(RunOutcome.stopped(.preflightFailed(summary: result.summary)).end == .stopped)
    }

    @Test func aProviderNotReachedIsLaterAndARefusedKeyIsARefusal() {
        var lifecycle = RunLifecycleTests.lifecycle()
        _ = lifecycle.loaded(nil, planID: "p1", endpoint: "http://127.0.0.1:1")
        let down = PreflightResult(diagnostics: [], unreachable: SMSFailure(errorClass: .ambiguous, code: SMSFailure.transportCode, message: "connection refused"))
        let (recorded, outcome) = lifecycle.preflighted(down, metadata: Self.metadata, now: Self.now)
        guard case .later(.providerUnreachable(let why)) = outcome else {
            Issue.record("\(String(describing: outcome))")
            return
        }
        #expect(why.hasPrefix("preflight could not ask http://127.0.0.1:1 about the campaign's sign and template") && why.contains("nothing was sent"))
        #expect(recorded.preflightPassed == false)
        let refused = PreflightResult(diagnostics: [], unreachable: SMSFailure(errorClass: .fatal, code: "InvalidAccessKeyId.NotFound", message: "Specified access key is not found."))
        #expect(lifecycle.preflighted(refused, metadata: Self.metadata, now: Self.now).outcome
            == .stopped(.providerRefused(code: "InvalidAccessKeyId.NotFound", message: "Specified access key is not found.")))
    }

    @Test func aFailureToAskThatMayPassIsAskedAgainAFewTimesARefusedKeyOrAnAnswerNever() {
        let lifecycle = RunLifecycleTests.lifecycle()
        let throttled = PreflightResult(diagnostics: [], unreachable: SMSFailure(errorClass: .backoff, code: "Throttling.User", message: "flow control", httpStatus: 400))
        #expect((0..<3).map { lifecycle.preflightRetry(after: throttled, retries: $0, base: 1) } == [1, 2, nil])
        #expect(lifecycle.preflightRetry(after: throttled, retries: 1, base: 8) == 10)
        let refused = PreflightResult(diagnostics: [], unreachable: SMSFailure(errorClass: .fatal, code: "SignatureDoesNotMatch", message: "no"))
        #expect(lifecycle.preflightRetry(after: refused, retries: 0, base: 1) == nil)
        let answered = PreflightResult(diagnostics: [Self.finding(.error, "template-not-approved")])
        #expect(lifecycle.preflightRetry(after: answered, retries: 0, base: 1) == nil)
    }
}

/// An approved template whose answer gives no content (the emulator accepting any template) is
/// not compared: a warning, not content or placeholder errors.
@Suite struct PreflightContentUnknownTests {
    @Test func anApprovedTemplateWithoutContentIsAWarningOnly() async throws {
        let campaign = try await PreflightFixture.campaign()
        let result = await PreflightFixture.check(campaign, template: PreflightFixture.template(type: nil, content: "", attributes: [:]))
        #expect(result.diagnostics.map(\.id.rawValue) == ["template-content-unknown"])
        let finding = try #require(result.diagnostics.first)
        #expect(finding.severity == .warning && !result.hasErrors)
        #expect(finding.message == "the account gave no content for template 'SMS_1'; its wording was not compared")
        #expect(finding.location?.range.start.line == 7)
    }

    @Test func aTemplateWithoutContentThatIsNotApprovedIsStillAnError() async throws {
        let campaign = try await PreflightFixture.campaign()
        let result = await PreflightFixture.check(campaign, template: PreflightFixture.template(status: .rejected, reason: "no", type: nil, content: "", attributes: [:]))
        #expect(result.diagnostics.map(\.id.rawValue) == ["template-not-approved"])
    }
}
