import CampaignCompiler
import Foundation
import Testing
@testable import CampaignRunner

/// The receipts receiver without the network: routes, the token, what is malformed, what matches.
@Suite struct ReceiptsReceiverTests {
    /// A state folder with one started run of `run-test` (plan `p1`, four batches).
    static func stateWithRun() async throws -> (state: String, store: SQLiteRunStore) {
        let fixture = try RunFixture(count: 40, batchSize: 10)
        let state = fixture.folder + "/state"
        let folder = state + "/run-test"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let store = SQLiteRunStore(folder: folder)
        let result = try await PlanCompiler(campaign: try await fixture.campaign()).compile(output: store.newPlanPath)
        #expect(result.isComplete)
        var records: [BatchRecord] = []
        _ = try PlanReader.batches(at: store.newPlanPath) { batch in
            records.append(BatchRecord(batch: batch.batch, action: batch.action, outId: batch.outId, recipients: batch.recipients.count, segments: batch.segments,
                                       firstPhone: batch.recipients[0][0], state: .accepted, attempts: 1))
        }
        try await store.create(NewRun(metadata: RunMetadata(planID: "p1", campaign: "run-test", createdAt: 1000), batches: records, planFile: store.newPlanPath))
        return (state, store)
    }

    static func report(_ phone: String, outId: String = "run-test:p1:1", biz: String = "7^0", success: Any = true, size: Any = "1") -> [String: Any] {
        ["phone_number": phone, "send_time": "2027-03-01 10:00:00", "report_time": "2027-03-01 10:00:03", "success": success,
         "err_code": "DELIVERED", "err_msg": "用户接收成功", "sms_size": size, "biz_id": biz, "out_id": outId]
    }

    static func body(_ value: Any) throws -> [UInt8] {
        Array(try JSONSerialization.data(withJSONObject: value))
    }

    @Test func receiptsAreStoredOnceAndAnsweredCodeZero() async throws {
        let (state, store) = try await Self.stateWithRun()
        let receiver = ReceiptsReceiver(stateFolder: state, token: "s3cret")
        let push = try Self.body([Self.report("13800000001"), Self.report("13800000002", success: false, size: 2), Self.report("13800000001")])
        let reply = await receiver.handle(method: "POST", path: "/s3cret/sms-report", body: push)
        #expect(reply.status == 200)
        #expect(reply.body.contains("\"code\":0"))
        // Pushed again (Alibaba Cloud retries): nothing is stored twice.
        #expect(await receiver.handle(method: "POST", path: "/s3cret/sms-report", body: push).status == 200)
        let receipts = try await store.receipts(ReceiptQuery())
        #expect(receipts.count == 2)
        #expect(receipts.first { $0.phone == "13800000002" }?.segments == 2)
        // The same receipt with the number written another way is the same receipt.
        #expect(await receiver.handle(method: "POST", path: "/s3cret/sms-report", body: try Self.body([Self.report("+86 138 0000 0001")])).status == 200)
        #expect(try await store.receipts(ReceiptQuery()).count == 2)
    }

    @Test func onlyTheTokensPathsExist() async throws {
        let (state, store) = try await Self.stateWithRun()
        let receiver = ReceiptsReceiver(stateFolder: state, token: "s3cret")
        let push = try Self.body([Self.report("13800000001")])
        for path in ["/sms-report", "/sms-up", "/S3CRET/sms-report", "/s3cret/sms-report/x", "/s3cret", "/"] {
            #expect(await receiver.handle(method: "POST", path: path, body: push).status == 404, "\(path)")
        }
        #expect(await receiver.handle(method: "GET", path: "/s3cret/sms-report", body: []).status == 405)
        #expect(try await store.receipts(ReceiptQuery()).isEmpty)
        let open = ReceiptsReceiver(stateFolder: state, token: nil)
        #expect(await open.handle(method: "POST", path: "/sms-report", body: push).status == 200)
    }

