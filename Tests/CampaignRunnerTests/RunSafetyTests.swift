import AliyunSMS
import CampaignCompiler
import Foundation
import SMSEmulator
import Synchronization
import Testing
@testable import CampaignRunner

/// What a user ran into: state lost beside a started plan, no way to start over, a forgotten
/// endpoint, signals that did not act, a status that said what was not true.
@Suite struct RunSafetyTests {
    @Test func stateWrittenBySalvo010ResumesSendingOnlyTheRest() async throws {
        let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/state-0.1.0").path
        let copy = FileManager.default.temporaryDirectory.appendingPathComponent("salvo-legacy-\(UUID().uuidString)").path
        try FileManager.default.copyItem(atPath: fixture, toPath: copy)
        let check = await CampaignChecker.check(path: copy + "/c.yaml", options: CheckOptions(checksRecipientFiles: false))
        let campaign = try #require(check.campaign)
        let provider = try Provider()
        var options = RunOptions(stateFolder: copy + "/state")
        options.graceSeconds = 0.2
        #expect(await CampaignRunner(campaign: campaign, options: options, client: provider.client).run() == .done)
        // Batches 1–5 (recipients 0–24) were accepted before the kill; the three in flight were
        // never received, so they and the four pending ones are sent now, once.
        let phones = provider.record.messages().map(\.phone)
        #expect(phones.count == 35 && Set(phones).count == 35)
        #expect(Set(phones) == Set((25..<60).map { "1390000\(String(format: "%04d", $0))" }))
    }

    @Test func changedInputsWithNothingSentArePlannedAgainAndSaid() async throws {
        let provider = try Provider()
        let fixture = try RunFixture(count: 10)
        guard case .later(.interrupted) = await RunnerTests.interrupted(try await fixture.campaign(), RunnerTests.options(fixture), client: provider.client) else {
            Issue.record("expected an interrupted run")
            return
        }
        try RunFixture.rows(12).write(toFile: fixture.folder + "/m.csv", atomically: true, encoding: .utf8)
        let notices = Mutex<[String]>([])
        let outcome = await CampaignRunner(campaign: try await fixture.campaign(), options: RunnerTests.options(fixture), client: provider.client, events: { event in
            if case .notice(let text) = event { notices.withLock { $0.append(text) } }
        }).run()
        #expect(outcome == .done)
        #expect(provider.record.messages().count == 12)
        #expect(notices.withLock { $0 }.contains { $0.contains("nothing of plan") && $0.contains("planning again") }, "\(notices.withLock { $0 })")
        let kept = try FileManager.default.contentsOfDirectory(atPath: RunnerTests.options(fixture).stateFolder + "/run-test").filter { $0.hasPrefix("previous-") }
        #expect(kept.count == 1, "the old state is kept aside")
    }

    @Test func aPlanTheProviderAlreadyHasIsNotSentAgainFromANewState() async throws {
        let provider = try Provider()
        let fixture = try RunFixture(count: 20)
        let campaign = try await fixture.campaign()
        #expect(await CampaignRunner(campaign: campaign, options: RunnerTests.options(fixture), client: provider.client).run() == .done)
        // The state is gone (another machine, a wiped folder): a fresh store, the same plan.
        var elsewhere = RunnerTests.options(fixture)
        elsewhere.stateFolder = fixture.folder + "/other-state"
        let outcome = await CampaignRunner(campaign: campaign, options: elsewhere, client: provider.client).run()
        guard case .stopped(.alreadySent(let outId, _)) = outcome else { Issue.record("expected a refusal, got \(outcome)"); return }
        #expect(outId.hasSuffix(":1"))
        #expect(provider.record.messages().count == 20, "nobody got it twice")
    }

    @Test func resetPutsTheRunAsideOnlyWhenNothingIsUncertain() async throws {
        let provider = try Provider()
        let fixture = try RunFixture(count: 20)
        let campaign = try await fixture.campaign()
        let options = RunnerTests.options(fixture)
        #expect(await CampaignRunner(campaign: campaign, options: options, client: provider.client).run() == .done)
        let store = SQLiteRunStore(folder: options.stateFolder + "/run-test")
        var batch = try #require(try await store.load()?.batches.first)
        batch.state = .uncertain
        try await store.commit(RunChange(batches: [batch]))
        let runner = CampaignRunner(campaign: campaign, options: options, client: nil)
        guard case .refused(let why) = await runner.reset() else { Issue.record("expected a refusal"); return }
        #expect(why.contains("not settled yet"))
        batch.state = .accepted
        try await store.commit(RunChange(batches: [batch]))
        guard case .setAside(let place) = await runner.reset() else { Issue.record("expected the run put aside"); return }
        #expect(FileManager.default.fileExists(atPath: place + "/state.db") && FileManager.default.fileExists(atPath: place + "/plan.jsonl"))
        #expect(try await store.load() == nil)
        // Started over, the plan is the same one the provider has: asked first, refused.
        guard case .stopped(.alreadySent) = await CampaignRunner(campaign: campaign, options: options, client: provider.client).run() else {
            Issue.record("expected the probe to refuse")
            return
        }
        #expect(provider.record.messages().count == 20)
    }

