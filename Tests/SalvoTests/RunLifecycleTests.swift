import Foundation
import Testing

/// What a user runs into around a run, as real processes against `salvo emulator`: signals that
/// must act at once, state that was lost, starting over, where receipts are asked for.
@Suite(.serialized) struct RunLifecycleTests {
    typealias Setup = RunCommandTests.Setup

    /// Polls `status --json` until `done` says so (at most `seconds`).
    static func until(_ setup: Setup, seconds: Double = 30, _ done: (String) -> Bool) throws -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            let status = try SalvoProcess.run(["status", setup.campaign, "--state", setup.state, "--json"])
            if done(status.stdout) { return true }
            usleep(100_000)
        }
        return false
    }

    /// A campaign start three days from now, as a campaign file writes it in Shanghai time.
    static func threeDaysAhead() -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "Asia/Shanghai")
        formatter.dateFormat = "yyyy-MM-dd'T'HH:mm:ss"
        return formatter.string(from: Date().addingTimeInterval(3 * 86_400))
    }

    /// Sends SIGTERM and waits for the process to end; whether it ended within `seconds` (a
    /// liveness bound, far above the second it should take: a hang fails, a slow machine does not).
    static func terminate(_ run: RunningSalvo, within seconds: Double = 15) -> Bool {
        kill(run.process.processIdentifier, SIGTERM)
        let deadline = Date().addingTimeInterval(seconds)
        while run.process.isRunning, Date() < deadline { usleep(20_000) }
        let ended = !run.process.isRunning
        if !ended { kill(run.process.processIdentifier, SIGKILL) }
        return ended
    }

    @Test func sigtermEndsAWaitForTheStart() throws {
        let start = Self.threeDaysAhead()
        let setup = try Setup(recipients: 10, rate: 100, batchSize: 5, schedule: "schedule:\n  timezone: Asia/Shanghai\n  start: \(start)\n")
        let run = try setup.run(["--wait"])
        #expect(try Self.until(setup) { $0.contains("\"state\":\"waiting\"") && $0.contains("before the campaign's start") })
        #expect(Self.terminate(run), "a run sleeping until the start ignored SIGTERM")
        let output = run.finish()
        #expect(run.process.terminationStatus == 75, "\(output.stderr)")
        #expect(output.stderr.contains("interrupted"))
        #expect((try setup.statistics())["messages"] as? Int == 0)
        _ = setup.emulator.stop()
    }

    @Test func sigtermWhileSendingSlowlyActsAndRecordsWhatWasInFlight() throws {
        let setup = try Setup(recipients: 30, rate: 1, batchSize: 1)
        let run = try setup.run()
        let deadline = Date().addingTimeInterval(30)
        while ((try? setup.statistics())?["messages"] as? Int ?? 0) < 2, Date() < deadline { usleep(100_000) }
        #expect(Self.terminate(run), "a run pacing at 1 message a second ignored SIGTERM")
        let output = run.finish()
        #expect(run.process.terminationStatus == 75, "\(output.stderr)")
        let status = try SalvoProcess.run(["status", setup.campaign, "--state", setup.state, "--json"])
        let object = try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any]
        let recipients = object?["recipients"] as? [String: Int]
        let sent = try #require(recipients?["sent"])
        #expect(object?["state"] as? String == "interrupted")
        #expect(recipients?["uncertain"] == 0, "what was in flight finished and was recorded: \(status.stdout)")
        #expect((try setup.statistics())["messages"] as? Int == sent)
        // The rest, later (at the campaign's rate of one a second, so only a glance): a resume
        // goes on from there and nobody gets the message twice.
        let resumed = try setup.run()
        usleep(1_500_000)
        #expect(Self.terminate(resumed))
        _ = resumed.finish()
        let statistics = try setup.statistics()
        #expect((statistics["messages"] as? Int ?? 0) > sent, "the resume sent more")
        #expect(statistics["extraCopies"] as? Int == 0)
        _ = setup.emulator.stop()
    }

    @Test func aLostStateIsRefusedAndStartingOverAsksTheProviderFirst() throws {
        let setup = try Setup(recipients: 20, rate: 1000, batchSize: 5)
        let first = try setup.run()
        _ = first.finish()
        #expect(first.process.terminationStatus == 0)
        let folder = setup.state + "/crash-test"
        for suffix in ["-wal", "-shm"] { try? FileManager.default.removeItem(atPath: folder + "/state.db" + suffix) }

        // Emptied, then deleted: refused both times, nothing sent again.
        try Data().write(to: URL(fileURLWithPath: folder + "/state.db"))
        for damage in ["emptied", "deleted"] {
            if damage == "deleted" { try FileManager.default.removeItem(atPath: folder + "/state.db") }
            let again = try setup.run()
            let output = again.finish()
            #expect(again.process.terminationStatus == 1, "\(damage): \(output.stderr)")
            #expect(output.stderr.contains("the state of a started run is gone"), "\(damage): \(output.stderr)")
            let status = try SalvoProcess.run(["status", setup.campaign, "--state", setup.state])
            #expect(status.status == 1, "status fails as run does (\(damage))")
        }
        #expect((try setup.statistics())["messages"] as? Int == 20)

        let reset = try SalvoProcess.run(["state", "reset", setup.campaign, "--state", setup.state])
        #expect(reset.status == 0, "\(reset.stderr)")
        #expect(reset.stderr.contains("put aside in"))
        let fresh = try setup.run()
        let freshOutput = fresh.finish()
        #expect(fresh.process.terminationStatus == 1)
        #expect(freshOutput.stderr.contains("already has the first request"), "\(freshOutput.stderr)")
        #expect((try setup.statistics())["messages"] as? Int == 20, "nobody got the message twice")
        _ = setup.emulator.stop()
    }

    @Test func statusSaysWhereItLookedAndReceiptsGoWhereTheRunSent() throws {
        let setup = try Setup(recipients: 10, rate: 1000, batchSize: 5)
        let before = try SalvoProcess.run(["status", setup.campaign, "--state", setup.state])
        #expect(before.status == 0 && before.stdout.contains("not started (no run in \(setup.state)/crash-test)"), "\(before.stdout)")
        let run = try setup.run()
        let output = run.finish()
        #expect(run.process.terminationStatus == 0)
        #expect(output.stderr.contains("sending to \(setup.url)"))
        // No --endpoint: the receipts are asked where the run sent, not at Alibaba Cloud.
        let report = try SalvoProcess.run(["report", setup.campaign, "--state", setup.state, "--receipts"], environment: setup.environment, seconds: 60)
        #expect(report.status == 0, "\(report.stderr)")
        #expect(report.stderr.contains("asking \(setup.url) for the receipts of 10 sent recipients"))
        #expect(report.stdout.split(separator: "\n").dropFirst().allSatisfy { $0.contains(",delivered,") })
        _ = setup.emulator.stop()
    }

    @Test func aNewPlanSendsWhereTheCampaignSaysNotWhereAnOldRunWent() throws {
        let start = Self.threeDaysAhead()
        let setup = try Setup(recipients: 10, rate: 1000, batchSize: 5, schedule: "schedule:\n  timezone: Asia/Shanghai\n  start: \(start)\n")
        // A first run against emulator A, before the start: its run (and endpoint A) is recorded,
        // nothing is sent.
        let early = try setup.run()
        _ = early.finish()
        #expect(early.process.terminationStatus == 75)
        // The campaign now starts at once and names emulator B: a new plan, sent to B.
        let other = try RunningSalvo(["emulator", "--port", "0", "--record", setup.folder + "/b.db"], environment: setup.environment)
        let otherURL = try #require(other.firstLine()).replacingOccurrences(of: "listening on ", with: "")
        var text = try String(contentsOfFile: setup.campaign, encoding: .utf8)
        text = text.replacingOccurrences(of: "schedule:\n  timezone: Asia/Shanghai\n  start: \(start)\n", with: "")
        text = text.replacingOccurrences(of: "campaign: crash-test\n", with: "campaign: crash-test\nprovider:\n  endpoint: \(otherURL)\n")
        try text.write(toFile: setup.campaign, atomically: true, encoding: .utf8)
        let run = try RunningSalvo(["run", setup.campaign, "--state", setup.state, "--grace-seconds", "0.3"], environment: setup.environment)
        let output = run.finish()
        #expect(run.process.terminationStatus == 0, "\(output.stderr)")
        #expect(output.stderr.contains("planning again") && output.stderr.contains("sending to \(otherURL)"), "\(output.stderr)")
        let statistics = try SalvoProcess.run(["emulator", "stats", "--record", setup.folder + "/b.db"])
        #expect(statistics.stdout.contains("\"messages\":10"), "\(statistics.stdout)")
        #expect((try setup.statistics())["messages"] as? Int == 0, "nothing went to the old run's endpoint")
        _ = other.stop()
        _ = setup.emulator.stop()
    }
}
