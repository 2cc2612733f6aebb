import AliyunSMS
import CampaignCompiler
import Foundation
import SMSEmulator
import Synchronization
import SQLiteDatabase
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

/// The emulator's core in process, and a client that talks to it without a socket.
struct Provider {
    let core: EmulatorCore
    let client: SMSClient

    init(faults: FaultPlan = FaultPlan(), now: (@Sendable () -> Date)? = nil) throws {
        var configuration = EmulatorConfiguration(accessKeyId: "id", accessKeySecret: "secret")
        configuration.faults = faults
        if let now { configuration.now = now }
        core = EmulatorCore(configuration: configuration, record: try EmulatorRecord(path: ":memory:"))
        client = SMSClient(signer: RequestSigner(credentials: Credentials(accessKeyId: "id", accessKeySecret: "secret"), endpoint: try Endpoint(url: "http://127.0.0.1:9"), scheme: .v3),
                           transport: EmulatorTransport(core: core), timeout: .seconds(5))
    }

    var record: EmulatorRecord { core.record }
}

/// A clock that moves only when the run sleeps.
final class FakeClock: RunClock {
    private let time: Mutex<Double>
    init(_ start: Double) { time = Mutex(start) }
    var seconds: Double { time.withLock { $0 } }
    var now: WallTime { WallTime(seconds: seconds) }
    var minimumResolution: Duration { .nanoseconds(1) }
    func advance(_ seconds: Double) { time.withLock { $0 += max(seconds, 0) } }

