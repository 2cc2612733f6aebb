import CampaignCompiler
import CampaignRunner
import Foundation
import PostgresNIO
import Synchronization

/// A campaign's run in PostgreSQL (`salvo` schema, shared by every campaign of the database),
/// plan included, so that a run resumes on any machine and several runners share it
/// (`SharedRunStore`). Every change is one statement (one round trip, all or nothing); PostgreSQL
/// commits durably, so every change is flushed as an intent must be.
///
/// The password is never part of `location` or any message.
public final class PostgresRunStore: SharedRunStore {
    /// Where the database is.
    public let database: PostgresLocation
    /// The campaign.
    public let campaign: String
    public let runnerID: String
    public let leaseSeconds: Double
    let session: PostgresSession
    private let state = Mutex(Inner())

    private struct Inner {
        var prepared = false
        var run: Int64?
    }

    /// A store of `campaign`'s run in `database`; `leaseSeconds` for a runner.
    public init(database: PostgresLocation, campaign: String, leaseSeconds: Double = 30) {
        self.database = database
        self.campaign = campaign
        self.leaseSeconds = leaseSeconds
        runnerID = UUID().uuidString.lowercased()
        session = PostgresSession(location: database)
    }

    public var location: String { "\(database) (campaign '\(campaign)')" }
    public var roundTrips: Int { session.roundTrips }

    /// Closes the connection.
    public func close() async { await session.close() }

    // MARK: - Reading

    private func prepare() async throws(RunStoreError) {
        guard !state.withLock({ $0.prepared }) else { return }
        try await PostgresSchema.prepare(session)
        state.withLock { $0.prepared = true }
    }

    /// The current run's id (nil: none), read once and kept: `load` and `setAside` read it again.
    func runID() async throws(RunStoreError) -> Int64? {
        try await prepare()
        if let known = state.withLock({ $0.run }) { return known }
        let rows = try await session.rows("SELECT id FROM salvo.runs WHERE campaign = \(campaign) AND current")
        let id = try decode { try rows.first?.decode(Int64.self) }
        state.withLock { $0.run = id }
        return id
    }

    func requireRun() async throws(RunStoreError) -> Int64 {
        guard let run = try await runID() else { throw RunStoreError(.io, "campaign '\(campaign)' has no run in \(database)") }
        return run
    }

    private func decode<T>(_ body: () throws -> T) throws(RunStoreError) -> T {
        do {
            return try body()
        } catch {
            throw RunStoreError(.damaged, "the salvo schema in \(database) holds a value this salvo cannot read: \(String(describing: error).prefix(200))")
        }
    }

    static let batchColumns = "batch, action, out_id, recipients, segments, first_phone, state, attempts, not_before, attempt_at, biz_id, code, message, owner"

    static func batch(_ row: PostgresRow, from first: Int = 0) throws -> BatchRecord {
        let cells = row.makeRandomAccess()
        func cell<T: PostgresDecodable>(_ index: Int, _ type: T.Type) throws -> T { try cells[first + index].decode(T.self) }
        var record = BatchRecord(batch: Int(try cell(0, Int32.self)), action: try cell(1, String.self), outId: try cell(2, String.self),
                                 recipients: Int(try cell(3, Int32.self)), segments: Int(try cell(4, Int32.self)), firstPhone: try cell(5, String.self),
                                 state: BatchState(rawValue: try cell(6, String.self)) ?? .uncertain, attempts: Int(try cell(7, Int32.self)),
                                 notBefore: try cell(8, Double?.self), attemptAt: try cell(9, Double?.self), bizId: try cell(10, String?.self),
                                 code: try cell(11, String?.self), message: try cell(12, String?.self))
        record.owner = try cell(13, String?.self)
        return record
    }

