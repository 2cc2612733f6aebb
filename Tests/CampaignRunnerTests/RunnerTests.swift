import AliyunSMS
import CampaignCompiler
import Foundation
import SMSEmulator
import Synchronization
import Testing
@testable import CampaignRunner

/// A campaign of `count` recipients in a scratch folder.
struct RunFixture {
    let folder: String
    var path: String { folder + "/c.yaml" }

    init(count: Int, schedule: String = "", batchSize: Int = 10, rate: Int = 5000) throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("salvo-run-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try Self.rows(count).write(toFile: folder + "/m.csv", atomically: true, encoding: .utf8)
        try """
            version: 1
            campaign: run-test
            sign-name: 云杉商城
            template:
              code: SMS_1
              type: notification
              content: "${name}您好，您的包裹已到驿站。"
            parameters:
              name: { type: name, from: name }
            recipients:
              from:
                - csv: m.csv
            sending:
              rate: \(rate)
              concurrency: 8
              batch-size: \(batchSize)
            \(schedule)
            """.write(toFile: path, atomically: true, encoding: .utf8)
    }

    static func rows(_ count: Int, from start: Int = 0) -> String {
        "phone,name\n" + (start..<(start + count)).map { "1380000\(String(format: "%04d", $0)),客户\($0)\n" }.joined()
    }

    func campaign() async throws -> Campaign {
        let check = await CampaignChecker.check(path: path, options: CheckOptions(checksRecipientFiles: false))
        return try #require(check.campaign, "\(check.diagnostics.map(\.message))")
    }
}

/// An emulator on loopback and a client for it.
struct Loopback {
    let server: EmulatorServer
    let transport = HTTPClientTransport()

    init(faults: FaultPlan = FaultPlan()) async throws {
        var configuration = EmulatorConfiguration(accessKeyId: "id", accessKeySecret: "secret")
        configuration.faults = faults
        server = try await EmulatorServer(core: EmulatorCore(configuration: configuration, record: try EmulatorRecord(path: ":memory:")))
    }

    var client: SMSClient {
        get throws {
            SMSClient(signer: RequestSigner(credentials: Credentials(accessKeyId: "id", accessKeySecret: "secret"), endpoint: try Endpoint(url: server.url), scheme: .v3),
                      transport: transport, timeout: .seconds(5))
        }
    }

    func close() async {
        await transport.shutdown()
        await server.close()
    }
}

/// A clock that moves only when the run sleeps.
final class FakeClock: Sendable {
    private let time: Mutex<Double>
    init(_ start: Double) { time = Mutex(start) }
    var now: Double { time.withLock { $0 } }
    func advance(_ seconds: Double) { time.withLock { $0 += max(seconds, 0) } }
}

@Suite struct RunnerTests {
    static func options(_ fixture: RunFixture) -> RunOptions {
        var options = RunOptions(stateFolder: fixture.folder + "/state")
        options.graceSeconds = 0.2
        options.retryBase = 0.01
        return options
    }

    static let shanghai = TimeZone(identifier: "Asia/Shanghai") ?? .current

    /// 2027-03-01 at `hour`:00 in Shanghai, in seconds since 1970.
    static func march1(_ hour: Int) -> Double {
        ScheduleCalendar.date(LocalDateTime(year: 2027, month: 3, day: 1, hour: hour, minute: 0, second: 0), in: shanghai).timeIntervalSince1970
    }

    /// Options whose time starts at `start` and moves only when the run sleeps.
    static func clocked(_ fixture: RunFixture, from start: Double) -> (RunOptions, FakeClock) {
        let clock = FakeClock(start)
        var options = options(fixture)
        options.now = { clock.now }
        options.sleep = { clock.advance($0) }
        return (options, clock)
    }

