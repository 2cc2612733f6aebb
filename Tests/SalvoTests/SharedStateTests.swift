import Foundation
import PostgresTestSupport
import Testing

/// Runs that share their state in PostgreSQL, as real processes against `salvo emulator` and the
/// throwaway cluster of scripts/test: several runners on several "machines" (each its own folder,
/// HOME and XDG_STATE_HOME), killed and moved, a database restarted under them, and the faults a
/// database brings at the start.
@Suite(.serialized) struct SharedStateTests {
    typealias Setup = RunCommandTests.Setup

    /// A machine: a folder with its own HOME and XDG_STATE_HOME, the campaign file, and the
    /// recipient file unless `withRecipients` is false (the run's stored plan is then sent).
    struct Machine {
        let folder: String
        let campaign: String

        init(_ setup: Setup, withRecipients: Bool = true) throws {
            folder = setup.folder + "/machine-" + UUID().uuidString.prefix(8)
            for sub in ["", "/home", "/xdg"] { try FileManager.default.createDirectory(atPath: folder + sub, withIntermediateDirectories: true) }
            try FileManager.default.copyItem(atPath: setup.campaign, toPath: folder + "/c.yaml")
            if withRecipients { try FileManager.default.copyItem(atPath: setup.folder + "/m.csv", toPath: folder + "/m.csv") }
            campaign = folder + "/c.yaml"
        }

        func environment(_ setup: Setup, password: String) -> [String: String] {
            setup.environment.merging(["HOME": folder + "/home", "XDG_STATE_HOME": folder + "/xdg", "PGPASSWORD": password]) { _, new in new }
        }

        func run(_ setup: Setup, database: String, password: String, _ extra: [String] = []) throws -> RunningSalvo {
            try RunningSalvo(["run", campaign, "--endpoint", setup.url, "--state", database, "--grace-seconds", "0.3", "--retry-base", "0.01", "--lease-seconds", "2"] + extra,
                             environment: environment(setup, password: password))
        }
    }

