import CampaignRunner
import Foundation
import Logging
import NIOSSL
import PostgresNIO
import Synchronization

/// One connection to the database, opened when first needed and again after it was lost. Every
/// failure comes out as a `RunStoreError`: `unavailable` when the database cannot be reached (or
/// restarts: try again), `denied` for a wrong password or a missing permission, `io` otherwise.
/// Queries may come from several tasks (the run, its heartbeat); the connection queues them.
final class PostgresSession: Sendable {
    let location: PostgresLocation
    private let logger: Logger
    private let state = Mutex<State>(State())
    private let trips = Atomic<Int>(0)

    private struct State {
        var connection: PostgresConnection?
        var connecting: Task<PostgresConnection, any Error>?
        var nextID = 1
    }

    init(location: PostgresLocation) {
        self.location = location
        var logger = Logger(label: "salvo.postgres")
        logger.logLevel = .critical
        self.logger = logger
    }

    deinit {
        // A connection is closed before it goes (PostgresNIO insists).
        let connection = state.withLock { $0.connection }
        if let connection, !connection.isClosed {
            let future: EventLoopFuture<Void> = connection.close()
            future.whenComplete { _ in withExtendedLifetime(connection) {} }
        }
    }

    /// Round trips made so far.
    var roundTrips: Int { trips.load(ordering: .relaxed) }

    private func configuration() throws(RunStoreError) -> PostgresConnection.Configuration {
        let tls: PostgresConnection.Configuration.TLS
        do {
            switch location.sslMode {
            case .disable:
                tls = .disable
            case .prefer, .require:
                var settings = TLSConfiguration.makeClientConfiguration()
                settings.certificateVerification = .none
                let context = try NIOSSLContext(configuration: settings)
                tls = location.sslMode == .prefer ? .prefer(context) : .require(context)
            case .verifyFull:
                tls = .require(try NIOSSLContext(configuration: .makeClientConfiguration()))
            }
        } catch {
            throw RunStoreError(.io, "cannot set up TLS for \(location): \(error)")
        }
        var configuration = PostgresConnection.Configuration(host: location.host, port: location.port, username: location.user,
                                                             password: location.password, database: location.database, tls: tls)
        configuration.options.connectTimeout = .seconds(5)
        // The name the certificate must carry; an address is not sent as a name (SNI forbids it),
        // and the chain is still checked.
        if location.sslMode == .verifyFull, !Self.isAddress(location.host) { configuration.options.tlsServerName = location.host }
        return configuration
    }

    private func connection() async throws(RunStoreError) -> PostgresConnection {
        let configuration = try configuration()
        let task: Task<PostgresConnection, any Error> = state.withLock { state in
            if let connection = state.connection, !connection.isClosed {
                return Task { connection }
            }
            if let connecting = state.connecting { return connecting }
            let id = state.nextID
            state.nextID += 1
            let logger = self.logger
            let connecting = Task { try await Self.bounded { try await PostgresConnection.connect(configuration: configuration, id: id, logger: logger) } }
            state.connecting = connecting
            return connecting
        }
        do {
            let connection = try await task.value
            state.withLock { state in
                if state.connection !== connection {
                    state.connection = connection
                    state.connecting = nil
                }
            }
            return connection
        } catch {
            state.withLock { state in state.connecting = nil }
            throw classify(error, connecting: true)
        }
    }

    /// How long a query, or a connection's start, may take before the database counts as gone
    /// (a server that accepts and never answers, a network that drops packets).
    static let timeout: Duration = .seconds(20)

    /// Runs `query`, returns its rows.
    func rows(_ query: PostgresQuery) async throws(RunStoreError) -> [PostgresRow] {
        let connection = try await connection()
        trips.add(1, ordering: .relaxed)
        let logger = self.logger
        do {
            return try await Self.bounded { try await connection.query(query, logger: logger).collect() }
        } catch {
            let failure = classify(error, connecting: false)
            if failure.code == .unavailable { drop(connection) }
            throw failure
        }
    }

    private struct TimedOut: Error, CustomStringConvertible {
        var description: String { "no answer within \(PostgresSession.timeout)" }
    }

