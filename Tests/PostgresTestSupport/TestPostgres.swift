import Foundation

/// The PostgreSQL server the tests use: the throwaway cluster `scripts/test` starts
/// (`scripts/pg-cluster`), named by `SALVO_TEST_POSTGRES` (a URL without password) and
/// `SALVO_TEST_POSTGRES_PASSWORD`. Without them the PostgreSQL tests fail, with the reason
/// `scripts/test` left in `SALVO_TEST_POSTGRES_ERROR`: they are never skipped.
public enum TestPostgres {
    public struct Unavailable: Error, CustomStringConvertible {
        public var description: String
    }

    public struct Server: Sendable {
        /// `postgres://salvo@127.0.0.1:PORT/salvo?sslmode=disable`.
        public var url: String
        public var password: String
        public var host: String
        public var port: Int
        /// The folder of the cluster (for `scripts/pg-cluster restart`), when known.
        public var folder: String?
    }

    public static func server() throws -> Server {
        let environment = ProcessInfo.processInfo.environment
        guard let url = environment["SALVO_TEST_POSTGRES"], !url.isEmpty, let password = environment["SALVO_TEST_POSTGRES_PASSWORD"],
              let components = URLComponents(string: url), let host = components.host, let port = components.port else {
            let reason = environment["SALVO_TEST_POSTGRES_ERROR"].map { "the throwaway cluster did not start: \($0)" }
                ?? "SALVO_TEST_POSTGRES is not set: run the tests with scripts/test, which starts a throwaway PostgreSQL cluster (scripts/pg-cluster)"
            throw Unavailable(description: "PostgreSQL tests cannot run: \(reason)")
        }
        return Server(url: url, password: password, host: host, port: port, folder: environment["SALVO_TEST_POSTGRES_FOLDER"])
    }

    /// A new, empty database on the server, owned by the test role; its URL (no password).
    public static func freshDatabase(_ label: String) throws -> String {
        let server = try server()
        let name = "t_" + label.lowercased().filter { $0.isLetter || $0.isNumber }.prefix(20) + "_" + UUID().uuidString.prefix(8).lowercased()
        try psql(server, database: "salvo", "CREATE DATABASE \(name)")
        return server.url.replacingOccurrences(of: "/salvo?", with: "/\(name)?")
    }

    /// The database a URL from `freshDatabase` names.
    public static func databaseName(_ url: String) -> String {
        URLComponents(string: url).map { String($0.path.drop { $0 == "/" }) } ?? ""
    }

    /// Runs `sql` with psql as the test role.
    @discardableResult
    public static func psql(_ server: Server, database: String, _ sql: String, user: String = "salvo") throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["psql", "-h", server.host, "-p", String(server.port), "-U", user, "-d", database, "-v", "ON_ERROR_STOP=1", "-qAtc", sql]
        var environment = ProcessInfo.processInfo.environment
        environment["PGPASSWORD"] = server.password
        process.environment = environment
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let problems = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw Unavailable(description: "psql failed: \(problems)") }
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

extension TestPostgres {
    /// A cluster of a test's own (`scripts/pg-cluster` in `folder`), for what would disturb the
    /// shared one (a restart).
    public struct PrivateCluster {
        public let server: Server
        let folder: String
        let script: String

        /// Starts it; `packageRoot` holds scripts/pg-cluster.
        public init(packageRoot: String) throws {
            script = packageRoot + "/scripts/pg-cluster"
            folder = NSTemporaryDirectory() + "salvo-pg-" + UUID().uuidString.prefix(8)
            let status = TestPostgres.spawn([script, "start", folder])
            guard status == 0, let port = try? String(contentsOfFile: folder + "/port", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines),
                  let password = try? String(contentsOfFile: folder + "/password", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines),
                  let portNumber = Int(port) else {
                let log = (try? String(contentsOfFile: folder + "/server.log", encoding: .utf8)) ?? ""
                throw Unavailable(description: "a private PostgreSQL cluster did not start (scripts/pg-cluster start exited \(status)): \(log.suffix(400))")
            }
            server = Server(url: "postgres://salvo@127.0.0.1:\(portNumber)/salvo?sslmode=disable", password: password, host: "127.0.0.1", port: portNumber, folder: folder)
        }

        /// `pg_ctl restart -m fast`; its exit status.
        public func restart() -> Int32 { TestPostgres.spawn([script, "restart", folder]) }

        public func stop() { _ = TestPostgres.spawn([script, "stop", folder]) }
    }

    /// Runs `arguments` with standard input and output on /dev/null and waits for it: posix_spawn
    /// and waitpid, since a server started underneath must not hold a pipe of this process (and
    /// Foundation's Process waits for such descriptors to close).
    static func spawn(_ arguments: [String]) -> Int32 {
        var pid: pid_t = 0
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for descriptor: Int32 in [0, 1, 2] { posix_spawn_file_actions_addopen(&actions, descriptor, "/dev/null", descriptor == 0 ? O_RDONLY : O_WRONLY, 0) }
        guard posix_spawn(&pid, arguments[0], &actions, nil, &argv, environ) == 0 else { return -1 }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0, errno == EINTR {}
        return (status >> 8) & 0xFF
    }
}