    public func load() async throws(RunStoreError) -> StoredRun? {
        state.withLock { $0.run = nil }
        guard let run = try await runID() else { return nil }
        let meta = try await session.rows("""
            SELECT plan_id, salvo, created_at, endpoint, last_end, stop_reason, activity, activity_reason, activity_until, activity_pace, activity_ceiling, activity_at,
                preflight_at, preflight, preflight_passed
            FROM salvo.runs WHERE id = \(run)
            """)
        guard let row = meta.first else { return nil }
        let metadata: RunMetadata = try decode {
            let cells = row.makeRandomAccess()
            var metadata = RunMetadata(planID: try cells[0].decode(String.self), campaign: campaign, salvoVersion: try cells[1].decode(String.self),
                                       createdAt: try cells[2].decode(Double.self), endpoint: try cells[3].decode(String?.self),
                                       lastEnd: try cells[4].decode(String?.self).flatMap(RunEnd.init(rawValue:)), stopReason: try cells[5].decode(String?.self))
            if let kind = try cells[6].decode(String?.self).flatMap(RunActivity.Kind.init(rawValue:)) {
                metadata.activity = RunActivity(kind: kind, reason: try cells[7].decode(String?.self), until: try cells[8].decode(Double?.self),
                                                pace: try cells[9].decode(Double?.self), ceiling: try cells[10].decode(Double?.self), at: try cells[11].decode(Double?.self) ?? 0)
            }
            metadata.preflightAt = try cells[12].decode(Double?.self)
            metadata.preflight = try cells[13].decode(String?.self)
            metadata.preflightPassed = try cells[14].decode(Bool?.self)
            return metadata
        }
        let rows = try await session.rows(PostgresQuery(unsafeSQL: "SELECT \(Self.batchColumns) FROM salvo.batches WHERE run = $1 ORDER BY batch", binds: binds(run)))
        let batches = try decode { try rows.map { try Self.batch($0) } }
        return StoredRun(metadata: metadata, batches: batches)
    }

    // MARK: - Starting a run

    public func create(_ run: NewRun) async throws(RunStoreError) {
        try await prepare()
        // The plan, checked against its trailer as it is read: the plan stored is the one made.
        let lines: [Range<Int>]
        let data: Data
        do {
            lines = try PlanReader.requestLines(at: run.planFile)
            data = try Data(contentsOf: URL(fileURLWithPath: run.planFile), options: .alwaysMapped)
        } catch {
            throw RunStoreError(.io, "cannot read the plan '\(run.planFile)': \(error)")
        }
        guard lines.count == run.batches.count else {
            throw RunStoreError(.damaged, "the plan has \(lines.count) requests and the run \(run.batches.count)")
        }
        let text = data.split(separator: 0x0A, omittingEmptySubsequences: true)
        guard let headerLine = text.first, let trailerLine = text.last else { throw RunStoreError(.damaged, "the plan '\(run.planFile)' is empty") }
        let header = String(decoding: headerLine, as: UTF8.self)
        let trailer = String(decoding: trailerLine, as: UTF8.self)
        let metadata = run.metadata
        let campaign = self.campaign
        let batches = run.batches
        let id: Int64 = try await session.transaction { connection, logger in
            let inserted = try await connection.query("""
                INSERT INTO salvo.runs (campaign, plan_id, salvo, created_at, endpoint, plan_header, plan_trailer)
                VALUES (\(campaign), \(metadata.planID), \(metadata.salvoVersion), \(metadata.createdAt), \(metadata.endpoint), \(header), \(trailer))
                ON CONFLICT (campaign) WHERE current DO NOTHING RETURNING id
                """, logger: logger).collect()
            guard let id = try inserted.first?.decode(Int64.self) else {
                throw RunStoreError(.exists, "\(self.location) already holds a run")
            }
            try await connection.query(Self.metadataUpdate(metadata, run: id), logger: logger)
            // Batches and plan lines in slices, each one statement.
            let slice = 2000
            var start = 0
            while start < batches.count {
                let part = batches[start..<min(start + slice, batches.count)]
                var binds = PostgresBindings()
                binds.append(id)
                binds.append(part.map(\.batch))
                binds.append(part.map(\.action))
                binds.append(part.map(\.outId))
                binds.append(part.map(\.recipients))
                binds.append(part.map(\.segments))
                binds.append(part.map(\.firstPhone))
                binds.append(part.map(\.state.rawValue))
                binds.append(part.map(\.attempts))
                binds.append(part.map { ByteBuffer(bytes: data[lines[$0.batch - 1]]) })
                try await connection.query(PostgresQuery(unsafeSQL: """
                    WITH input AS (SELECT * FROM unnest($2::int8[], $3::text[], $4::text[], $5::int8[], $6::int8[], $7::text[], $8::text[], $9::int8[], $10::bytea[])
                                   AS u(batch, action, out_id, recipients, segments, first_phone, state, attempts, line)),
                         plan AS (INSERT INTO salvo.plan_lines (run, batch, line) SELECT $1, batch, line FROM input)
                    INSERT INTO salvo.batches (run, batch, action, out_id, recipients, segments, first_phone, state, attempts)
                    SELECT $1, batch, action, out_id, recipients, segments, first_phone, state, attempts FROM input
                    """, binds: binds), logger: logger)
                start += slice
            }
            return id
        }
        state.withLock { $0.run = id }
    }