    @Test func withFaultsEveryoneGetsTheMessageExactlyOnce() async throws {
        var faults = FaultPlan()
        faults.throttleRate = 0.10
        faults.unavailableRate = 0.05
        faults.ambiguousRate = 0.02
        faults.seed = 11
        let loopback = try await Loopback(faults: faults)
        let fixture = try RunFixture(count: 1500)
        let runner = CampaignRunner(campaign: try await fixture.campaign(), options: Self.options(fixture), client: try loopback.client)
        let outcome = await runner.run()
        #expect(outcome == .done)
        let statistics = loopback.server.core.record.statistics()
        #expect(statistics.messages == 1500 && statistics.distinctNumbers == 1500 && statistics.extraCopies == 0)
        let status = StatusReader(campaign: try await fixture.campaign(), stateFolder: fixture.folder + "/state").status()
        #expect(status.state == "done" && status.counts.sent == 1500)
        await loopback.close()
    }

    @Test func theStateFolderIsMadeWithItsParentsOwnerOnly() async throws {
        let loopback = try await Loopback()
        let fixture = try RunFixture(count: 3)
        var options = Self.options(fixture)
        options.stateFolder = fixture.folder + "/home/.local/state/salvo"
        #expect(await CampaignRunner(campaign: try await fixture.campaign(), options: options, client: try loopback.client).run() == .done)
        for path in [options.stateFolder, options.stateFolder + "/run-test"] {
            let mode = (try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber)?.intValue
            #expect(mode == 0o700, "\(path)")
        }
        await loopback.close()
    }

    @Test func outsideTheWindowsItSaysWhenTheNextOpensAndSendsNothing() async throws {
        let loopback = try await Loopback()
        let fixture = try RunFixture(count: 20, schedule: "schedule:\n  timezone: Asia/Shanghai\n  start: 2027-03-01T09:00:00\n  end: 2027-03-02T12:00:00\n  windows: [\"09:00-10:00\"]\n")
        var (options, clock) = Self.clocked(fixture, from: Self.march1(8))
        let campaign = try await fixture.campaign()
        let early = await CampaignRunner(campaign: campaign, options: options, client: try loopback.client).run()
        #expect(early == .later("outside the send windows; the next opens at 2027-03-01 09:00:00 Asia/Shanghai"))
        #expect(loopback.server.core.record.messages().isEmpty)

        options.wait = true
        let waits = Mutex<[String]>([])
        let waited = await CampaignRunner(campaign: campaign, options: options, client: try loopback.client, events: { event in
            if case .waiting(_, let local, let reason) = event { waits.withLock { $0.append("\(local) (\(reason))") } }
        }).run()
        #expect(waited == .done)
        #expect(waits.withLock { $0 } == ["2027-03-01 09:00:00 Asia/Shanghai (outside the send windows)"])
        #expect(loopback.server.core.record.messages().count == 20)
        #expect(clock.now >= Self.march1(9))
        await loopback.close()
    }

    @Test func atTheEndTheRestExpires() async throws {
        let loopback = try await Loopback()
        let fixture = try RunFixture(count: 30, schedule: "schedule:\n  timezone: Asia/Shanghai\n  end: 2027-03-01T12:00:00\n")
        let (options, _) = Self.clocked(fixture, from: Self.march1(13))
        let outcome = await CampaignRunner(campaign: try await fixture.campaign(), options: options, client: try loopback.client).run()
        #expect(outcome == .done)
        let status = StatusReader(campaign: try await fixture.campaign(), stateFolder: options.stateFolder).status()
        #expect(status.counts.expired == 30 && status.counts.sent == 0)
        #expect(loopback.server.core.record.messages().isEmpty)
        await loopback.close()
    }

    @Test func aSecondRunLeavesAHeldCampaignAlone() async throws {
        let loopback = try await Loopback()
        let fixture = try RunFixture(count: 10)
        let campaign = try await fixture.campaign()
        let runner = CampaignRunner(campaign: campaign, options: Self.options(fixture), client: try loopback.client)
        try FileManager.default.createDirectory(atPath: runner.folder, withIntermediateDirectories: true)
        do {
            guard case .success(let held) = try CampaignLock.acquire(path: runner.folder + "/lock") else {
                Issue.record("could not take the lock")
                return
            }
            let outcome = await runner.run()
            guard case .later(let reason) = outcome else {
                Issue.record("expected to be told to come back later, got \(outcome)")
                return
            }
            #expect(reason.contains("another run holds campaign 'run-test'"))
            #expect(loopback.server.core.record.messages().isEmpty)
            withExtendedLifetime(held) {}
        }
        #expect(await runner.run() == .done, "the lock is free again")
        await loopback.close()
    }

