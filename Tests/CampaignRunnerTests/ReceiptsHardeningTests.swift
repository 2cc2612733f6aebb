import CampaignCompiler
import Foundation
import SQLiteDatabase
import Testing
@testable import CampaignRunner

/// Receipts count only where they belong: in the batch their OutId names, for one of its numbers;
/// a malformed element is kept aside and never truncated; one bad element loses nothing else.
@Suite struct ReceiptsHardeningTests {
    typealias Fixture = ReceiptsReceiverTests

    @Test func aMixedPushStoresTheGoodReceiptAndKeepsTheBadElement() async throws {
        let (state, store) = try await Fixture.stateWithRun()
        let receiver = ReceiptsReceiver(stateFolder: state, token: nil)
        let push = try Fixture.body([Fixture.report("13800000001"), ["success": "yes"]])
        let reply = await receiver.handle(method: "POST", path: "/sms-report", body: push)
        #expect(reply.status == 200)
        #expect(reply.body == "{\"code\":0,\"msg\":\"接收成功\"}")
        #expect(try await store.receipts(ReceiptQuery()).map(\.phone) == ["13800000001"])
        let summary = try receiver.ledger.unmatchedSummary(samples: 5)
        #expect(summary.malformed == ["malformed-value": 1])
        let kept = try #require(summary.malformedSamples["malformed-value"]?.first)
        #expect(kept.route == "sms-report")
        #expect(kept.element == "{\"success\":\"yes\"}")
        #expect(kept.detail == "'success' is not true or false")
    }

    @Test func aLinkPlantedAtACampaignsStateMakesThePushComeAgainNotMisfiled() async throws {
        let (state, _) = try await Fixture.stateWithRun()
        let folder = state + "/run-test"
        try FileManager.default.moveItem(atPath: folder + "/state.db", toPath: state + "/kept.db")
        try FileManager.default.createSymbolicLink(atPath: folder + "/state.db", withDestinationPath: state + "/kept.db")
        let receiver = ReceiptsReceiver(stateFolder: state, token: nil)
        let reply = await receiver.handle(method: "POST", path: "/sms-report", body: try Fixture.body([Fixture.report("13800000001")]))
        // 500: Alibaba Cloud pushes it again once the link is gone; nothing filed as no campaign's.
        #expect(reply.status == 500, "\(reply)")
        #expect(reply.body.contains("state.db' is a symbolic link"), "\(reply)")
        #expect(try receiver.ledger.unmatchedSummary(samples: 5).receipts.isEmpty)
        // Mended: the same push is counted for its campaign.
        try FileManager.default.removeItem(atPath: folder + "/state.db")
        try FileManager.default.moveItem(atPath: state + "/kept.db", toPath: folder + "/state.db")
        let again = await receiver.handle(method: "POST", path: "/sms-report", body: try Fixture.body([Fixture.report("13800000001")]))
        #expect(again.status == 200)
        #expect(try await SQLiteRunStore(folder: folder).receipts(ReceiptQuery()).map(\.phone) == ["13800000001"])
    }

    @Test func aReceiptWhoseNumberIsNotInTheBatchIsUnmatched() async throws {
        let (state, store) = try await Fixture.stateWithRun()
        let receiver = ReceiptsReceiver(stateFolder: state, token: nil)
        // 13800000015 is a recipient of batch 2, not of batch 1; 13900000000 of no batch.
        let push = try Fixture.body([Fixture.report("13800000015", biz: "1^0"), Fixture.report("13900000000", biz: "1^0"),
                                     Fixture.report("13800000015", outId: "run-test:p1:2", biz: "2^0")])
        #expect(await receiver.handle(method: "POST", path: "/sms-report", body: push).status == 200)
        let stored = try await store.receipts(ReceiptQuery())
        #expect(stored.map(\.batch) == [2])
        #expect(DeliveryCounts(receipts: stored, sent: 40).delivered == 1)
        let summary = try receiver.ledger.unmatchedSummary(samples: 5)
        #expect(summary.receipts == ["phone-not-in-batch": 2])
        #expect(Set(summary.receiptSamples["phone-not-in-batch"]?.map(\.phone) ?? []) == ["13800000015", "13900000000"])
    }