    @Test func onlyABodyThatIsNotAJSONArrayIsRefused() async throws {
        let (state, store) = try await Self.stateWithRun()
        let receiver = ReceiptsReceiver(stateFolder: state, token: nil)
        let bad: [[UInt8]] = [Array("not json".utf8), Array("{\"phone_number\": \"13800000001\"}".utf8), Array("[{".utf8), Array("[1,]".utf8),
                              Array("[1] 2".utf8), Array("[{\"a\": 1}}".utf8), Array("\"[]\"".utf8), Array("".utf8),
                              try Self.body([Self.report("13800000001")]) + Array("[".utf8)]
        for body in bad {
            let reply = await receiver.handle(method: "POST", path: "/sms-report", body: body)
            #expect(reply.status == 400, "\(String(decoding: body, as: UTF8.self))")
        }
        #expect(try await store.receipts(ReceiptQuery()).isEmpty)
        #expect(try receiver.ledger.unmatchedSummary(samples: 1).malformed.isEmpty)
        let large = [UInt8](repeating: 0x20, count: ReceiptsReceiver.bodyLimit + 1)
        #expect(await receiver.handle(method: "POST", path: "/sms-report", body: large).status == 413)
    }

    /// Elements that are not receipts are kept as malformed; the good ones beside them are stored.
    @Test func malformedElementsAreKeptAndTheRestStored() async throws {
        let (state, store) = try await Self.stateWithRun()
        let receiver = ReceiptsReceiver(stateFolder: state, token: nil)
        let pushes: [([UInt8], String)] = [
            (Array("[1, 2]".utf8), "malformed-not-an-object"),
            (try Self.body([Self.report("13800000001"), Self.report("13800000002", success: "maybe")]), "malformed-value"),
            (try Self.body([Self.report("13800000003", size: "two")]), "malformed-value"),
            (try Self.body([["phone_number": 13800000004 as Any, "success": true, "biz_id": ["x"]]]), "malformed-not-text"),
            (try Self.body([Self.report("")]), "malformed-value"),
        ]
        for (body, reason) in pushes {
            let reply = await receiver.handle(method: "POST", path: "/sms-report", body: body)
            #expect(reply.status == 200 && reply.body.contains("\"code\":0"), "\(String(decoding: body, as: UTF8.self))")
            #expect(try receiver.ledger.unmatchedSummary(samples: 1).malformed[reason] != nil, "\(reason)")
        }
        #expect(try await store.receipts(ReceiptQuery()).map(\.phone) == ["13800000001"])
        let summary = try receiver.ledger.unmatchedSummary(samples: 10)
        #expect(summary.malformed.values.reduce(0, +) == 6)
    }

    @Test func lenientWhereTheDocumentsDisagree() async throws {
        let (state, store) = try await Self.stateWithRun()
        let receiver = ReceiptsReceiver(stateFolder: state, token: nil)
        var report = Self.report("13800000003", size: 1)
        report["unknown_field"] = "kept out"
        report["success"] = "true"
        #expect(await receiver.handle(method: "POST", path: "/sms-report", body: try Self.body([report])).status == 200)
        #expect(try await store.receipts(ReceiptQuery()).map(\.phone) == ["13800000003"])
        let reply: [String: Any] = ["phone_number": "13800000003", "content": "R", "send_time": "20270301100000", "dest_code": "1", "sequence_id": 12]
        #expect(await receiver.handle(method: "POST", path: "/sms-up", body: try Self.body([reply])).status == 200)
        #expect(try receiver.ledger.counts().replies == 1)
    }