    func sleep(until deadline: WallTime, tolerance: Duration?) async throws {
        try Task.checkCancellation()
        time.withLock { $0 = max($0, deadline.seconds) }
        await Task.yield()
    }
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
        options.clock = clock
        return (options, clock)
    }

    @Test func withFaultsEveryoneGetsTheMessageExactlyOnce() async throws {
        var faults = FaultPlan()
        faults.throttleRate = 0.10
        faults.unavailableRate = 0.05
        faults.ambiguousRate = 0.02
        faults.seed = 11
        let provider = try Provider(faults: faults)
        let fixture = try RunFixture(count: 1500)
        let runner = CampaignRunner(campaign: try await fixture.campaign(), options: Self.options(fixture), client: provider.client)
        let outcome = await runner.run()
        #expect(outcome == .done)
        let statistics = provider.record.statistics()
        #expect(statistics.messages == 1500 && statistics.distinctNumbers == 1500 && statistics.extraCopies == 0)
        let status = try await StatusReader(campaign: try await fixture.campaign(), stateFolder: fixture.folder + "/state").status()
        #expect(status.state == "done" && status.counts.sent == 1500)
    }

    @Test func theStateFolderIsMadeWithItsParentsOwnerOnly() async throws {
        let provider = try Provider()
        let fixture = try RunFixture(count: 3)
        var options = Self.options(fixture)
        options.stateFolder = fixture.folder + "/home/.local/state/salvo"
        #expect(await CampaignRunner(campaign: try await fixture.campaign(), options: options, client: provider.client).run() == .done)
        for path in [options.stateFolder, options.stateFolder + "/run-test"] {
            let mode = (try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber)?.intValue
            #expect(mode == 0o700, "\(path)")
        }
    }

    @Test func outsideTheWindowsItSaysWhenTheNextOpensAndSendsNothing() async throws {
        let provider = try Provider()
        let fixture = try RunFixture(count: 20, schedule: "schedule:\n  timezone: Asia/Shanghai\n  start: 2027-03-01T09:00:00\n  end: 2027-03-02T12:00:00\n  windows: [\"09:00-10:00\"]\n")
        var (options, clock) = Self.clocked(fixture, from: Self.march1(8))
        let campaign = try await fixture.campaign()
        let early = await CampaignRunner(campaign: campaign, options: options, client: provider.client).run()
        #expect(early == .later(.beforeStart(opens: "2027-03-01 09:00:00 Asia/Shanghai")))
        #expect(provider.record.messages().isEmpty)

        options.wait = true
        let waits = Mutex<[String]>([])
        let waited = await CampaignRunner(campaign: campaign, options: options, client: provider.client, events: { event in
            if case .waiting(_, let local, let reason) = event { waits.withLock { $0.append("\(local) (\(reason))") } }
        }).run()
        #expect(waited == .done)
        #expect(waits.withLock { $0 } == ["2027-03-01 09:00:00 Asia/Shanghai (before the campaign's start)"])
        #expect(provider.record.messages().count == 20)
        #expect(clock.seconds >= Self.march1(9))
    }

    @Test func atTheEndTheRestExpires() async throws {
        let provider = try Provider()
        let fixture = try RunFixture(count: 30, schedule: "schedule:\n  timezone: Asia/Shanghai\n  end: 2027-03-01T12:00:00\n")
        let (options, _) = Self.clocked(fixture, from: Self.march1(13))
        let outcome = await CampaignRunner(campaign: try await fixture.campaign(), options: options, client: provider.client).run()
        #expect(outcome == .done)
        let status = try await StatusReader(campaign: try await fixture.campaign(), stateFolder: options.stateFolder).status()
        #expect(status.counts.expired == 30 && status.counts.sent == 0)
        #expect(provider.record.messages().isEmpty)
    }

    @Test func aSecondRunLeavesAHeldCampaignAlone() async throws {
        let provider = try Provider()
        let fixture = try RunFixture(count: 10)
        let campaign = try await fixture.campaign()
        let runner = CampaignRunner(campaign: campaign, options: Self.options(fixture), client: provider.client)
        try FileManager.default.createDirectory(atPath: runner.folder, withIntermediateDirectories: true)
        do {
            guard case .success(let held) = try CampaignLock.acquire(in: #require(try StateFolder.child(runner.folder, create: false))) else {
                Issue.record("could not take the lock")
                return
            }
            let outcome = await runner.run()
            guard case .later(let reason) = outcome else {
                Issue.record("expected to be told to come back later, got \(outcome)")
                return
            }
            #expect(reason.description.contains("another run holds campaign 'run-test'"))
            #expect(provider.record.messages().isEmpty)
            withExtendedLifetime(held) {}
        }
        #expect(await runner.run() == .done, "the lock is free again")
    }

    @Test func changedRecipientsAreRefusedWithWhatChanged() async throws {
        let provider = try Provider()
        let fixture = try RunFixture(count: 10)
        #expect(await CampaignRunner(campaign: try await fixture.campaign(), options: Self.options(fixture), client: provider.client).run() == .done)
        try RunFixture.rows(12).write(toFile: fixture.folder + "/m.csv", atomically: true, encoding: .utf8)
        let outcome = await CampaignRunner(campaign: try await fixture.campaign(), options: Self.options(fixture), client: provider.client).run()
        guard case .stopped(let reason) = outcome else {
            Issue.record("expected a refusal, got \(outcome)")
            return
        }
        #expect(reason.description.contains("refusing to resume"))
        #expect(reason.description.contains("recipient source m.csv changed: 2 recipients added, 0 removed"))
        #expect(reason.description.contains("--sent"), "it says how to go on")
        #expect(provider.record.messages().count == 10)
    }

    /// The batches as the campaign's store holds them.
    static func stored(_ campaign: Campaign, _ options: RunOptions) async throws -> [BatchRecord] {
        try await SQLiteRunStore(folder: options.stateFolder + "/" + campaign.id.value, readOnly: true).load()?.batches ?? []
    }

    /// Runs in a task that is cancelled (SIGINT in the command line) at once, or at the first
    /// event that `when` picks.
    static func interrupted(_ campaign: Campaign, _ options: RunOptions, client: SMSClient, when: (@Sendable (RunEvent) -> Bool)? = nil) async -> RunOutcome {
        let task = Mutex<Task<RunOutcome, Never>?>(nil)
        let pending = Mutex(false)
        let runner = CampaignRunner(campaign: campaign, options: options, client: client, events: { event in
            guard when?(event) == true else { return }
            task.withLock { held in
                if let held { held.cancel() } else { pending.withLock { $0 = true } }
            }
        })
        let started = Task { await runner.run() }
        task.withLock { $0 = started }
        if when == nil || pending.withLock({ $0 }) { started.cancel() }
        return await started.value
    }

    @Test func anEditedPlanInTheStateFolderStopsTheRunWithNothingInFlight() async throws {
        let provider = try Provider()
        let fixture = try RunFixture(count: 30)
        let campaign = try await fixture.campaign()
        // A first run that is stopped at once leaves the plan and the state, nothing sent.
        let runner = CampaignRunner(campaign: campaign, options: Self.options(fixture), client: provider.client)
        guard case .later(.interrupted) = await Self.interrupted(campaign, Self.options(fixture), client: provider.client) else {
            Issue.record("expected an interrupted run")
            return
        }
        let planPath = runner.folder + "/plan.jsonl"
        var lines = try String(contentsOfFile: planPath, encoding: .utf8).components(separatedBy: "\n")
        lines[1] = lines[1].replacingOccurrences(of: "\"recipients\":[[", with: "\"recipients\":[{")
        try lines.joined(separator: "\n").write(toFile: planPath, atomically: true, encoding: .utf8)

        let outcome = await runner.run()
        guard case .stopped(let reason) = outcome else { Issue.record("expected a stop, got \(outcome)"); return }
        #expect(reason.description.contains("edited or damaged"), "\(reason)")
        let states = try await Self.stored(campaign, Self.options(fixture)).map(\.state)
        #expect(states.count == 3 && states.allSatisfy { $0 == .pending }, "\(states)")
        #expect(provider.record.messages().isEmpty)
    }

    @Test func runsStoppedBeforeTheirRequestsLeaveDoNotWearBatchesOut() async throws {
        let provider = try Provider()
        let fixture = try RunFixture(count: 30, rate: 50)
        let campaign = try await fixture.campaign()
        // Forty runs, each stopped after its first group was marked 'sending' and before any
        // request left: what never reached the provider must not count as an attempt, or the
        // backoff would grow and a batch would be given up (maxAttempts) without ever being tried.
        var options = Self.options(fixture)
        options.maxAttempts = 3
        for _ in 0..<40 {
            let outcome = await Self.interrupted(campaign, options, client: provider.client) { event in
                if case .progress(let counts, _) = event { return counts.uncertain > 0 }
                return false
            }
            guard case .later(.interrupted) = outcome else { Issue.record("expected an interrupted run, got \(outcome)"); return }
        }
        let attempts = try await Self.stored(campaign, options).map(\.attempts)
        #expect(attempts == [0, 0, 0], "\(attempts)")
        #expect(provider.record.messages().count < 30, "interrupted runs sent at most what was in flight")
        #expect(await CampaignRunner(campaign: campaign, options: options, client: provider.client).run() == .done)
        #expect(provider.record.messages().count == 30)
        #expect(provider.record.statistics().extraCopies == 0)
    }

    @Test func aRequestPacedLaterThanItsGroupRecordsWhenItLeaves() async throws {
        // 10 messages a request at 5 messages a second: one request every 2 s. The grace before an
        // unanswered request is sent again must count from when each one leaves, not from when
        // its group was marked.
        let provider = try Provider()
        let fixture = try RunFixture(count: 40, batchSize: 10, rate: 5)
        let (options, _) = Self.clocked(fixture, from: Self.march1(12))
        let campaign = try await fixture.campaign()
        #expect(await CampaignRunner(campaign: campaign, options: options, client: provider.client).run() == .done)
        let times = try await Self.stored(campaign, options).compactMap(\.attemptAt)
        #expect(times.count == 4)
        #expect(zip(times, times.dropFirst()).allSatisfy { $1 - $0 >= 1.9 }, "\(times.map { $0 - Self.march1(12) })")
    }

    @Test func onlyUnansweredAttemptsAreTakenBackOnReconciliation() async throws {
        let provider = try Provider()
        let fixture = try RunFixture(count: 20)
        let campaign = try await fixture.campaign()
        _ = await Self.interrupted(campaign, Self.options(fixture), client: provider.client)
        let store = SQLiteRunStore(folder: Self.options(fixture).stateFolder + "/run-test")
        var batches = try #require(try await store.load()).batches
        // Batch 1: the run died before any answer. Batch 2: the provider answered InternalError
        // (ambiguous). Neither is in the provider's record.
        let then = Date().timeIntervalSince1970 - 60
        batches[0].state = .sending
        batches[0].attempts = 1
        batches[0].attemptAt = then
        batches[1].state = .uncertain
        batches[1].attempts = 1
        batches[1].attemptAt = then
        batches[1].code = "InternalError"
        try await store.commit(RunChange(batches: [batches[0], batches[1]]))
        #expect(await CampaignRunner(campaign: campaign, options: Self.options(fixture), client: provider.client).run() == .done)
        let attempts = try await Self.stored(campaign, Self.options(fixture)).map(\.attempts)
        #expect(attempts == [1, 2], "the unanswered attempt is taken back, the answered one counts: \(attempts)")
        #expect(provider.record.messages().count == 20)
    }

    @Test func foreignDamagedOrNewerStateIsRefusedAndKept() async throws {
        let provider = try Provider()
        let fixture = try RunFixture(count: 5)
        let campaign = try await fixture.campaign()
        let runner = CampaignRunner(campaign: campaign, options: Self.options(fixture), client: provider.client)
        try FileManager.default.createDirectory(atPath: runner.folder, withIntermediateDirectories: true)
        let state = runner.folder + "/state.db"
        try "this is not a database, but it is somebody's file".write(toFile: state, atomically: true, encoding: .utf8)
        guard case .stopped(let damaged) = await runner.run() else { Issue.record("expected a refusal"); return }
        #expect(damaged.description.contains("not a readable salvo state file") || damaged.description.contains("not a salvo state file"), "\(damaged)")
        #expect(try String(contentsOfFile: state, encoding: .utf8).hasPrefix("this is not a database"), "never recreated silently")
        try FileManager.default.removeItem(atPath: state)
        try SQLiteConnection(path: state, mode: .create).execute("PRAGMA application_id = \(0x5341_4C56); PRAGMA user_version = 99; CREATE TABLE meta (key TEXT, value TEXT)")
        guard case .stopped(let tooNew) = await runner.run() else { Issue.record("expected a refusal"); return }
        #expect(tooNew.description.contains("newer salvo"))
        #expect(provider.record.messages().isEmpty)
    }
}