    static func metadataUpdate(_ metadata: RunMetadata, run: Int64) -> PostgresQuery {
        let activity = metadata.activity
        return """
            UPDATE salvo.runs SET plan_id = \(metadata.planID), salvo = \(metadata.salvoVersion), created_at = \(metadata.createdAt), endpoint = \(metadata.endpoint),
                last_end = \(metadata.lastEnd?.rawValue), stop_reason = \(metadata.stopReason), activity = \(activity?.kind.rawValue),
                activity_reason = \(activity?.reason), activity_until = \(activity?.until), activity_pace = \(activity?.pace),
                activity_ceiling = \(activity?.ceiling), activity_at = \(activity?.at),
                preflight_at = \(metadata.preflightAt), preflight = \(metadata.preflight), preflight_passed = \(metadata.preflightPassed)
            WHERE id = \(run)
            """
    }

    // MARK: - Changes

    /// Optional text as `salvo.opt` reads it back.
    static func opt(_ value: String?) -> String { value.map { "v" + $0 } ?? "" }
    /// Optional numbers: NaN is NULL.
    static func opt(_ value: Double?) -> Double { value ?? .nan }

    public func commit(_ change: RunChange) async throws(RunStoreError) {
        guard !change.isEmpty else { return }
        let run = try await requireRun()
        if change.batches.isEmpty, change.attempts.isEmpty, let metadata = change.metadata {
            _ = try await session.rows(Self.metadataUpdate(metadata, run: run))
            return
        }
        var binds = PostgresBindings()
        let batches = change.batches
        let attempts = change.attempts
        let metadata = change.metadata
        binds.append(run)
        binds.append(batches.map(\.batch))
        binds.append(batches.map(\.state.rawValue))
        binds.append(batches.map(\.attempts))
        binds.append(batches.map { Self.opt($0.notBefore) })
        binds.append(batches.map { Self.opt($0.attemptAt) })
        binds.append(batches.map { Self.opt($0.bizId) })
        binds.append(batches.map { Self.opt($0.code) })
        binds.append(batches.map { Self.opt($0.message) })
        binds.append(attempts.map(\.batch))
        binds.append(attempts.map(\.startedAt))
        binds.append(attempts.map(\.endedAt))
        binds.append(attempts.map(\.outcome.rawValue))
        binds.append(attempts.map { Self.opt($0.code) })
        binds.append(runnerID)
        binds.append(batches.count)
        // The run's metadata in the same statement, when it changed.
        binds.append(metadata != nil)
        let activity = metadata?.activity
        binds.append(metadata?.endpoint)
        binds.append(metadata?.lastEnd?.rawValue)
        binds.append(metadata?.stopReason)
        binds.append(activity?.kind.rawValue)
        binds.append(activity?.reason)
        binds.append(activity?.until)
        binds.append(activity?.pace)
        binds.append(activity?.ceiling)
        binds.append(activity?.at)
        binds.append(metadata?.preflightAt)
        binds.append(metadata?.preflight)
        binds.append(metadata?.preflightPassed)
        // A batch is changed only by the runner that holds it, or when no runner does; one held
        // by another runner (this one's lease ran out) or missing refuses the whole change.
        let sql = """
            WITH u AS (SELECT * FROM unnest($2::int8[], $3::text[], $4::int8[], $5::float8[], $6::float8[], $7::text[], $8::text[], $9::text[])
                       AS u(batch, state, attempts, not_before, attempt_at, biz_id, code, message)),
                 b AS (UPDATE salvo.batches t SET state = u.state, attempts = u.attempts, not_before = nullif(u.not_before, 'NaN'),
                          attempt_at = nullif(u.attempt_at, 'NaN'), biz_id = salvo.opt(u.biz_id), code = salvo.opt(u.code), message = salvo.opt(u.message),
                          owner = CASE WHEN u.state IN ('sending', 'uncertain') THEN $15 ELSE NULL END, changed = nextval('salvo.changes')
                       FROM u WHERE t.run = $1 AND t.batch = u.batch AND (t.owner IS NULL OR t.owner = $15)
                       RETURNING t.batch),
                 a AS (INSERT INTO salvo.attempts (run, batch, started_at, ended_at, outcome, code)
                       SELECT $1, batch, started_at, ended_at, outcome, salvo.opt(code)
                       FROM unnest($10::int8[], $11::float8[], $12::float8[], $13::text[], $14::text[]) AS x(batch, started_at, ended_at, outcome, code)
                       RETURNING 1),
                 m AS (UPDATE salvo.runs SET endpoint = $18, last_end = $19, stop_reason = $20, activity = $21, activity_reason = $22,
                          activity_until = $23, activity_pace = $24, activity_ceiling = $25, activity_at = $26,
                          preflight_at = $27, preflight = $28, preflight_passed = $29
                       WHERE id = $1 AND $17 RETURNING 1)
            SELECT CASE
                WHEN (SELECT count(*) FROM b) = $16 THEN (SELECT count(*) FROM a) + (SELECT count(*) FROM m)
                WHEN (SELECT count(*) FROM salvo.batches WHERE run = $1 AND batch IN (SELECT batch FROM u)) = $16
                    THEN salvo.refuse('SV001', 'another runner holds a batch of this change (this runner''s lease ran out)')
                ELSE salvo.refuse('SV002', 'the run has no batch ' || (SELECT min(batch) FROM u WHERE batch NOT IN (SELECT batch FROM salvo.batches WHERE run = $1)))
            END
            """
        _ = try await session.rows(PostgresQuery(unsafeSQL: sql, binds: binds))
    }

