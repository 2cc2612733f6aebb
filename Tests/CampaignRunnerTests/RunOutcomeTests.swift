import Testing
@testable import CampaignRunner

/// How each outcome is recorded: the state `status` shows after the run.
@Suite struct RunOutcomeTests {
    @Test func eachOutcomeIsRecordedAsItsEnd() {
        #expect(RunOutcome.done.end == .done)
        #expect(RunOutcome.later(.interrupted).end == .interrupted)
        #expect(RunOutcome.later(.othersSending(runners: 2, recipients: 10)).end == .waiting)
        #expect(RunOutcome.later(.stateUnavailable("down")).end == .waiting)
        #expect(RunOutcome.stopped(.failure("x")).end == .stopped)
    }
}