@Suite struct PacingTests {
    @Test func theRateHoldsWhateverTheBatchSizes() {
        var flow = FlowControl(rate: 100)
        var last = 0.0
        for index in 0..<100 { last = flow.schedule(messages: index % 2 == 0 ? 5 : 15, now: 0) }
        // Before the last request: 50 of 5 and 49 of 15 messages, 985 at 100/s.
        #expect(abs(last - 9.85) < 1e-9)
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
        #expect(BatchTransition.deferral(.minute, now: 120.5) == 181)
        #expect(BatchTransition.deferral(.hour, now: 3700) == 7201)
        #expect(BatchTransition.deferral(.day, now: 1000) == 87_400)
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
        #expect(Self.after(.success(SMSResponse(code: "OK", message: "OK", bizId: "9^0"))) == BatchTransition(state: .accepted, bizId: "9^0", code: "OK", pace: .accepted))
        #expect(Self.after(Self.failure("isv.BUSINESS_LIMIT_CONTROL", .later, window: .minute)).state == .deferred)
        #expect(Self.after(Self.failure("isv.BUSINESS_LIMIT_CONTROL", .later, window: .minute)).notBefore == 1021)
        #expect(Self.after(Self.failure("isv.MOBILE_NUMBER_ILLEGAL", .recipient)).state == .failed)
        #expect(Self.after(Self.failure("InternalError", .ambiguous)).state == .uncertain)
        #expect(Self.after(nil).state == .pending, "a request that never left is simply pending again")
        let fatal = Self.after(Self.failure("isv.AMOUNT_NOT_ENOUGH", .fatal))
        #expect(fatal.state == .pending && fatal.stop?.description.contains("isv.AMOUNT_NOT_ENOUGH") == true)
    }

