import CampaignRunner
import PostgresNIO

/// Salvo's tables in their own schema, `salvo`, one for every campaign of the database. Salvo
/// creates them itself on first use and records their version in `salvo.meta`; a database whose
/// schema was written by a newer salvo is refused, never altered.
enum PostgresSchema {
    /// The version this build writes and reads: 2 added the run's preflight (`preflight_at`,
    /// `preflight`, `preflight_passed` in `salvo.runs`).
    static let version = 2

    /// Statements creating the current version, in order, in one transaction.
    static let statements: [String] = [
        "CREATE SCHEMA IF NOT EXISTS salvo",
        "CREATE TABLE salvo.meta (key text PRIMARY KEY, value text NOT NULL)",
        // Every batch change takes the next number: a runner asks for what changed since the last
        // it saw.
        "CREATE SEQUENCE salvo.changes",
        """
        CREATE TABLE salvo.runs (
            id bigserial PRIMARY KEY, campaign text NOT NULL, current boolean NOT NULL DEFAULT true, set_aside_at float8,
            plan_id text NOT NULL, salvo text NOT NULL, created_at float8 NOT NULL, endpoint text, last_end text, stop_reason text,
            activity text, activity_reason text, activity_until float8, activity_pace float8, activity_ceiling float8, activity_at float8,
            preflight_at float8, preflight text, preflight_passed boolean,
            plan_header text NOT NULL, plan_trailer text NOT NULL,
            pace_rate float8, pace_reason text, pace_changed float8 NOT NULL DEFAULT 0, pace_next float8 NOT NULL DEFAULT 0, paused_until float8)
        """,
        "CREATE UNIQUE INDEX runs_current ON salvo.runs (campaign) WHERE current",
        """
        CREATE TABLE salvo.batches (
            run bigint NOT NULL REFERENCES salvo.runs ON DELETE CASCADE, batch int NOT NULL, action text NOT NULL, out_id text NOT NULL,
            recipients int NOT NULL, segments int NOT NULL, first_phone text NOT NULL, state text NOT NULL, attempts int NOT NULL DEFAULT 0,
            not_before float8, attempt_at float8, biz_id text, code text, message text, owner text,
            changed bigint NOT NULL DEFAULT nextval('salvo.changes'), PRIMARY KEY (run, batch))
        """,
        "CREATE INDEX batches_waiting ON salvo.batches (run, batch) WHERE state IN ('pending', 'deferred')",
        "CREATE INDEX batches_unsettled ON salvo.batches (run, batch) WHERE state IN ('sending', 'uncertain')",
        "CREATE INDEX batches_changed ON salvo.batches (run, changed)",
        "CREATE TABLE salvo.plan_lines (run bigint NOT NULL REFERENCES salvo.runs ON DELETE CASCADE, batch int NOT NULL, line bytea NOT NULL, PRIMARY KEY (run, batch))",
        """
        CREATE TABLE salvo.attempts (
            id bigserial PRIMARY KEY, run bigint NOT NULL REFERENCES salvo.runs ON DELETE CASCADE, batch int NOT NULL,
            started_at float8 NOT NULL, ended_at float8 NOT NULL, outcome text NOT NULL, code text)
        """,
        "CREATE INDEX attempts_by_batch ON salvo.attempts (run, batch)",
        """
        CREATE TABLE salvo.receipts (
            id bigserial PRIMARY KEY, run bigint NOT NULL REFERENCES salvo.runs ON DELETE CASCADE, biz_id text NOT NULL, phone text NOT NULL,
            out_id text NOT NULL, batch int NOT NULL, success boolean NOT NULL, code text NOT NULL, message text NOT NULL, segments int NOT NULL,
            send_time text NOT NULL, report_time text NOT NULL, received_at float8 NOT NULL, UNIQUE (run, biz_id, phone))
        """,
        "CREATE INDEX receipts_by_batch ON salvo.receipts (run, batch)",
        """
        CREATE TABLE salvo.runners (
            id text PRIMARY KEY, run bigint NOT NULL REFERENCES salvo.runs ON DELETE CASCADE, host text NOT NULL, pid int NOT NULL,
            started_at float8 NOT NULL, heartbeat_at float8 NOT NULL, lease_until float8 NOT NULL, in_flight int NOT NULL DEFAULT 0, left_at float8)
        """,
        "CREATE INDEX runners_by_run ON salvo.runners (run)",
        // Ends a statement, and so undoes all of it: SV001 a batch another runner holds, SV002 a
        // change the run cannot take.
        """
        CREATE FUNCTION salvo.refuse(code text, message text) RETURNS bigint LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION USING ERRCODE = code, MESSAGE = message; END $$
        """,
        // Optional text in an array: '' is NULL, anything else drops its first character.
        "CREATE FUNCTION salvo.opt(value text) RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT CASE WHEN value = '' THEN NULL ELSE substr(value, 2) END $$",
        "INSERT INTO salvo.meta (key, value) VALUES ('schema', '2')",
    ]