    // MARK: - The plan

    public func planBatch(_ request: PlanBatchRequest) async throws(RunStoreError) -> PlanBatch {
        let run = try await requireRun()
        let rows = try await session.rows("SELECT line FROM salvo.plan_lines WHERE run = \(run) AND batch = \(request.batch)")
        guard let row = rows.first else { throw RunStoreError(.damaged, "the plan in \(location) has no batch \(request.batch)") }
        let line = try decode { try row.decode(ByteBuffer.self) }
        guard let batch = PlanLineParser.batch(line.readableBytesView), batch.batch == request.batch else {
            throw RunStoreError(.damaged, "batch \(request.batch) of the plan in \(location) is damaged")
        }
        return batch
    }

    public func readPlan(_ body: (PlanBatch) throws(PlanError) -> Void) async throws(RunStoreError) {
        let run = try await requireRun()
        var from = 0
        while true {
            let rows = try await session.rows("SELECT batch, line FROM salvo.plan_lines WHERE run = \(run) AND batch > \(from) ORDER BY batch LIMIT 500")
            guard !rows.isEmpty else { return }
            for row in rows {
                let (number, line) = try decode { try row.decode((Int32, ByteBuffer).self) }
                guard let batch = PlanLineParser.batch(line.readableBytesView), batch.batch == Int(number) else {
                    throw RunStoreError(.damaged, "batch \(number) of the plan in \(location) is damaged")
                }
                do {
                    try body(batch)
                } catch {
                    throw RunStoreError(.io, error.description, cause: error)
                }
                from = Int(number)
            }
        }
    }

    public func planHeader() async throws(RunStoreError) -> PlanHeader? {
        guard let run = try await runID() else { return nil }
        let rows = try await session.rows("SELECT plan_header FROM salvo.runs WHERE id = \(run)")
        guard let text = try decode({ try rows.first?.decode(String.self) }) else { return nil }
        return try? JSONDecoder().decode(PlanHeader.self, from: Data(text.utf8))
    }

    public func planTrailer() async throws(RunStoreError) -> PlanTrailer? {
        guard let run = try await runID() else { return nil }
        let rows = try await session.rows("SELECT plan_trailer FROM salvo.runs WHERE id = \(run)")
        guard let text = try decode({ try rows.first?.decode(String.self) }) else { return nil }
        return try? JSONDecoder().decode(PlanTrailer.self, from: Data(text.utf8))
    }

    /// Changes are told by file: the numbers are not compared.
    public var comparesRecipients: Bool { false }

    public func planRecipients(_ request: PlanRecipientsRequest) async throws(RunStoreError) -> [Int: [PlanReader.PlannedRecipient]]? { nil }

    public func attempts(_ query: AttemptQuery) async throws(RunStoreError) -> [AttemptRecord] {
        let run = try await requireRun()
        let rows = try await session.rows("""
            SELECT batch, started_at, ended_at, outcome, code FROM salvo.attempts
            WHERE run = \(run) AND (\(query.batch.map(Int32.init))::int4 IS NULL OR batch = \(query.batch.map(Int32.init))::int4) ORDER BY id
            """)
        return try decode {
            try rows.map { row in
                let (batch, started, ended, outcome, code) = try row.decode((Int32, Double, Double, String, String?).self)
                return AttemptRecord(batch: Int(batch), startedAt: started, endedAt: ended, outcome: AttemptRecord.Outcome(rawValue: outcome) ?? .unanswered, code: code)
            }
        }
    }

