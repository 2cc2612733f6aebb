import AliyunSMS
import CampaignCompiler
import Foundation
import Testing
@testable import CampaignRunner

/// An international campaign's run read back: receipts of country code + number match the
/// plan's recipients, `status` counts recipients, sent, delivered, failed, segments and cost per
/// calling code, and the report's rows end with each recipient's calling code.
@Suite struct InternationalRunTests {
    /// A state folder with a run of `intl-test` from a hand-made plan: batch 1 (two Hong Kong
    /// numbers, one Singapore; accepted) and batch 2 (one UK number; pending).
    static func stateWithInternationalRun(secondBatch: BatchState = .pending) async throws -> (campaign: Campaign, state: String, store: SQLiteRunStore) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("salvo-intl-\(UUID().uuidString)").path
        let state = folder + "/state"
        try FileManager.default.createDirectory(atPath: state + "/intl-test", withIntermediateDirectories: true)
        try """
            version: 1
            campaign: intl-test
            sign-name: Yunshan
            template:
              code: SMS_9
              type: notification
              destination: international
              content: "Hi ${name}, your parcel is on its way."
            parameters:
              name: { type: name, from: name }
            recipients:
              from:
                - csv: m.csv
            sending:
              rate: 5000
              batch-size: 10
              price-per-segment:
                "852": 0.35
                "65": 0.30
                default: 0.40
            """.write(toFile: folder + "/c.yaml", atomically: true, encoding: .utf8)
        let check = await CampaignChecker.check(path: folder + "/c.yaml", options: CheckOptions(checksRecipientFiles: false))
        let campaign = try #require(check.campaign, "\(check.diagnostics.map(\.message))")
        let store = SQLiteRunStore(folder: state + "/intl-test")
        let header = #"{"campaign":"intl-test","campaignFile":{"kind":"campaign","path":"c.yaml","sha256":"00"},"exclusions":[],"format":"salvo-plan","#
            + #""parameters":["name"],"planId":"p1","salvo":"0.1.0","signName":"Yunshan","sources":[{"kind":"csv","path":"m.csv","sha256":"00"}],"#
            + #""template":"SMS_9","templateSHA256":"00","version":1}"#
        let plan = [
            header,
            #"{"action":"SendBatchSms","batch":1,"countries":{"65":[1,1],"852":[2,3]},"outId":"intl-test:p1:1","recipients":[["85291234567","0","Ann"],["85261234567","0","Bo"],["6591234567","0","Cy"]],"segments":4}"#,
            #"{"action":"SendBatchSms","batch":2,"countries":{"44":[1,2]},"outId":"intl-test:p1:2","recipients":[["447911123456","0","Di"]],"segments":2}"#,
            #"{"end":true,"recipients":4,"requests":{"SendBatchSms":2,"SendSms":0},"segments":6}"#,
        ].joined(separator: "\n") + "\n"
        try plan.write(toFile: store.newPlanPath, atomically: true, encoding: .utf8)
        let records = [
            BatchRecord(batch: 1, action: "SendBatchSms", outId: "intl-test:p1:1", recipients: 3, segments: 4, firstPhone: "85291234567", state: .accepted, attempts: 1, bizId: "8^0"),
            BatchRecord(batch: 2, action: "SendBatchSms", outId: "intl-test:p1:2", recipients: 1, segments: 2, firstPhone: "447911123456", state: secondBatch, attempts: secondBatch == .pending ? 0 : 1),
        ]
        try await store.create(NewRun(metadata: RunMetadata(planID: "p1", campaign: "intl-test", createdAt: 1000), batches: records, planFile: store.newPlanPath))
        return (campaign, state, store)
    }

    /// Pushes a delivery of the Hong Kong number and a failure of the Singapore one.
    static func pushReceipts(_ state: String) async throws -> ReceiptsReceiver {
        let receiver = ReceiptsReceiver(stateFolder: state, token: nil)
        var failed = ReceiptsReceiverTests.report("6591234567", outId: "intl-test:p1:1", biz: "8^0", success: false, size: "2")
        failed["err_code"] = "UNDELIV"
        let push = try ReceiptsReceiverTests.body([ReceiptsReceiverTests.report("85291234567", outId: "intl-test:p1:1", biz: "8^0"), failed])
        #expect(await receiver.handle(method: "POST", path: "/sms-report", body: push).status == 200)
        return receiver
    }

    @Test func receiptsOfInternationalNumbersMatchTheirRecipients() async throws {
        let (_, state, store) = try await Self.stateWithInternationalRun()
        let receiver = try await Self.pushReceipts(state)
        let receipts = try await store.receipts(ReceiptQuery())
        #expect(receipts.map(\.phone).sorted() == ["6591234567", "85291234567"])
        #expect(receipts.allSatisfy { $0.batch == 1 })
        // A number of another batch, and one not in the plan, are not this batch's.
        let stray = try ReceiptsReceiverTests.body([ReceiptsReceiverTests.report("447911123456", outId: "intl-test:p1:1", biz: "8^0"),
                                                    ReceiptsReceiverTests.report("85299999999", outId: "intl-test:p1:1", biz: "8^0")])
        #expect(await receiver.handle(method: "POST", path: "/sms-report", body: stray).status == 200)
        #expect(try await store.receipts(ReceiptQuery()).count == 2)
        let unmatched = try receiver.ledger.unmatchedSummary(samples: 5)
        #expect(unmatched.json().contains("phone-not-in-batch"), "\(unmatched.json())")
        #expect(unmatched.json().contains("852****9999") && !unmatched.json().contains("85299999999"), "numbers are masked")
    }

    @Test func statusCountsEachCountry() async throws {
        let (campaign, state, _) = try await Self.stateWithInternationalRun()
        _ = try await Self.pushReceipts(state)
        let status = try await StatusReader(campaign: campaign, stateFolder: state).status()
        let object = try #require(try JSONSerialization.jsonObject(with: Data(status.json().utf8)) as? [String: Any])
        let countries = try #require(object["countries"] as? [String: [String: Any]])
        #expect(Set(countries.keys) == ["852", "65", "44"])
        func figures(_ code: String) -> [String: Double] {
            (countries[code] ?? [:]).compactMapValues { ($0 as? NSNumber)?.doubleValue }
        }
        #expect(figures("852") == ["recipients": 2, "sent": 2, "delivered": 1, "failed": 0, "segments": 3, "cost": 1.05])
        #expect(figures("65") == ["recipients": 1, "sent": 1, "delivered": 0, "failed": 1, "segments": 1, "cost": 0.3])
        #expect(figures("44") == ["recipients": 1, "sent": 0, "delivered": 0, "failed": 0, "segments": 0, "cost": 0])
        let text = status.text()
        #expect(text.contains("  +852 (HK): 2 of 2 sent, 1 delivered, 0 failed, 3 segments, cost 1.05\n"), "\(text)")
        #expect(text.contains("  +44 (GB): 0 of 1 sent, 0 delivered, 0 failed, 0 segments, cost 0\n"), "\(text)")
        #expect(text.contains("  +65 (SG): 1 of 1 sent, 0 delivered, 1 failed, 1 segment, cost 0.30\n"), "\(text)")
    }

    @Test func recipientsOfARefusedRequestFailInTheirCountry() async throws {
        let (campaign, state, _) = try await Self.stateWithInternationalRun(secondBatch: .failed)
        let status = try await StatusReader(campaign: campaign, stateFolder: state).status()
        let object = try #require(try JSONSerialization.jsonObject(with: Data(status.json().utf8)) as? [String: Any])
        let countries = try #require(object["countries"] as? [String: [String: Any]])
        #expect((countries["44"]?["failed"] as? NSNumber)?.intValue == 1, "the UK number's request was refused: \(countries)")
        #expect((countries["44"]?["sent"] as? NSNumber)?.intValue == 0)
        #expect((countries["852"]?["failed"] as? NSNumber)?.intValue == 0)
    }

    @Test func aMainlandRunIsOneCountryFromItsBatches() async throws {
        let (state, store) = try await ReceiptsReceiverTests.stateWithRun()
        let campaign = try await RunFixture(count: 40, batchSize: 10).campaign()
        let receiver = ReceiptsReceiver(stateFolder: state, token: nil)
        #expect(await receiver.handle(method: "POST", path: "/sms-report", body: try ReceiptsReceiverTests.body([ReceiptsReceiverTests.report("13800000001")])).status == 200)
        let status = try await StatusReader(campaign: campaign, store: store).status()
        let object = try #require(try JSONSerialization.jsonObject(with: Data(status.json().utf8)) as? [String: Any])
        let countries = try #require(object["countries"] as? [String: [String: Any]])
        let mainland = (countries["86"] ?? [:]).compactMapValues { ($0 as? NSNumber)?.doubleValue }
        #expect(Set(countries.keys) == ["86"])
        #expect(mainland == ["recipients": 40, "sent": 40, "delivered": 1, "failed": 0, "segments": 40, "cost": 1.8])
        #expect(!status.text().contains("+86"), "a mainland campaign's text has no country lines")
    }

    @Test func reportRowsEndWithTheCallingCode() async throws {
        let (campaign, state, _) = try await Self.stateWithInternationalRun()
        _ = try await Self.pushReceipts(state)
        let reader = StatusReader(campaign: campaign, stateFolder: state)
        var rows: [[String]] = []
        let header = try await reader.report(.all) { rows.append($0) }
        #expect(header.last == "country")
        #expect(RecipientReport(reader: reader).columns() == header)
        #expect(RecipientReport(reader: reader).columns(receipts: true).suffix(5) == ["received_at", "delivery", "delivery_code", "reported_at", "country"])
        #expect(rows.map { $0.last ?? "" } == ["852", "852", "65", "44"])
        #expect(rows.map { $0[0] } == ["85291234567", "85261234567", "6591234567", "447911123456"])
        #expect(rows[0].suffix(4) == ["delivered", "DELIVERED", "2027-03-01 10:00:03", "852"])
        #expect(rows[2].suffix(4).prefix(2) == ["failed", "UNDELIV"])
        #expect(rows[3][header.firstIndex(of: "outcome") ?? 0] == "pending")
    }

    @Test(arguments: SignatureScheme.allCases)
    func aDryRunMasksInternationalNumbersLikeMainlandOnes(_ scheme: SignatureScheme) throws {
        let signer = RequestSigner(credentials: Credentials(accessKeyId: "id", accessKeySecret: "secret"), endpoint: try Endpoint(url: "http://127.0.0.1:9"), scheme: scheme)
        let batch = try SMSOperation.sendBatchSms(phoneNumbers: ["85291234567", "447911123456", "13800138000"], signNames: ["Yunshan", "Yunshan", "Yunshan"],
                                                  templateCode: "SMS_9", templateParameters: [["name": "Ann"], ["name": "Bo"], ["name": "Cy"]])
        let single = try SMSOperation.sendSms(phoneNumbers: ["6591234567"], signName: "Yunshan", templateCode: "SMS_9", templateParameters: ["name": "Ann"])
        let shown = DryRunMasking.text(signer.sign(batch), showNumbers: false) + DryRunMasking.text(signer.sign(single), showNumbers: false)
        // The numbers are in the form-encoded body (SendBatchSms) and query (SendSms).
        let text = shown.removingPercentEncoding ?? shown
        for (full, masked) in [("85291234567", "852****4567"), ("447911123456", "447*****3456"), ("13800138000", "138****8000"), ("6591234567", "659***4567")] {
            #expect(!text.contains(full), "\(full) shown in full")
            #expect(text.contains(masked), "\(masked) not in \(text)")
        }
    }

    @Test func theHTMLReportHasATableOfCountries() async throws {
        let (campaign, state, _) = try await Self.stateWithInternationalRun()
        _ = try await Self.pushReceipts(state)
        let html = try await DeliveryReport.make(campaign: campaign, stateFolder: state).html()
        #expect(html.contains("<h2>By country</h2>"))
        #expect(html.contains(#"<tr><td>+852 (HK)</td><td class="n">2</td><td class="n">2</td><td class="n">1</td><td class="n">0</td><td class="n">3</td><td class="n">1.05</td></tr>"#), "\(html)")
        #expect(html.contains("+44 (GB)") && html.contains("+65 (SG)"))
        // Billed: one segment to Hong Kong at 0.35 and two to Singapore at 0.30 (not 3 × the default 0.40).
        #expect(html.contains(#"<td class="n">3</td><td class="n">0.95</td></tr>"#), "\(html)")
        #expect(!html.contains("91234567"), "numbers are masked")
        let (mainlandState, _) = try await ReceiptsReceiverTests.stateWithRun()
        let mainland = try await DeliveryReport.make(campaign: try await RunFixture(count: 40, batchSize: 10).campaign(), stateFolder: mainlandState).html()
        #expect(!mainland.contains("By country"), "one mainland country needs no table")
    }
}