    @Test func backoffGrowsHonoursRetryAfterAndGivesUp() {
        // Flow control: back in line at once (the pace slows the run), the attempt retracted.
        let throttled = Self.after(Self.failure("Throttling.User", .backoff), attempts: 2)
        #expect(throttled.state == .pending && throttled.notBefore == nil && throttled.pace == .throttled && throttled.retracted)
        #expect(Self.after(Self.failure("Throttling.User", .backoff, retryAfter: .seconds(3))).notBefore == 1003)
        let unavailable = Self.after(Self.failure("ServiceUnavailable", .backoff), attempts: 3)
        #expect(unavailable.state == .pending && unavailable.notBefore == 1004 && unavailable.pace == .other)
        #expect(Self.after(Self.failure("ServiceUnavailable", .backoff, retryAfter: .seconds(30))).notBefore == 1030)
        #expect(Self.after(Self.failure("ServiceUnavailable", .backoff), attempts: 5).state == .failed)
    }

    @Test func aRequestThatNeverLeftIsNeverGivenUp() {
        // Connection refused, TLS or proxy failure: however many times, the batch waits and the
        // whole run slows down; an outage must not turn recipients into failures.
        let refused = SMSFailure(errorClass: .backoff, code: "Transport", message: "could not connect", notSent: true)
        let transition = Self.after(.failure(refused), attempts: 40)
        #expect(transition.state == .pending && transition.pace == .throttled && transition.retracted)
        #expect(transition.notBefore == 1060, "backoff still applies, at its cap")
        #expect(transition.stop == nil)
    }
}

@Suite struct PlanIndexTests {
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
}