    @Test(arguments: [("phone_number", "1380000\u{0}0001"), ("phone_number", "13800000001\u{0}"), ("biz_id", "7^0\u{0}x"), ("out_id", "run-test:p1:1\u{1}"),
                      ("err_code", "DELIVERED\u{7F}"), ("phone_number", "13800000001\n"), ("send_time", "2027-03-01\t10:00:00")])
    func aControlCharacterMakesTheElementMalformed(field: String, value: String) async throws {
        let (state, store) = try await Fixture.stateWithRun()
        let receiver = ReceiptsReceiver(stateFolder: state, token: nil)
        var report = Fixture.report("13800000001")
        report[field] = value
        let reply = await receiver.handle(method: "POST", path: "/sms-report", body: try Fixture.body([report, Fixture.report("13800000002", biz: "8^0")]))
        #expect(reply.status == 200)
        #expect(try await store.receipts(ReceiptQuery()).map(\.phone) == ["13800000002"])
        let summary = try receiver.ledger.unmatchedSummary(samples: 5)
        #expect(summary.malformed == ["malformed-control-character": 1])
        #expect(summary.receipts.isEmpty)
    }

    @Test func aReplyMayHoldLinesButNoOtherControlCharacter() async throws {
        let state = try RunFixture(count: 1, batchSize: 1).folder + "/state"
        let receiver = ReceiptsReceiver(stateFolder: state, token: nil)
        let replies: [[String: Any]] = [
            ["phone_number": "13800000001", "content": "好的\n谢谢", "sequence_id": "1"],
            ["phone_number": "13800000002\u{0}", "content": "R", "sequence_id": "2"],
            ["phone_number": "13800000003", "content": "T\u{0}D", "sequence_id": "3"],
        ]
        #expect(await receiver.handle(method: "POST", path: "/sms-up", body: try Fixture.body(replies)).status == 200)
        #expect(try receiver.ledger.counts().replies == 1)
        #expect(try receiver.ledger.suppressed(signName: "any").isEmpty)
        #expect(try receiver.ledger.unmatchedSummary(samples: 1).malformed == ["malformed-control-character": 2])
    }

    @Test func aMalformedElementIsKeptInPartOnly() async throws {
        let state = try RunFixture(count: 1, batchSize: 1).folder + "/state"
        let receiver = ReceiptsReceiver(stateFolder: state, token: nil)
        let long = ["phone_number": "13800000001", "note": String(repeating: "x", count: 10_000)]
        #expect(await receiver.handle(method: "POST", path: "/sms-report", body: try Fixture.body([long])).status == 200)
        let kept = try #require(try receiver.ledger.unmatchedSummary(samples: 1).malformedSamples.values.first?.first)
        #expect(kept.element.utf8.count == MalformedElement.excerptLimit)
    }

    /// A push larger than a chunk is stored whole, its malformed elements counted once.
    @Test func aLargePushIsStoredAChunkAtATime() async throws {
        let (state, store) = try await Fixture.stateWithRun()
        let receiver = ReceiptsReceiver(stateFolder: state, token: nil)
        var elements: [Any] = []
        for index in 0..<(ReceiptsReceiver.chunkSize * 2 + 7) {
            elements.append(index % 500 == 0 ? ["n": index] as [String: Any] : Fixture.report("13800000003", biz: "\(index)^0"))
        }
        #expect(await receiver.handle(method: "POST", path: "/sms-report", body: try Fixture.body(elements)).status == 200)
        let malformed = (ReceiptsReceiver.chunkSize * 2 + 7 + 499) / 500
        #expect(try await store.receipts(ReceiptQuery()).count == ReceiptsReceiver.chunkSize * 2 + 7 - malformed)
        #expect(try receiver.ledger.unmatchedSummary(samples: 1).malformed == ["malformed-missing-field": malformed])
    }

