import AliyunSMS
import CampaignRunner
import Foundation
import SalvoIO
import Synchronization
import Testing

/// What a reporter writes, kept for the test.
final class CapturedOutput: TextOutput, Sendable {
    private let text = Mutex("")

    func write(_ text: String) {
        self.text.withLock { $0 += text }
    }

    var written: String { text.withLock { $0 } }
}

/// Reporters write only to the outputs they are given, in the format the command line chose.
@Suite struct ReporterOutputTests {
    @Test func logLinesGoToTheErrorOutputAndRepeatedWaitsAreShownOnce() {
        let output = CapturedOutput(), errors = CapturedOutput()
        let reporter = LogRunReporter(RunReporterOutputs(output: output, errors: errors))
        reporter.show(.planned(batches: 2, recipients: 1, planId: "p1", resumed: true))
        reporter.show(.refused(batch: 1, code: "isv.BUSINESS_LIMIT_CONTROL", errorClass: .later, message: "limit\u{1B}[2J"))
        reporter.show(.waiting(until: 1000, local: "09:00", reason: .unanswered))
        reporter.show(.waiting(until: 1030, local: "09:00", reason: .unanswered))
        reporter.final(nil, message: "done")
        #expect(output.written == "")
        #expect(errors.written == """
            plan p1 (resumed): 1 recipient in 2 requests; sending when the schedule allows
            batch 1: isv.BUSINESS_LIMIT_CONTROL (later): limit\\x1B[2J
            waiting until 09:00 (\(WaitReason.unanswered))
            done

            """, "a control character is escaped, the repeated wait left out")
    }

    @Test func jsonLinesAreOneObjectPerEventOnTheOutput() throws {
        let output = CapturedOutput(), errors = CapturedOutput()
        let reporter = JSONLinesRunReporter(RunReporterOutputs(output: output, errors: errors))
        reporter.show(.sent(batch: 3, action: "SendBatchSms", recipients: 100))
        reporter.show(.waiting(until: 1000, local: "09:00", reason: .unanswered))
        reporter.show(.waiting(until: 1000, local: "09:00", reason: .unanswered))
        let lines = output.written.split(separator: "\n")
        #expect(lines.count == 3, "every wait is an event in JSON")
        let first = try #require(try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any])
        #expect(first["event"] as? String == "sent")
        #expect(first["batch"] as? Int == 3)
        #expect(first["t"] != nil)
        #expect(errors.written == "")
    }

    @Test func rowsAsCSVAndAsJSONLines() {
        let csv = CapturedOutput(), json = CapturedOutput()
        let reporters: [any RowReporter] = [CSVRowReporter(output: csv), JSONLinesRowReporter(output: json)]
        for reporter in reporters {
            reporter.begin(columns: ["phone", "outcome"])
            reporter.row(["13800138000", "=sent"])
        }
        #expect(csv.written == "phone,outcome\n13800138000,\"'=sent\"\n", "a formula is defused")
        #expect(json.written == #"{"outcome":"=sent","phone":"13800138000"}"# + "\n")
    }
}