    @Test func changedRecipientsAreRefusedWithWhatChanged() async throws {
        let loopback = try await Loopback()
        let fixture = try RunFixture(count: 10)
        #expect(await CampaignRunner(campaign: try await fixture.campaign(), options: Self.options(fixture), client: try loopback.client).run() == .done)
        try RunFixture.rows(12).write(toFile: fixture.folder + "/m.csv", atomically: true, encoding: .utf8)
        let outcome = await CampaignRunner(campaign: try await fixture.campaign(), options: Self.options(fixture), client: try loopback.client).run()
        guard case .stopped(let reason) = outcome else {
            Issue.record("expected a refusal, got \(outcome)")
            return
        }
        #expect(reason.contains("refusing to resume"))
        #expect(reason.contains("recipient source m.csv changed: 2 recipients added, 0 removed"))
        #expect(loopback.server.core.record.messages().count == 10)
        await loopback.close()
    }

    @Test func anEditedPlanInTheStateFolderStopsTheRunWithNothingInFlight() async throws {
        let loopback = try await Loopback()
        let fixture = try RunFixture(count: 30)
        let campaign = try await fixture.campaign()
        var options = Self.options(fixture)
        options.shouldStop = { true }
        // A first run that is stopped at once leaves the plan and the state, nothing sent.
        let runner = CampaignRunner(campaign: campaign, options: options, client: try loopback.client)
        guard case .later = await runner.run() else { Issue.record("expected an interrupted run"); return }
        let planPath = runner.folder + "/plan.jsonl"
        var lines = try String(contentsOfFile: planPath, encoding: .utf8).components(separatedBy: "\n")
        lines[1] = lines[1].replacingOccurrences(of: "\"recipients\":[[", with: "\"recipients\":[{")
        try lines.joined(separator: "\n").write(toFile: planPath, atomically: true, encoding: .utf8)

        let outcome = await CampaignRunner(campaign: campaign, options: Self.options(fixture), client: try loopback.client).run()
        guard case .stopped(let reason) = outcome else { Issue.record("expected a stop, got \(outcome)"); return }
        #expect(reason.contains("edited or damaged"), "\(reason)")
        let states = try StateStore(path: runner.folder + "/state.db").batches().map(\.state)
        #expect(states.count == 3 && states.allSatisfy { $0 == .pending }, "\(states)")
        #expect(loopback.server.core.record.messages().isEmpty)
        await loopback.close()
    }

    @Test func runsStoppedBeforeTheirRequestsLeaveDoNotWearBatchesOut() async throws {
        let loopback = try await Loopback()
        let fixture = try RunFixture(count: 30)
        let campaign = try await fixture.campaign()
        // Forty runs, each stopped after its first group was marked 'sending' and before any
        // request left: what never reached the provider must not count as an attempt, or the
        // backoff would grow and a batch would be given up (maxAttempts) without ever being tried.
        for _ in 0..<40 {
            let checks = Mutex(0)
            var options = Self.options(fixture)
            options.maxAttempts = 3
            options.shouldStop = { checks.withLock { count in count += 1; return count > 1 } }
            guard case .later = await CampaignRunner(campaign: campaign, options: options, client: try loopback.client).run() else {
                Issue.record("expected an interrupted run")
                return
            }
        }
        let folder = CampaignRunner(campaign: campaign, options: Self.options(fixture), client: nil).folder
        let attempts = try StateStore(path: folder + "/state.db").batches().map(\.attempts)
        #expect(attempts == [0, 0, 0], "\(attempts)")
        #expect(loopback.server.core.record.messages().isEmpty)
        var options = Self.options(fixture)
        options.maxAttempts = 3
        #expect(await CampaignRunner(campaign: campaign, options: options, client: try loopback.client).run() == .done)
        #expect(loopback.server.core.record.messages().count == 30)
        await loopback.close()
    }