    // MARK: - Receipts

    public func storeReceipts(_ batch: ReceiptBatch) async throws(RunStoreError) -> ReceiptsStored {
        guard !batch.receipts.isEmpty else { return ReceiptsStored(stored: 0, duplicates: 0) }
        let run = try await requireRun()
        let receipts = batch.receipts
        var binds = PostgresBindings()
        binds.append(run)
        binds.append(receipts.map(\.bizId))
        binds.append(receipts.map(\.phone))
        binds.append(receipts.map(\.outId))
        binds.append(receipts.map(\.batch))
        binds.append(receipts.map(\.success))
        binds.append(receipts.map(\.code))
        binds.append(receipts.map(\.message))
        binds.append(receipts.map(\.segments))
        binds.append(receipts.map(\.sendTime))
        binds.append(receipts.map(\.reportTime))
        binds.append(receipts.map(\.receivedAt))
        let rows = try await session.rows(PostgresQuery(unsafeSQL: """
            WITH input AS (SELECT * FROM unnest($2::text[], $3::text[], $4::text[], $5::int8[], $6::bool[], $7::text[], $8::text[], $9::int8[], $10::text[], $11::text[], $12::float8[])
                           WITH ORDINALITY AS u(biz_id, phone, out_id, batch, success, code, message, segments, send_time, report_time, received_at, n)),
                 kept AS (INSERT INTO salvo.receipts (run, biz_id, phone, out_id, batch, success, code, message, segments, send_time, report_time, received_at)
                          SELECT $1, biz_id, phone, out_id, batch, success, code, message, segments, send_time, report_time, received_at FROM input ORDER BY n
                          ON CONFLICT (run, biz_id, phone) DO NOTHING RETURNING 1)
            SELECT CASE WHEN EXISTS (SELECT 1 FROM input WHERE batch NOT IN (SELECT batch FROM salvo.batches WHERE run = $1))
                THEN salvo.refuse('SV002', 'receipts for batch ' || (SELECT min(batch) FROM input WHERE batch NOT IN (SELECT batch FROM salvo.batches WHERE run = $1)) || ', which the run does not have')
                ELSE (SELECT count(*) FROM kept) END
            """, binds: binds))
        let stored = try decode { try rows.first?.decode(Int64.self) ?? 0 }
        return ReceiptsStored(stored: Int(stored), duplicates: receipts.count - Int(stored))
    }

    public func receipts(_ query: ReceiptQuery) async throws(RunStoreError) -> [Receipt] {
        let run = try await requireRun()
        let batch = query.batch.map(Int32.init)
        let rows = try await session.rows("""
            SELECT biz_id, phone, out_id, batch, success, code, message, segments, send_time, report_time, received_at FROM salvo.receipts
            WHERE run = \(run) AND (\(batch)::int4 IS NULL OR batch = \(batch)::int4) ORDER BY id
            """)
        return try decode {
            try rows.map { row in
                let (biz, phone, outId, number, success, code, message, segments, send, report, received) =
                    try row.decode((String, String, String, Int32, Bool, String, String, Int32, String, String, Double).self)
                return Receipt(bizId: biz, phone: phone, outId: outId, batch: Int(number), success: success, code: code, message: message, segments: Int(segments),
                               sendTime: send, reportTime: report, receivedAt: received)
            }
        }
    }

    // MARK: - Starting over

    public func setAside(_ request: SetAsideRequest) async throws(RunStoreError) -> String {
        try await prepare()
        let rows = try await session.rows("UPDATE salvo.runs SET current = false, set_aside_at = \(request.at) WHERE campaign = \(campaign) AND current RETURNING id")
        state.withLock { $0.run = nil }
        guard let id = try decode({ try rows.first?.decode(Int64.self) }) else { throw RunStoreError(.io, "campaign '\(campaign)' has no run in \(database)") }
        return "run \(id) in \(database), set aside"
    }

    private func binds(_ values: any PostgresThrowingDynamicTypeEncodable...) -> PostgresBindings {
        var binds = PostgresBindings()
        for value in values { try? binds.append(value) }
        return binds
    }
}