    /// Receipts of every planned recipient, pushed in random order in arrays of random sizes,
    /// a third of them twice, with malformed pushes between: the counts come out exact.
    @Test func shuffledRepeatedPushesCountExactly() async throws {
        let (state, store) = try await Self.stateWithRun()
        let receiver = ReceiptsReceiver(stateFolder: state, token: nil)
        var receipts: [[String: Any]] = []
        var failedExpected = 0
        try await store.readPlan { batch in
            for (index, recipient) in batch.recipients.enumerated() {
                var report = Self.report(recipient[0], outId: "run-test:p1:\(batch.batch)", biz: "\(batch.batch)^0", success: index % 7 != 3)
                if index % 7 == 3 {
                    report["err_code"] = "UNDELIV"
                    failedExpected += 1
                }
                receipts.append(report)
            }
        }
        var generator = SystemRandomNumberGenerator()
        var pushes = receipts + receipts.enumerated().filter { $0.offset % 3 == 0 }.map(\.element)
        pushes.shuffle(using: &generator)
        while !pushes.isEmpty {
            let size = Int.random(in: 1...30, using: &generator)
            let array = Array(pushes.prefix(size))
            pushes.removeFirst(min(size, pushes.count))
            #expect(await receiver.handle(method: "POST", path: "/sms-report", body: try Self.body(array)).status == 200)
            if Bool.random(using: &generator) {
                #expect(await receiver.handle(method: "POST", path: "/sms-report", body: Array("[{\"phone_number\": 1".utf8)).status == 400)
            }
        }
        let stored = try await store.receipts(ReceiptQuery())
        #expect(stored.count == receipts.count)
        let delivery = DeliveryCounts(receipts: stored, sent: receipts.count)
        #expect(delivery.failed == failedExpected && delivery.delivered == receipts.count - failedExpected && delivery.waiting == 0)
    }

    /// A run put aside (`salvo state reset`) and started again while the receiver runs: receipts
    /// go to the new run, not to the one set aside.
    @Test func aResetUnderTheReceiverIsNoticed() async throws {
        let (state, store) = try await Self.stateWithRun()
        let receiver = ReceiptsReceiver(stateFolder: state, token: nil)
        #expect(await receiver.handle(method: "POST", path: "/sms-report", body: try Self.body([Self.report("13800000001")])).status == 200)
        _ = try await store.setAside(SetAsideRequest(at: 2000))
        let fresh = SQLiteRunStore(folder: store.folder)
        let fixture = try RunFixture(count: 40, batchSize: 10)
        #expect(try await PlanCompiler(campaign: try await fixture.campaign()).compile(output: fresh.newPlanPath).isComplete)
        var records: [BatchRecord] = []
        _ = try PlanReader.batches(at: fresh.newPlanPath) { batch in
            records.append(BatchRecord(batch: batch.batch, action: batch.action, outId: batch.outId, recipients: batch.recipients.count, segments: batch.segments,
                                       firstPhone: batch.recipients[0][0], state: .accepted, attempts: 1))
        }
        try await fresh.create(NewRun(metadata: RunMetadata(planID: "p1", campaign: "run-test", createdAt: 3000), batches: records, planFile: fresh.newPlanPath))
        #expect(await receiver.handle(method: "POST", path: "/sms-report", body: try Self.body([Self.report("13800000002", biz: "8^0")])).status == 200)
        #expect(try await fresh.receipts(ReceiptQuery()).map(\.phone) == ["13800000002"])
    }

    /// A store that holds a run but cannot write receipts (a full disk, a database gone bad).
    final class FailingStore: RunStore {
        let inner: any RunStore
        init(_ inner: any RunStore) { self.inner = inner }
        var location: String { "failing" }
        func load() async throws(RunStoreError) -> StoredRun? { try await inner.load() }
        func create(_ run: NewRun) async throws(RunStoreError) { try await inner.create(run) }
        func commit(_ change: RunChange) async throws(RunStoreError) { try await inner.commit(change) }
        func planBatch(_ request: PlanBatchRequest) async throws(RunStoreError) -> PlanBatch { try await inner.planBatch(request) }
        func readPlan(_ body: (PlanBatch) throws(PlanError) -> Void) async throws(RunStoreError) { try await inner.readPlan(body) }
        func attempts(_ query: AttemptQuery) async throws(RunStoreError) -> [AttemptRecord] { try await inner.attempts(query) }
        func storeReceipts(_ batch: ReceiptBatch) async throws(RunStoreError) -> ReceiptsStored { throw RunStoreError(.io, "disk full") }
        func receipts(_ query: ReceiptQuery) async throws(RunStoreError) -> [Receipt] { [] }
        func setAside(_ request: SetAsideRequest) async throws(RunStoreError) -> String { try await inner.setAside(request) }
        func planHeader() async throws(RunStoreError) -> PlanHeader? { try await inner.planHeader() }
        func planTrailer() async throws(RunStoreError) -> PlanTrailer? { try await inner.planTrailer() }
        var comparesRecipients: Bool { inner.comparesRecipients }
        func planRecipients(_ request: PlanRecipientsRequest) async throws(RunStoreError) -> [Int: [PlanReader.PlannedRecipient]]? { try await inner.planRecipients(request) }
    }