    @Test func aRequestPacedLaterThanItsGroupRecordsWhenItLeaves() async throws {
        // 10 messages a request at 5 messages a second: one request every 2 s, all four in one
        // group. The grace before an unanswered request is sent again must count from when each
        // one leaves, not from when the group was marked.
        let loopback = try await Loopback()
        let fixture = try RunFixture(count: 40, batchSize: 10, rate: 5)
        let (options, _) = Self.clocked(fixture, from: Self.march1(12))
        let campaign = try await fixture.campaign()
        #expect(await CampaignRunner(campaign: campaign, options: options, client: try loopback.client).run() == .done)
        let folder = CampaignRunner(campaign: campaign, options: options, client: nil).folder
        let times = try StateStore(path: folder + "/state.db").batches().compactMap(\.attemptAt)
        #expect(times.count == 4)
        #expect(zip(times, times.dropFirst()).allSatisfy { $1 - $0 >= 1.9 }, "\(times.map { $0 - Self.march1(12) })")
        await loopback.close()
    }

    @Test func onlyUnansweredAttemptsAreTakenBackOnReconciliation() async throws {
        let loopback = try await Loopback()
        let fixture = try RunFixture(count: 20)
        let campaign = try await fixture.campaign()
        var stopped = Self.options(fixture)
        stopped.shouldStop = { true }
        _ = await CampaignRunner(campaign: campaign, options: stopped, client: try loopback.client).run()
        let folder = CampaignRunner(campaign: campaign, options: stopped, client: nil).folder
        do {
            // Batch 1: the run died before any answer. Batch 2: the provider answered
            // InternalError (ambiguous). Neither is in the provider's record.
            let store = try StateStore(path: folder + "/state.db")
            try store.markSending([1, 2], at: Date().timeIntervalSince1970 - 60)
            try store.update(2, state: .uncertain, code: "InternalError", message: "m")
        }
        #expect(await CampaignRunner(campaign: campaign, options: Self.options(fixture), client: try loopback.client).run() == .done)
        let attempts = try StateStore(path: folder + "/state.db").batches().map(\.attempts)
        #expect(attempts == [1, 2], "the unanswered attempt is taken back, the answered one counts: \(attempts)")
        #expect(loopback.server.core.record.messages().count == 20)
        await loopback.close()
    }

    @Test func foreignDamagedOrNewerStateIsRefusedAndKept() async throws {
        let loopback = try await Loopback()
        let fixture = try RunFixture(count: 5)
        let campaign = try await fixture.campaign()
        let runner = CampaignRunner(campaign: campaign, options: Self.options(fixture), client: try loopback.client)
        try FileManager.default.createDirectory(atPath: runner.folder, withIntermediateDirectories: true)
        let state = runner.folder + "/state.db"
        try "this is not a database, but it is somebody's file".write(toFile: state, atomically: true, encoding: .utf8)
        guard case .stopped(let damaged) = await runner.run() else { Issue.record("expected a refusal"); return }
        #expect(damaged.contains("not a readable SQLite database") || damaged.contains("not a salvo state file"), "\(damaged)")
        #expect(try String(contentsOfFile: state, encoding: .utf8).hasPrefix("this is not a database"), "never recreated silently")
        try FileManager.default.removeItem(atPath: state)
        _ = try StateStore(path: state)
        let newer = try StateStoreForTests.setUserVersion(99, at: state)
        #expect(newer)
        guard case .stopped(let tooNew) = await runner.run() else { Issue.record("expected a refusal"); return }
        #expect(tooNew.contains("newer salvo"))
        #expect(loopback.server.core.record.messages().isEmpty)
        await loopback.close()
    }
}

@Suite struct PacingTests {
    @Test func theRateHoldsWhateverTheBatchSizes() {
        var pacer = Pacer(rate: 100)
        var last = 0.0
        for index in 0..<100 { last = pacer.schedule(messages: index % 2 == 0 ? 5 : 15, now: 0) }
        // Before the last request: 50 of 5 and 49 of 15 messages, 985 at 100/s.
        #expect(abs(last - 9.85) < 1e-9)
    }