    @Test func cancellationEndsAWaitForTheNextWindow() async throws {
        let provider = try Provider()
        // Starts in three days: the run would sleep until then.
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "Asia/Shanghai")
        formatter.dateFormat = "yyyy-MM-dd'T'HH:mm:ss"
        let start = formatter.string(from: Date().addingTimeInterval(3 * 86_400))
        let fixture = try RunFixture(count: 5, schedule: "schedule:\n  timezone: Asia/Shanghai\n  start: \(start)\n")
        var options = RunnerTests.options(fixture)
        options.wait = true
        let waiting = Mutex(false)
        let runner = CampaignRunner(campaign: try await fixture.campaign(), options: options, client: provider.client, events: { event in
            if case .waiting(_, _, .beforeStart) = event { waiting.withLock { $0 = true } }
        })
        let task = Task { await runner.run() }
        while !waiting.withLock({ $0 }) { try await Task.sleep(for: .milliseconds(10)) }
        task.cancel()
        // A liveness check, not a timing: without cancellation this waits until 2099.
        let ended = await withTaskGroup(of: RunOutcome?.self) { group in
            group.addTask { await task.value }
            group.addTask {
                try? await Task.sleep(for: .seconds(20))
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
        #expect(ended == .later(.interrupted))
        let status = try await StatusReader(campaign: try await fixture.campaign(), stateFolder: options.stateFolder).status()
        #expect(status.state == "interrupted")
    }

    @Test func statusSaysWhatIsTrue() async throws {
        let provider = try Provider()
        let fixture = try RunFixture(count: 20)
        let campaign = try await fixture.campaign()
        let options = RunnerTests.options(fixture)
        let reader = StatusReader(campaign: campaign, stateFolder: options.stateFolder)
        let unstarted = try await reader.status()
        #expect(unstarted.state == "not-started" && unstarted.text().contains(options.stateFolder + "/run-test"), "it says where it looked")

        _ = await RunnerTests.interrupted(campaign, options, client: provider.client)
        let store = SQLiteRunStore(folder: options.stateFolder + "/run-test")
        var run = try #require(try await store.load())
        // A live run (it holds the lock) waiting for its window, one group marked: waiting, and
        // the marked recipients are in flight, not uncertain.
        run.batches[0].state = .sending
        run.metadata.activity = RunActivity(kind: .waiting, reason: "before the campaign's start", until: 4_000_000_000, at: 1)
        try await store.commit(RunChange(batches: [run.batches[0]], metadata: run.metadata))
        guard case .success(let lock) = try CampaignLock.acquire(in: #require(try StateFolder.child(options.stateFolder + "/run-test", create: false))) else { Issue.record("no lock"); return }
        let live = try await reader.status()
        withExtendedLifetime(lock) {}
        #expect(live.state == "waiting")
        #expect(live.inFlight == 10 && live.counts.uncertain == 0)
        #expect(live.text().contains("before the campaign's start"))

        // A damaged state is an error, as 'run' would refuse it, not "not started".
        try "garbage".write(toFile: options.stateFolder + "/run-test/state.db", atomically: true, encoding: .utf8)
        for suffix in ["-wal", "-shm"] { try? FileManager.default.removeItem(atPath: options.stateFolder + "/run-test/state.db" + suffix) }
        await #expect(throws: RunStoreError.self) { try await reader.status() }
    }

    @Test func statusShowsThePaceAndWhy() {
        var status = CampaignStatus(state: "running", campaign: "c", counts: RunCounts(), location: "/s", remainingSeconds: 0)
        status.activity = RunActivity(kind: .sending, reason: FlowControl.Reason.providerThrottling.rawValue, pace: 9400, ceiling: 50_000, at: 1)
        #expect(status.text().contains("pace: provider throttling: 9,400/s of 50,000/s"), "\(status.text())")
        status.activity = RunActivity(kind: .sending, pace: 50_000, ceiling: 50_000, at: 1)
        #expect(status.text().contains("pace: 50,000/s (the campaign's rate)"))
    }

    @Test func aStopDuringALongCompileEndsItWithNothingStored() async throws {
        let provider = try Provider()
        let fixture = try RunFixture(count: 1)
        try ("phone,name\n" + (0..<200_000).map { "1\(3 + $0 % 7)\(String(format: "%09d", $0)),客户\($0 % 97)\n" }.joined())
            .write(toFile: fixture.folder + "/m.csv", atomically: true, encoding: .utf8)
        let campaign = try await fixture.campaign()
        let outcome = await RunnerTests.interrupted(campaign, RunnerTests.options(fixture), client: provider.client)
        #expect(outcome == .later(.interrupted))
        let store = SQLiteRunStore(folder: RunnerTests.options(fixture).stateFolder + "/run-test")
        #expect(try await store.load() == nil, "stopped while compiling: no run was created")
        #expect(!FileManager.default.fileExists(atPath: store.newPlanPath), "the half-written plan is gone")
    }
}