    static func statusJSON(_ setup: Setup, database: String, password: String) throws -> [String: Any] {
        let status = try SalvoProcess.run(["status", setup.campaign, "--state", database, "--json"], environment: ["PGPASSWORD": password])
        return (try? JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any]) ?? [:]
    }

    @Test func threeRunnersKilledAndMovedSendEveryoneExactlyOnce() throws {
        let server = try TestPostgres.server()
        let database = try TestPostgres.freshDatabase("threerunners")
        let setup = try Setup(recipients: 900, rate: 300, batchSize: 5, faults: ["--ambiguous-rate", "0.02", "--throttle-rate", "0.03", "--latency-ms", "20"])
        defer { _ = setup.emulator.stop() }
        var random = SystemRandomNumberGenerator()
        var kills = 0
        var outputs: [String] = []
        // Three slots, each a runner on a new machine; a runner is killed at a random moment
        // until twelve have been, then started again elsewhere.
        var slots: [RunningSalvo?] = [nil, nil, nil]
        var rounds = 0
        while kills < 12, rounds < 200 {
            rounds += 1
            for index in slots.indices {
                if let running = slots[index], !running.process.isRunning {
                    outputs.append(running.finish().stderr)
                    slots[index] = nil
                }
                if slots[index] == nil {
                    // The first machine plans; later ones may lack the recipient file.
                    let machine = try Machine(setup, withRecipients: rounds == 1 || index != 2)
                    slots[index] = try machine.run(setup, database: database, password: server.password)
                }
            }
            usleep(UInt32.random(in: 150_000...500_000, using: &random))
            let victim = Int.random(in: 0..<3, using: &random)
            if let running = slots[victim], running.process.isRunning {
                kill(running.process.processIdentifier, SIGKILL)
                kills += 1
                _ = running.finish()
                slots[victim] = nil
            }
        }
        // The rest: three runners that wait for one another, each on a new machine; every one
        // ends with 0 once the campaign is done.
        for running in slots.compactMap({ $0 }) { outputs.append(running.finish().stderr) }
        let finals = try (0..<3).map { index in try Machine(setup, withRecipients: index != 2).run(setup, database: database, password: server.password, ["--wait"]) }
        let ends = finals.map { $0.finish() }
        for (index, run) in finals.enumerated() {
            #expect(run.process.terminationReason == .exit && run.process.terminationStatus == 0, "runner \(index): \(ends[index].stderr.suffix(800))")
        }
        #expect(kills >= 12, "the campaign finished before twelve kills")
        let statistics = try setup.statistics()
        #expect(statistics["messages"] as? Int == 900, "nobody left out: \(statistics)")
        #expect(statistics["distinctNumbers"] as? Int == 900)
        #expect(statistics["extraCopies"] as? Int == 0, "nobody got the message twice")
        let status = try Self.statusJSON(setup, database: database, password: server.password)
        #expect(status["state"] as? String == "done", "\(status)")
        // A machine without the recipient file said once that it sent the stored plan.
        let joined = (outputs + ends.map(\.stderr)).filter { $0.contains("not found here: sending the plan stored in") }
        #expect(!joined.isEmpty)
        #expect(joined.allSatisfy { $0.components(separatedBy: "not found here").count == 2 }, "said once per run")
        // The password is nowhere in what they printed.
        #expect(!(outputs + ends.map { $0.stdout + $0.stderr }).contains { $0.contains(server.password) })
    }

    @Test func aDatabaseRestartMidRunLosesNobodyAndSendsNobodyTwice() throws {
        // A cluster of its own: the restart would cut the other tests' connections.
        let cluster = try TestPostgres.PrivateCluster(packageRoot: SalvoProcess.packageRoot)
        defer { cluster.stop() }
        let server = cluster.server
        let database = server.url
        let setup = try Setup(recipients: 600, rate: 100, batchSize: 5, faults: ["--latency-ms", "20"])
        defer { _ = setup.emulator.stop() }
        let runners = try (0..<2).map { _ in try Machine(setup).run(setup, database: database, password: server.password, ["--wait"]) }
        let deadline = Date().addingTimeInterval(30)
        while ((try? setup.statistics())?["messages"] as? Int ?? 0) < 100, Date() < deadline { usleep(50_000) }
        // Both runners are listed while they send.
        let live = try Self.statusJSON(setup, database: database, password: server.password)
        let listed = (live["runners"] as? [[String: Any]]) ?? []
        #expect(listed.filter { $0["live"] as? Bool == true }.count == 2, "\(live)")
        #expect(cluster.restart() == 0, "pg_ctl restart")
        let ends = runners.map { $0.finish() }
        for (index, run) in runners.enumerated() {
            #expect(run.process.terminationStatus == 0, "runner \(index): \(ends[index].stderr.suffix(800))")
        }
        #expect(ends.contains { $0.stderr.contains("answers again: resuming") }, "a runner saw the database go and come back")
        let statistics = try setup.statistics()
        #expect(statistics["messages"] as? Int == 600, "nobody left out: \(statistics)")
        #expect(statistics["extraCopies"] as? Int == 0, "nobody got the message twice")
    }

    @Test func runReceiptsStatusAndReportAllTakeTheDatabaseFromSALVO_STATE() throws {
        let server = try TestPostgres.server()
        let database = try TestPostgres.freshDatabase("salvostate")
        let environment = ["SALVO_STATE": database, "PGPASSWORD": server.password]
        let token = "t0k3n-\(UUID().uuidString.prefix(12))"
        let receiver = try RunningSalvo(["receipts", "serve", "--port", "0", "--token", token], environment: environment)
        defer { _ = receiver.stop() }
        let first = try #require(receiver.firstLine())
        let port = try #require(first.split(separator: ":").last.flatMap { Int($0) }, "\(first)")
        let setup = try Setup(recipients: 200, rate: 200, batchSize: 20, faults: ["--report-url", "http://127.0.0.1:\(port)/\(token)/sms-report"])
        defer { _ = setup.emulator.stop() }
        let run = try RunningSalvo(["run", setup.campaign, "--endpoint", setup.url], environment: setup.environment.merging(environment) { _, new in new })
        let ran = run.finish()
        #expect(run.process.terminationStatus == 0, "\(ran.stderr)")
        // The receipts arrive in the campaign's run in the database.
        var delivered = 0
        let deadline = Date().addingTimeInterval(30)
        repeat {
            usleep(200_000)
            let status = try SalvoProcess.run(["status", setup.campaign, "--json"], environment: environment)
            let object = (try? JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any]) ?? [:]
            delivered = ((object["delivery"] as? [String: Int])?["delivered"]) ?? 0
        } while delivered < 200 && Date() < deadline
        #expect(delivered == 200)
        let report = try SalvoProcess.run(["report", setup.campaign], environment: environment)
        #expect(report.status == 0, "\(report.stderr)")
        let rows = report.stdout.split(separator: "\n").dropFirst()
        #expect(rows.count == 200 && rows.allSatisfy { $0.contains(",sent,") && $0.contains(",delivered,") }, "\(report.stdout.prefix(400))")
        let html = try SalvoProcess.run(["report", setup.campaign, "--format", "html"], environment: environment)
        #expect(html.status == 0 && html.stdout.contains("<html"), "\(html.stderr)")
        #expect(!(ran.stdout + ran.stderr + report.stdout + html.stdout).contains(server.password))
        // Nor is it anywhere in the state: no table of the schema holds it.
        let name = TestPostgres.databaseName(database)
        let tables = try TestPostgres.psql(server, database: name, "SELECT string_agg(table_name, ' ') FROM information_schema.tables WHERE table_schema = 'salvo'")
        #expect(tables.split(separator: " ").count >= 7, "\(tables)")
        for table in tables.split(separator: " ") {
            let holding = try TestPostgres.psql(server, database: name, "SELECT count(*) FROM salvo.\(table) t WHERE t::text LIKE '%\(server.password)%'")
            #expect(holding == "0", "salvo.\(table) holds the password")
        }
    }

    @Test func sslmodeRequireEncryptsAndVerifyFullRefusesAnUntrustedCertificate() throws {
        let server = try TestPostgres.server()
        let plain = try TestPostgres.freshDatabase("tls")
        let environment = ["PGPASSWORD": server.password]
        // The test cluster has TLS on, with a self-signed certificate (scripts/pg-cluster).
        let required = plain.replacingOccurrences(of: "sslmode=disable", with: "sslmode=require")
        let status = try SalvoProcess.run(["status", "campaigns/order-shipped.yaml", "--state", required], environment: environment)
        #expect(status.status == 0 && status.stdout.contains("not started"), "\(status.all)")
        let name = TestPostgres.databaseName(plain)
        // The schema was made over TLS: the status above created it.
        #expect(try TestPostgres.psql(server, database: name, "SELECT value FROM salvo.meta WHERE key = 'schema'") == "2")
        let verified = plain.replacingOccurrences(of: "sslmode=disable", with: "sslmode=verify-full")
        let refused = try SalvoProcess.run(["status", "campaigns/order-shipped.yaml", "--state", verified], environment: environment)
        #expect(refused.status == 1, "\(refused.all)")
        #expect(refused.stderr.contains("TLS"), "\(refused.stderr)")
        #expect(!refused.all.contains(server.password))
    }

    @Test func aDatabaseThatCannotBeReachedAtTheStartIsExit75() throws {
        let setup = try Setup(recipients: 5, rate: 10, batchSize: 5)
        defer { _ = setup.emulator.stop() }
        let port = SalvoProcess.closedLoopbackPort()
        let outcome = try SalvoProcess.run(["run", setup.campaign, "--endpoint", setup.url, "--state", "postgres://salvo:hunter2-secret@127.0.0.1:\(port)/salvo?sslmode=disable"],
                                           environment: setup.environment)
        #expect(outcome.status == 75, "\(outcome.all)")
        #expect(outcome.stderr.contains("cannot connect to PostgreSQL at postgres://salvo:***@127.0.0.1:\(port)/salvo"), "\(outcome.stderr)")
        #expect(!outcome.all.contains("hunter2-secret"))
        #expect((try setup.statistics())["messages"] as? Int == 0)
    }

    @Test func aWrongPasswordOrAMissingPermissionIsExit1WithTheReason() throws {
        let server = try TestPostgres.server()
        let database = try TestPostgres.freshDatabase("denied")
        let setup = try Setup(recipients: 5, rate: 10, batchSize: 5)
        defer { _ = setup.emulator.stop() }
        let wrong = "wrong-" + UUID().uuidString
        let refused = try SalvoProcess.run(["run", setup.campaign, "--endpoint", setup.url, "--state", database],
                                           environment: setup.environment.merging(["PGPASSWORD": wrong]) { _, new in new })
        #expect(refused.status == 1, "\(refused.all)")
        #expect(refused.stderr.contains("refused the login"), "\(refused.stderr)")
        #expect(!refused.all.contains(wrong), "the password is never printed")
        // A role that may log in but not create salvo's schema.
        let stranger = database.replacingOccurrences(of: "postgres://salvo@", with: "postgres://stranger@")
        let denied = try SalvoProcess.run(["run", setup.campaign, "--endpoint", setup.url, "--state", stranger],
                                          environment: setup.environment.merging(["PGPASSWORD": server.password]) { _, new in new })
        #expect(denied.status == 1, "\(denied.all)")
        #expect(denied.stderr.contains("permission denied"), "\(denied.stderr)")
        #expect(!denied.all.contains(server.password))
        #expect((try setup.statistics())["messages"] as? Int == 0)
    }

    @Test func aSchemaFromANewerSalvoIsRefusedAndLeftAsItIs() throws {
        let server = try TestPostgres.server()
        let database = try TestPostgres.freshDatabase("newer")
        let name = TestPostgres.databaseName(database)
        try TestPostgres.psql(server, database: name, "CREATE SCHEMA salvo; CREATE TABLE salvo.meta (key text PRIMARY KEY, value text NOT NULL); INSERT INTO salvo.meta VALUES ('schema', '99')")
        let setup = try Setup(recipients: 5, rate: 10, batchSize: 5)
        defer { _ = setup.emulator.stop() }
        let outcome = try SalvoProcess.run(["run", setup.campaign, "--endpoint", setup.url, "--state", database],
                                           environment: setup.environment.merging(["PGPASSWORD": server.password]) { _, new in new })
        #expect(outcome.status == 1, "\(outcome.all)")
        #expect(outcome.stderr.contains("written by a newer salvo (schema 99"), "\(outcome.stderr)")
        #expect(try TestPostgres.psql(server, database: name, "SELECT value FROM salvo.meta WHERE key = 'schema'") == "99", "left as it is")
        #expect(try TestPostgres.psql(server, database: name, "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'salvo'") == "1", "nothing added")
    }

    @Test func aMalformedStateURLIsAUsageErrorThatMasksThePassword() throws {
        let outcome = try SalvoProcess.run(["status", "campaigns/order-shipped.yaml", "--state", "postgres://salvo:topsecret@/nodb?sslmode=sometimes"])
        #expect(outcome.status == 64, "\(outcome.all)")
        #expect(outcome.stderr.contains("postgres://salvo:***@"), "\(outcome.stderr)")
        #expect(!outcome.all.contains("topsecret"))
    }
}