    @Test func throttlingHalvesAndSuccessesRecover() {
        var pacer = Pacer(rate: 100)
        pacer.throttled()
        #expect(pacer.rate == 50)
        for _ in 0..<200 { pacer.succeeded() }
        #expect(pacer.rate == 100)
    }

    @Test func backoffGrowsWithJitterAndACap() {
        let backoff = Backoff(base: 1, cap: 60)
        #expect(backoff.delay(attempt: 1, random: 1) == 1)
        #expect(backoff.delay(attempt: 4, random: 1) == 8)
        #expect(backoff.delay(attempt: 4, random: 0) == 4)
        #expect(backoff.delay(attempt: 20, random: 1) == 60)
    }

    @Test func reconciliationLooksAcrossMidnight() {
        // 15:55:00 UTC is 23:55 in China: that day and the next.
        let nearMidnight = ScheduleCalendar.date(LocalDateTime(year: 2027, month: 3, day: 1, hour: 15, minute: 55, second: 0), in: TimeZone(identifier: "UTC") ?? .current).timeIntervalSince1970
        #expect(Reconciler.dates(around: nearMidnight) == ["20270301", "20270302"])
        #expect(Reconciler.dates(around: nearMidnight + 600) == ["20270302", "20270301"])
        #expect(Reconciler.dates(around: nearMidnight - 7200) == ["20270301"])
    }

    @Test func perNumberLimitsDeferToTheNextWindow() {
        #expect(CampaignRunner.deferral(.minute, now: 120.5) == 181)
        #expect(CampaignRunner.deferral(.hour, now: 3700) == 7201)
        #expect(CampaignRunner.deferral(.day, now: 1000) == 87_400)
    }
}

@Suite struct BatchTransitionTests {
    static let batch = BatchRecord(batch: 3, action: "SendBatchSms", outId: "c:p:3", recipients: 10, segments: 10, firstPhone: "13800138000",
                                   state: .sending, attempts: 1, notBefore: nil, attemptAt: 100, bizId: nil, code: nil, message: nil)

    static func failure(_ code: String, _ errorClass: ErrorClass, window: LimitWindow? = nil, retryAfter: Duration? = nil) -> Result<SMSResponse, SMSFailure> {
        .failure(SMSFailure(errorClass: errorClass, code: code, message: "m", httpStatus: 200, requestId: nil, retryAfter: retryAfter, limitWindow: window))
    }

    static func after(_ result: Result<SMSResponse, SMSFailure>?, attempts: Int = 1) -> BatchTransition {
        var batch = Self.batch
        batch.attempts = attempts
        return BatchTransition.after(result, batch: batch, now: 1000, backoff: Backoff(base: 1, cap: 60), random: 1, maxAttempts: 5)
    }

    @Test func everyAnswerHasItsState() {
        #expect(Self.after(.success(SMSResponse(code: "OK", message: "OK", bizId: "9^0"))) == BatchTransition(state: .accepted, bizId: "9^0", code: "OK", pace: .succeeded))
        #expect(Self.after(Self.failure("isv.BUSINESS_LIMIT_CONTROL", .later, window: .minute)).state == .deferred)
        #expect(Self.after(Self.failure("isv.BUSINESS_LIMIT_CONTROL", .later, window: .minute)).notBefore == 1021)
        #expect(Self.after(Self.failure("isv.MOBILE_NUMBER_ILLEGAL", .recipient)).state == .failed)
        #expect(Self.after(Self.failure("InternalError", .ambiguous)).state == .uncertain)
        #expect(Self.after(nil).state == .pending, "a request that never left is simply pending again")
        let fatal = Self.after(Self.failure("isv.AMOUNT_NOT_ENOUGH", .fatal))
        #expect(fatal.state == .pending && fatal.stop?.contains("isv.AMOUNT_NOT_ENOUGH") == true)
    }