    /// Statements upgrading a schema of the key's version to the next, in one transaction.
    static let upgrades: [Int: [String]] = [
        1: [
            "ALTER TABLE salvo.runs ADD COLUMN IF NOT EXISTS preflight_at float8, ADD COLUMN IF NOT EXISTS preflight text, ADD COLUMN IF NOT EXISTS preflight_passed boolean",
            "UPDATE salvo.meta SET value = '2' WHERE key = 'schema'",
        ],
    ]

    /// Makes sure the schema is there and is one this salvo reads.
    static func prepare(_ session: PostgresSession) async throws(RunStoreError) {
        if var found = try await installed(session) {
            if found < version, upgrades[found] != nil { found = try await upgrade(session) }
            try check(found, session: session)
            return
        }
        let version: Int?
        do {
            version = try await create(session)
        } catch {
            // Another salvo made it at the same moment (CREATE raced past the lock's snapshot):
            // what it made counts.
            guard let found = try? await installed(session) else { throw error }
            try check(found, session: session)
            return
        }
        if let version { try check(version, session: session) }
    }

    private static func create(_ session: PostgresSession) async throws(RunStoreError) -> Int? {
        try await session.transaction { connection, logger in
            // One salvo creates it; another waiting here finds it made.
            try await connection.query("SELECT pg_advisory_xact_lock(1396790863)", logger: logger)
            let exists = try await connection.query("SELECT to_regclass('salvo.meta') IS NOT NULL", logger: logger).collect()
            if let row = exists.first, try row.decode(Bool.self) {
                let rows = try await connection.query("SELECT value FROM salvo.meta WHERE key = 'schema'", logger: logger).collect()
                return try rows.first.flatMap { Int(try $0.decode(String.self)) } ?? 0
            }
            for statement in Self.statements { try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger) }
            return nil
        }
    }

    /// Upgrades an older schema step by step, under the same lock as its creation (another salvo
    /// upgrading at the same moment waits, then finds it done); the version it came to.
    private static func upgrade(_ session: PostgresSession) async throws(RunStoreError) -> Int {
        try await session.transaction { connection, logger in
            try await connection.query("SELECT pg_advisory_xact_lock(1396790863)", logger: logger)
            let rows = try await connection.query("SELECT value FROM salvo.meta WHERE key = 'schema'", logger: logger).collect()
            var found = try rows.first.flatMap { Int(try $0.decode(String.self)) } ?? 0
            while found < version, let statements = upgrades[found] {
                for statement in statements { try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger) }
                found += 1
            }
            return found
        }
    }

    /// The installed version, or nil when there is no schema.
    private static func installed(_ session: PostgresSession) async throws(RunStoreError) -> Int? {
        let exists = try await session.rows("SELECT to_regclass('salvo.meta') IS NOT NULL")
        guard let row = exists.first, (try? row.decode(Bool.self)) == true else { return nil }
        let rows = try await session.rows("SELECT value FROM salvo.meta WHERE key = 'schema'")
        return rows.first.flatMap { try? $0.decode(String.self) }.flatMap { Int($0) } ?? 0
    }

    private static func check(_ found: Int, session: PostgresSession) throws(RunStoreError) {
        guard found <= version else {
            throw RunStoreError(.newer, "the salvo schema in \(session.location) was written by a newer salvo (schema \(found), this one reads up to \(version)); it was left as it is; upgrade salvo")
        }
        guard found == version else {
            throw RunStoreError(.damaged, "the salvo schema in \(session.location) has version \(found), which this salvo does not know; it was left as it is")
        }
    }
}