    /// A storage failure is a 5xx, so that Alibaba Cloud pushes the array again.
    @Test func aStorageFailureIsAServerError() async throws {
        let (store, plan, records) = try await StoreKind.memory.make()
        try await store.create(NewRun(metadata: RunStoreConformanceTests.metadata, batches: records, planFile: plan))
        let failing = FailingStore(store)
        let receiver = ReceiptsReceiver(stateFolder: try RunFixture(count: 1, batchSize: 1).folder + "/state", token: nil, storeFor: { _ in failing })
        let reply = await receiver.handle(method: "POST", path: "/sms-report", body: try Self.body([Self.report("13800000001")]))
        #expect(reply.status == 500)
        #expect(!reply.body.contains("\"code\":0"))
    }

    /// The receiver works with any run store: here the in-memory one, found by campaign id.
    @Test func anyRunStoreTakesReceipts() async throws {
        let (store, plan, records) = try await StoreKind.memory.make()
        try await store.create(NewRun(metadata: RunStoreConformanceTests.metadata, batches: records, planFile: plan))
        let state = try RunFixture(count: 1, batchSize: 1).folder + "/state"
        let receiver = ReceiptsReceiver(stateFolder: state, token: nil, storeFor: { $0 == "run-test" ? store : nil })
        let push = try Self.body([Self.report("13800000001"), Self.report("13800000012", outId: "run-test:p1:2")])
        #expect(await receiver.handle(method: "POST", path: "/sms-report", body: push).status == 200)
        #expect(try await store.receipts(ReceiptQuery()).map(\.batch) == [1, 2])
    }

    @Test func receiptsOfNoKnownCampaignAreKeptAsUnmatched() async throws {
        let (state, store) = try await Self.stateWithRun()
        let receiver = ReceiptsReceiver(stateFolder: state, token: nil)
        let push = try Self.body([Self.report("13800000001", outId: "other-campaign:p1:1"), Self.report("13800000002", outId: "run-test:old-plan:1"),
                                  Self.report("13800000003", outId: "../../etc:p1:1"), Self.report("13800000004", outId: ""),
                                  Self.report("13800000005", outId: "run-test:p1:99"), Self.report("13800000006")])
        #expect(await receiver.handle(method: "POST", path: "/sms-report", body: push).status == 200)
        #expect(try await store.receipts(ReceiptQuery()).map(\.phone) == ["13800000006"])
        #expect(try receiver.ledger.counts().unmatched == 5)
        let reasons = try receiver.ledger.unmatchedSummary(samples: 1).receipts
        #expect(reasons == ["no-campaign": 1, "other-plan": 1, "unknown-out-id": 2, "unknown-batch": 1])
    }
}

/// Replies that unsubscribe, and the list a promotional plan leaves out.
@Suite struct SuppressionTests {
    @Test(arguments: ["R", "r", "TD", "td", " T ", "N", "退订", "拒收", "ＴＤ", "Ｒ", "\u{3000}退订\u{3000}", "n\n"])
    func unsubscribeWords(_ content: String) {
        #expect(Suppression.isUnsubscribe(content))
    }

    @Test(arguments: ["", "RR", "好的", "退订了吗", "R 谢谢", "TDD", "yes"])
    func otherReplies(_ content: String) {
        #expect(!Suppression.isUnsubscribe(content))
    }