    @Test func backoffGrowsHonoursRetryAfterAndGivesUp() {
        let throttled = Self.after(Self.failure("Throttling.User", .backoff), attempts: 2)
        #expect(throttled.state == .pending && throttled.notBefore == 1004 && throttled.pace == .throttled)
        #expect(Self.after(Self.failure("ServiceUnavailable", .backoff, retryAfter: .seconds(30))).notBefore == 1030)
        #expect(Self.after(Self.failure("ServiceUnavailable", .backoff), attempts: 4).state == .failed)
    }

    @Test func aRequestThatNeverLeftIsNeverGivenUp() {
        // Connection refused, TLS or proxy failure: however many times, the batch waits and the
        // whole run slows down; an outage must not turn recipients into failures.
        let refused = SMSFailure(errorClass: .backoff, code: "Transport", message: "could not connect", notSent: true)
        let transition = Self.after(.failure(refused), attempts: 40)
        #expect(transition.state == .pending && transition.pace == .throttled)
        #expect(transition.notBefore == 1060, "backoff still applies, at its cap")
        #expect(transition.stop == nil)
    }
}

@Suite struct StateStoreTests {
    @Test func theIndexReadsEveryBatchOfALargePlanAsTheReaderDoes() async throws {
        // About 1.1 MB of plan: the index's 1 MiB reads end inside a line.
        let fixture = try RunFixture(count: 1, batchSize: 100)
        try ("phone,name\n" + (0..<32_000).map { "1\(3 + $0 % 7)\(String(format: "%09d", $0)),客户\($0)\n" }.joined())
            .write(toFile: fixture.folder + "/m.csv", atomically: true, encoding: .utf8)
        let path = fixture.folder + "/plan.jsonl"
        let result = try await PlanCompiler(campaign: try await fixture.campaign()).compile(output: path)
        #expect(result.isComplete)
        #expect(try #require(try FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber).intValue > 1 << 20)
        var sequential: [PlanBatch] = []
        _ = try PlanReader.batches(at: path) { sequential.append($0) }
        let index = try PlanIndex(path: path)
        #expect(index.count == sequential.count)
        for batch in sequential.reversed() {
            let random = try index.batch(batch.batch)
            #expect(random.outId == batch.outId && random.recipients == batch.recipients)
        }
        #expect(throws: PlanError.self) { try index.batch(sequential.count + 1) }
        #expect(throws: PlanError.self) { try index.batch(0) }

        // Blank lines and a last line without its newline (a plan edited by hand) change nothing.
        var text = try String(contentsOfFile: path, encoding: .utf8)
        text = text.replacingOccurrences(of: "\n{\"action\"", with: "\n\n{\"action\"")
        text.removeLast()
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        let edited = try PlanIndex(path: path)
        #expect(edited.count == sequential.count)
        for number in [1, sequential.count / 2, sequential.count] {
            #expect(try edited.batch(number).recipients == sequential[number - 1].recipients)
        }
    }

    @Test func theRowsInMemoryMatchTheFileAfterEveryWrite() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("salvo-store-\(UUID().uuidString).db").path
        let store = try StateStore(path: path)
        let records = (1...4).map { BatchRecord(batch: $0, action: "SendBatchSms", outId: "c:p:\($0)", recipients: 10, segments: 10, firstPhone: "13800138000",
                                                state: .pending, attempts: 0, notBefore: nil, attemptAt: nil, bizId: nil, code: nil, message: nil) }
        try store.initialize(batches: records, meta: ["plan_id": "p"])
        _ = try store.batches()
        try store.markSending([1, 2, 3], at: 50)
        try store.update(1, state: .accepted, bizId: "9^0", code: "OK")
        try store.update(2, state: .deferred, notBefore: 120, code: "isv.BUSINESS_LIMIT_CONTROL", message: "m")
        try store.update(3, state: .uncertain, code: "InternalError")
        #expect(try store.batches() == (try StateStore(path: path).batches()))
        #expect(try store.batches().map(\.state) == [.accepted, .deferred, .uncertain, .pending])
    }
}
