import CampaignCompiler
import Foundation
import Testing
@testable import CampaignRunner

/// How the suppression list keeps a number, whether it came from an import or a reply: another
/// country's number keeps its `+`, and a plan's suppression list reads it back as that number.
@Suite struct SuppressionFormTests {
    @Test func internationalNumbersKeepTheirPlus() throws {
        let parse = { (text: String) throws -> PhoneNumber in try PhoneNumber.parse(text).get() }
        #expect(ReceiptsLedger.suppressionForm(try parse("+1 415 555 0100")) == "+14155550100")
        #expect(ReceiptsLedger.suppressionForm(try parse("00852 5123 4567")) == "+85251234567")
        #expect(ReceiptsLedger.suppressionForm(try parse("+86 138-0013-8000")) == "13800138000")
        // Read back, the kept form is the same number, not a mainland-looking one.
        #expect(try parse(ReceiptsLedger.suppressionForm(try parse("+1 415 555 0100"))) == (try parse("+14155550100")))
        #expect(try parse(ReceiptsLedger.suppressionForm(try parse("+1 415 555 0100"))) != .mainland(14_155_550_100))
    }

    @Test func anInternationalUnsubscribeReplyIsKeptAsInternational() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("salvo-suppression-form-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let ledger = ReceiptsLedger.of(stateFolder: folder)
        let replies = [
            PushedReply(phone: "+14155550100", content: "TD", sendTime: "2027-03-01 10:00:00", destCode: "1", sequenceId: "1", signName: "云杉商城"),
            PushedReply(phone: "13800138000", content: "R", sendTime: "2027-03-01 10:00:01", destCode: "1", sequenceId: "2", signName: "云杉商城"),
        ]
        let stored = try ledger.storeReplies(replies, at: 1)
        #expect(stored.unsubscribes == 2)
        #expect(try ledger.suppressed(signName: "云杉商城").sorted() == ["+14155550100", "13800138000"])
    }
}