    /// Small or large, a body that turns out not to be JSON at its end stores nothing.
    @Test(arguments: [10, 6000])
    func aBodyBrokenAtItsEndStoresNothing(elements: Int) async throws {
        let (state, store) = try await Fixture.stateWithRun()
        let receiver = ReceiptsReceiver(stateFolder: state, token: nil)
        var body = try Fixture.body((0..<elements).map { Fixture.report("13800000003", biz: "\($0)^0") })
        body.removeLast()
        body += Array(", {\"success\": tru}]".utf8)
        #expect((body.count > ReceiptsReceiver.singlePassBytes) == (elements > 10))
        let reply = await receiver.handle(method: "POST", path: "/sms-report", body: body)
        #expect(reply.status == 400)
        #expect(try await store.receipts(ReceiptQuery()).isEmpty)
        #expect(try receiver.ledger.unmatchedSummary(samples: 1).malformed.isEmpty)
    }

    /// A ledger written before reasons were kept gains the column and the malformed table; its
    /// receipts show as `unrecorded`.
    @Test func anOlderLedgerIsUpgraded() async throws {
        let state = try RunFixture(count: 1, batchSize: 1).folder + "/state"
        try FileManager.default.createDirectory(atPath: state + "/.receipts", withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let old = try SQLiteConnection(path: state + "/.receipts/receipts.db", mode: .create)
        try old.execute("""
            CREATE TABLE unmatched (
                id INTEGER PRIMARY KEY, biz_id TEXT NOT NULL, phone TEXT NOT NULL, out_id TEXT NOT NULL, success INTEGER NOT NULL,
                code TEXT NOT NULL, received_at REAL NOT NULL, UNIQUE (biz_id, phone));
            INSERT INTO unmatched (biz_id, phone, out_id, success, code, received_at) VALUES ('1^0', '13800000001', 'gone:p:1', 1, 'DELIVERED', 1000);
            """)
        chmod(state + "/.receipts/receipts.db", 0o600)
        let receiver = ReceiptsReceiver(stateFolder: state, token: nil)
        #expect(try receiver.ledger.unmatchedSummary(samples: 1).receipts == ["unrecorded": 1])
        let push = try Fixture.body([Fixture.report("13800000002", outId: "gone:p:1"), ["success": true]])
        #expect(await receiver.handle(method: "POST", path: "/sms-report", body: push).status == 200)
        let summary = try receiver.ledger.unmatchedSummary(samples: 1)
        #expect(summary.receipts == ["unrecorded": 1, "no-campaign": 1])
        #expect(summary.malformed == ["malformed-missing-field": 1])
    }

    @Test func theHeadAloneDecidesWhatIsRefused() {
        let receiver = ReceiptsReceiver(stateFolder: "/nonexistent", token: "0123456789abcdef")
        #expect(receiver.route(method: "POST", path: "/0123456789abcdef/sms-report") == .serve(.report))
        #expect(receiver.route(method: "POST", path: "/0123456789abcdef/sms-up?x=1") == .serve(.up))
        guard case .refuse(let wrongPath) = receiver.route(method: "POST", path: "/sms-report") else { Issue.record("served a path without the token"); return }
        #expect(wrongPath.status == 404)
        guard case .refuse(let wrongMethod) = receiver.route(method: "GET", path: "/0123456789abcdef/sms-report") else { Issue.record("served a GET"); return }
        #expect(wrongMethod.status == 405)
    }

    @Test(arguments: [
        ("[]", []), (" [ ] ", []), ("[1]", ["1"]), ("[ {\"a\": [1, \"]\"]} , \"x\\\"]\" ,2]", ["{\"a\": [1, \"]\"]}", "\"x\\\"]\"", "2"]),
        ("[[],{}]", ["[]", "{}"]),
    ])
    func theScannerFindsEachElement(text: String, expected: [String]) {
        let data = Data(text.utf8)
        var scanner = ArrayScanner()
        var found: [String] = []
        while case .element(let range) = data.withUnsafeBytes({ scanner.next($0) }) {
            found.append(String(decoding: data[range], as: UTF8.self))
        }
        #expect(found == expected)
        #expect(data.withUnsafeBytes { scanner.next($0) } == .end)
    }

    @Test(arguments: ["", "{}", "[", "[1", "[1,]", "[,1]", "[1}", "[1] x", "x[1]", "[\"]"])
    func theScannerSeesWhatIsNotAnArray(text: String) {
        let data = Data(text.utf8)
        var scanner = ArrayScanner()
        var step = data.withUnsafeBytes { scanner.next($0) }
        while case .element = step { step = data.withUnsafeBytes { scanner.next($0) } }
        #expect(step == .notAnArray)
    }
}