    /// `body`, or `TimedOut` once `timeout` has passed (the connection is then dropped, which
    /// ends the query).
    static func bounded<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) async throws -> T {
        try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { try await body() }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let value = first else { throw TimedOut() }
            return value
        }
    }

    /// Runs `body` in a transaction on the connection (BEGIN, COMMIT; ROLLBACK when it throws).
    func transaction<T: Sendable>(_ body: (PostgresConnection, Logger) async throws -> T) async throws(RunStoreError) -> T {
        let connection = try await connection()
        trips.add(2, ordering: .relaxed)
        do {
            try await connection.query("BEGIN", logger: logger)
            do {
                let value = try await body(connection, logger)
                try await connection.query("COMMIT", logger: logger)
                return value
            } catch {
                _ = try? await connection.query("ROLLBACK", logger: logger)
                throw error
            }
        } catch let error as RunStoreError {
            throw error
        } catch {
            let failure = classify(error, connecting: false)
            if failure.code == .unavailable { drop(connection) }
            throw failure
        }
    }

    private func drop(_ connection: PostgresConnection) {
        state.withLock { state in
            if state.connection === connection { state.connection = nil }
        }
        let future: EventLoopFuture<Void> = connection.close()
        future.whenComplete { _ in withExtendedLifetime(connection) {} }
    }

    func close() async {
        let connection = state.withLock { state -> PostgresConnection? in
            defer { state.connection = nil }
            return state.connection
        }
        try? await connection?.close()
    }

    /// A failure in words, with the kind that decides what the runner does.
    func classify(_ error: any Error, connecting: Bool) -> RunStoreError {
        let place = location.description
        if let error = error as? RunStoreError { return error }
        if let error = error as? PSQLError {
            if error.code == .server {
                let sqlState = error.serverInfo?[.sqlState] ?? ""
                let message = error.serverInfo?[.message] ?? "an error"
                switch sqlState {
                case "28P01", "28000":
                    return RunStoreError(.denied, "PostgreSQL at \(place) refused the login: \(message) (set the password in PGPASSWORD or ~/.pgpass)", cause: error)
                case "42501":
                    return RunStoreError(.denied, "PostgreSQL at \(place) refused: \(message); the user needs to read and write salvo's schema (and to create it once: CREATE on the database)", cause: error)
                case "3D000":
                    return RunStoreError(.denied, "PostgreSQL at \(place): \(message)", cause: error)
                case "SV001":
                    return RunStoreError(.taken, message, cause: error)
                case "SV002":
                    return RunStoreError(.io, message, cause: error)
                case "23505":
                    return RunStoreError(.exists, "\(place): \(message)", cause: error)
                case let state where state.hasPrefix("08") || state.hasPrefix("57P") || state == "53300":
                    return RunStoreError(.unavailable, "PostgreSQL at \(place) is not available: \(message)", cause: error)
                default:
                    return RunStoreError(.io, "PostgreSQL at \(place) failed: \(message) (SQLSTATE \(sqlState))", cause: error)
                }
            }
            if error.code == .sslUnsupported {
                return RunStoreError(.denied, "PostgreSQL at \(place) does not offer TLS, which sslmode=\(location.sslMode.rawValue) requires", cause: error)
            }
            if error.code == .authMechanismRequiresPassword {
                return RunStoreError(.denied, "PostgreSQL at \(place) asks for a password: set PGPASSWORD, or put it in ~/.pgpass (or the file PGPASSFILE names) as host:port:database:user:password", cause: error)
            }
            if error.code == .unsupportedAuthMechanism || error.code == .saslError {
                return RunStoreError(.denied, "PostgreSQL at \(place) refused the login (\(error.code))", cause: error)
            }
            if let underlying = error.underlying, underlying is NIOSSLError || underlying is BoringSSLError || underlying is NIOSSLExtraError {
                // A certificate that is not trusted or does not name the host: not a fault that
                // passes by itself.
                let text = String(describing: underlying)
                let why = text.contains("CERTIFICATE_VERIFY_FAILED") ? "its certificate is not trusted by this machine (CERTIFICATE_VERIFY_FAILED)" : String(text.prefix(300))
                return RunStoreError(.denied, "TLS with PostgreSQL at \(place) failed: \(why) (sslmode=\(location.sslMode.rawValue))", cause: error)
            }
            let why = error.underlying.map { Self.reason(String(describing: $0)) } ?? "\(error.code)"
            return RunStoreError(.unavailable, "cannot \(connecting ? "connect to" : "reach") PostgreSQL at \(place): \(why)", cause: error)
        }
        if error is TimedOut {
            return RunStoreError(.unavailable, "PostgreSQL at \(place) did not answer within \(Self.timeout)", cause: nil)
        }
        if error is NIOSSLError || error is BoringSSLError || error is NIOSSLExtraError {
            return RunStoreError(.denied, "TLS with PostgreSQL at \(place) failed: \(error)", cause: nil)
        }
        // Connection refused, a name that does not resolve, a timeout: try again later.
        return RunStoreError(.unavailable, "cannot \(connecting ? "connect to" : "reach") PostgreSQL at \(place): \(Self.reason(String(describing: error)))", cause: nil)
    }

    /// Whether `host` is an IPv4 or IPv6 address rather than a name.
    static func isAddress(_ host: String) -> Bool {
        var v4 = in_addr()
        var v6 = in6_addr()
        return inet_pton(AF_INET, host, &v4) == 1 || inet_pton(AF_INET6, host, &v6) == 1
    }

    /// A network failure in a few words (NIO's own descriptions are long).
    static func reason(_ text: String) -> String {
        let lower = text.lowercased()
        if lower.contains("connection refused") { return "connection refused (is the server running, on that port?)" }
        if lower.contains("timed out") || lower.contains("timeout") { return "timed out" }
        if lower.contains("reset by peer") || lower.contains("connection reset") { return "the connection was reset" }
        if lower.contains("eof") || lower.contains("closed") { return "the server closed the connection" }
        if lower.contains("resolve") || lower.contains("lookup") || lower.contains("name or service") { return "the host name does not resolve" }
        return String(text.prefix(200))
    }
}