    @Test func repliesPutNumbersOnTheirSignNamesList() async throws {
        let state = try RunFixture(count: 1, batchSize: 1).folder + "/state"
        let receiver = ReceiptsReceiver(stateFolder: state, token: nil)
        let replies: [[String: Any]] = [
            ["phone_number": "13800000001", "content": "R", "send_time": "2027-03-01 10:00:00", "dest_code": "1", "sequence_id": "1", "sign_name": "云杉商城"],
            ["phone_number": "8613800000002", "content": "退订", "send_time": "2027-03-01 10:00:00", "dest_code": "1", "sequence_id": 2],
            ["phone_number": "13800000003", "content": "好的", "send_time": "2027-03-01 10:00:00", "dest_code": "1", "sequence_id": "3", "sign_name": "云杉商城"],
            ["phone_number": "13800000004", "content": "TD", "send_time": "2027-03-01 10:00:00", "dest_code": "1", "sequence_id": "4", "sign_name": "别家"],
        ]
        let body = Array(try JSONSerialization.data(withJSONObject: replies))
        let first = await receiver.handle(method: "POST", path: "/sms-up", body: body)
        #expect(first.status == 200 && first.counts?.replies == 4 && first.counts?.unsubscribes == 3 && first.counts?.repeated == 0, "\(String(describing: first.counts))")
        // The same push again: every reply a repeat, none a new unsubscribe.
        let again = await receiver.handle(method: "POST", path: "/sms-up", body: body)
        #expect(again.status == 200 && again.counts?.replies == 0 && again.counts?.unsubscribes == 0 && again.counts?.repeated == 4, "\(String(describing: again.counts))")
        let ledger = ReceiptsLedger.of(stateFolder: state)
        // A reply without a sign name counts for every sign.
        #expect(try ledger.suppressed(signName: "云杉商城") == ["13800000001", "13800000002"])
        #expect(try ledger.suppressed(signName: "别家") == ["13800000002", "13800000004"])
        #expect(try ledger.counts().replies == 4)
    }

    @Test func aPromotionalPlanLeavesSuppressedNumbersOutAndCountsThem() async throws {
        let folder = try RunFixture(count: 1, batchSize: 1).folder
        try ("phone,name\n" + (0..<250).map { "1380000\(String(format: "%04d", $0)),客户\n" }.joined()).write(toFile: folder + "/s.csv", atomically: true, encoding: .utf8)
        for (type, content, expected) in [("promotional", "${name}您好，春季特惠。拒收请回复R", 3), ("notification", "${name}您好，您的包裹已到驿站。", 0)] {
            let path = folder + "/\(type).yaml"
            try """
                version: 1
                campaign: suppression-\(type)
                sign-name: 云杉商城
                template:
                  code: SMS_465012347
                  type: \(type)
                  content: "\(content)"
                parameters:
                  name: { type: name, from: name }
                recipients:
                  from:
                    - csv: s.csv

                """.write(toFile: path, atomically: true, encoding: .utf8)
            let check = await CampaignChecker.check(path: path, options: CheckOptions(checksRecipientFiles: false))
            let campaign = try #require(check.campaign, "\(check.diagnostics.map(\.message))")
            var compiler = PlanCompiler(campaign: campaign)
            compiler.suppression = SuppressionList(numbers: ["13800000007", "+86 138-0000-0100", "13800000249", "13999999999", "not a number"])
            let output = folder + "/\(type).jsonl"
            let result = try await compiler.compile(output: output)
            #expect(result.isComplete)
            #expect(result.recipients.suppressed == expected)
            #expect(result.recipients.toSend == 250 - expected)
            var planned: Set<String> = []
            _ = try PlanReader.batches(at: output) { batch in for recipient in batch.recipients { planned.insert(recipient[0]) } }
            #expect(planned.contains("13800000007") == (expected == 0))
            #expect((result.header.suppression != nil) == (expected > 0))
        }
    }
}

@Suite struct StateFolderTests {
    @Test func salvoStateComesFirstThenXDGThenHome() {
        #expect(RunOptions.defaultStateFolder(environment: ["SALVO_STATE": "/srv/salvo", "XDG_STATE_HOME": "/x", "HOME": "/h"]) == "/srv/salvo")
        #expect(RunOptions.defaultStateFolder(environment: ["SALVO_STATE": "", "XDG_STATE_HOME": "/x", "HOME": "/h"]) == "/x/salvo")
        #expect(RunOptions.defaultStateFolder(environment: ["HOME": "/h"]) == "/h/.local/state/salvo")
    }
}
