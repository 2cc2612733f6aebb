import CampaignCompiler
import CampaignRunner
import Foundation
import PostgresNIO

/// Runners sharing a run: claims, leases, the shared pace. Times in the `runners` table and the
/// pace are the database's clock (one clock for every machine); a runner's own times (a batch's
/// attempt, `not_before`) are its clock, and slots come back converted to it.
extension PostgresRunStore {
    public func join(_ runner: RunnerInfo) async throws(RunStoreError) {
        let run = try await requireRun()
        _ = try await session.rows("""
            WITH clock AS (SELECT extract(epoch FROM clock_timestamp())::float8 AS t)
            INSERT INTO salvo.runners (id, run, host, pid, started_at, heartbeat_at, lease_until)
            SELECT \(runnerID), \(run), \(runner.host), \(Int32(clamping: runner.pid)), t, t, t + \(leaseSeconds) FROM clock
            ON CONFLICT (id) DO UPDATE SET run = excluded.run, heartbeat_at = excluded.heartbeat_at, lease_until = excluded.lease_until, left_at = NULL
            """)
    }

    public func heartbeat(_ beat: Heartbeat) async throws(RunStoreError) {
        let rows = try await session.rows("""
            UPDATE salvo.runners SET heartbeat_at = extract(epoch FROM clock_timestamp())::float8,
                lease_until = extract(epoch FROM clock_timestamp())::float8 + \(leaseSeconds), in_flight = \(Int32(clamping: beat.inFlight))
            WHERE id = \(runnerID) RETURNING 1
            """)
        guard !rows.isEmpty else { throw RunStoreError(.taken, "this runner is no longer registered in \(database)") }
    }

    public func leave() async {
        // Its lease ends now: what it holds unsettled can be taken over at once.
        _ = try? await session.rows("""
            UPDATE salvo.runners SET left_at = extract(epoch FROM clock_timestamp())::float8, lease_until = extract(epoch FROM clock_timestamp())::float8, in_flight = 0
            WHERE id = \(runnerID)
            """)
        await close()
    }

    public func runners() async throws(RunStoreError) -> [RunnerRecord] {
        guard let run = try await runID() else { return [] }
        let rows = try await session.rows("""
            WITH clock AS (SELECT extract(epoch FROM clock_timestamp())::float8 AS t)
            SELECT r.id, r.host, r.pid, r.started_at, r.heartbeat_at, r.lease_until >= (SELECT t FROM clock), r.in_flight,
                   (SELECT count(*) FROM salvo.batches b WHERE b.run = r.run AND b.owner = r.id AND b.state IN ('sending', 'uncertain'))
            FROM salvo.runners r
            WHERE r.run = \(run) AND r.left_at IS NULL
            ORDER BY 6 DESC, r.started_at
            """)
        return rows.compactMap { row in
            guard let (id, host, pid, started, beat, live, inFlight, holding) = try? row.decode((String, String, Int32, Double, Double, Bool, Int32, Int64).self) else { return nil }
            return RunnerRecord(id: id, host: host, pid: Int(pid), startedAt: started, heartbeatAt: beat, live: live, inFlight: Int(inFlight), holding: Int(holding))
        }
    }

    /// One statement: renews the lease; claims up to `limit` waiting batches (skipping those
    /// another claim has locked) and marks them `sending` for this runner; takes over the
    /// unsettled batches of runners whose lease ran out; books the claimed messages' slots on the
    /// shared pace (moved by this runner's rate: down at once, up once it has held two seconds);
    /// and returns the other batches that changed since `since`.
    public func claim(_ request: ClaimRequest) async throws(RunStoreError) -> Claim {
        let run = try await requireRun()
        var binds = PostgresBindings()
        let pausedFor = request.pausedUntil.map { max($0 - request.now, 0) } ?? 0
        binds.append(run)
        binds.append(runnerID)
        binds.append(max(request.limit, 0))
        binds.append(request.now)
        binds.append(request.since)
        binds.append(request.rate.isFinite ? max(request.rate, 0.001) : 1_000_000)
        binds.append(request.reason)
        binds.append(pausedFor)
        binds.append(leaseSeconds)
        let columns = Self.batchColumns.split(separator: ",").map { "x." + $0.trimmingCharacters(in: .whitespaces) }.joined(separator: ", ")
        let newRate = "(CASE WHEN r.pace_rate IS NULL OR $6 < r.pace_rate OR r.pace_changed < (SELECT t FROM clock) - 2 THEN $6 ELSE r.pace_rate END)"
        let sql = """
            WITH clock AS (SELECT extract(epoch FROM clock_timestamp())::float8 AS t),
                 beat AS (UPDATE salvo.runners SET heartbeat_at = (SELECT t FROM clock), lease_until = (SELECT t FROM clock) + $9 WHERE id = $2 RETURNING 1),
                 live AS (SELECT id FROM salvo.runners WHERE run = $1 AND left_at IS NULL AND lease_until >= (SELECT t FROM clock)),
                 picked AS (SELECT batch, recipients FROM salvo.batches
                            WHERE run = $1 AND state IN ('pending', 'deferred') AND coalesce(not_before, 0) <= $4
                            ORDER BY batch LIMIT $3 FOR UPDATE SKIP LOCKED),
                 taken AS (UPDATE salvo.batches b SET state = 'sending', attempts = b.attempts + 1, attempt_at = $4, owner = $2, changed = nextval('salvo.changes')
                           FROM picked WHERE b.run = $1 AND b.batch = picked.batch RETURNING b.*),
                 orphans AS (SELECT batch FROM salvo.batches
                             WHERE run = $1 AND state IN ('sending', 'uncertain') AND owner IS DISTINCT FROM $2
                               AND (owner IS NULL OR owner NOT IN (SELECT id FROM live))
                             ORDER BY batch LIMIT 200 FOR UPDATE SKIP LOCKED),
                 adopted AS (UPDATE salvo.batches b SET owner = $2, changed = nextval('salvo.changes')
                             FROM orphans WHERE b.run = $1 AND b.batch = orphans.batch RETURNING b.*),
                 pace AS (UPDATE salvo.runs r SET
                              pace_rate = \(newRate),
                              pace_reason = CASE WHEN \(newRate) <> coalesce(r.pace_rate, -1) THEN $7 ELSE r.pace_reason END,
                              pace_changed = CASE WHEN \(newRate) <> coalesce(r.pace_rate, -1) THEN (SELECT t FROM clock) ELSE r.pace_changed END,
                              paused_until = CASE WHEN $8 > 0 THEN greatest(coalesce(r.paused_until, 0), (SELECT t FROM clock) + $8) ELSE r.paused_until END,
                              pace_next = greatest(r.pace_next, (SELECT t FROM clock), coalesce(r.paused_until, 0), CASE WHEN $8 > 0 THEN (SELECT t FROM clock) + $8 ELSE 0 END)
                                  + (SELECT coalesce(sum(recipients), 0) FROM picked) / \(newRate)
                          WHERE r.id = $1
                          RETURNING greatest(r.pace_next - (SELECT coalesce(sum(recipients), 0) FROM picked) / r.pace_rate, 0) AS slot,
                                    r.pace_rate AS rate, r.pace_reason AS reason, r.paused_until AS paused_until),
                 rows AS (SELECT 'taken' AS kind, t.*, l.line FROM taken t LEFT JOIN salvo.plan_lines l ON l.run = $1 AND l.batch = t.batch
                          UNION ALL SELECT 'adopted', a.*, NULL FROM adopted a
                          UNION ALL SELECT 'changed', c.*, NULL FROM salvo.batches c
                              WHERE c.run = $1 AND c.changed > $5 AND c.batch NOT IN (SELECT batch FROM picked) AND c.batch NOT IN (SELECT batch FROM orphans))
            SELECT p.slot, p.rate, p.reason, p.paused_until, (SELECT t FROM clock), (SELECT count(*) FROM live WHERE id <> $2), (SELECT count(*) FROM beat),
                   x.kind, \(columns), x.changed, x.line
            FROM pace p LEFT JOIN rows x ON true
            ORDER BY x.batch
            """
        let rows = try await session.rows(PostgresQuery(unsafeSQL: sql, binds: binds))
        guard let first = rows.first else { throw RunStoreError(.io, "campaign '\(campaign)' has no run in \(database)") }
        return try decodeClaim(rows, first: first, request: request)
    }

    private func decodeClaim(_ rows: [PostgresRow], first: PostgresRow, request: ClaimRequest) throws(RunStoreError) -> Claim {
        do {
            let head = first.makeRandomAccess()
            let slotStart = try head[0].decode(Double.self)
            let rate = try head[1].decode(Double.self)
            let reason = try head[2].decode(String?.self)
            let pausedUntil = try head[3].decode(Double?.self)
            let clock = try head[4].decode(Double.self)
            let others = try head[5].decode(Int64.self)
            let registered = try head[6].decode(Int64.self)
            guard registered == 1 else { throw RunStoreError(.taken, "this runner is no longer registered in \(database)") }
            // The database's clock to the runner's.
            let offset = request.now - clock
            var taken: [(record: BatchRecord, plan: PlanBatch, slot: Double)] = []
            var adopted: [BatchRecord] = []
            var changed: [BatchRecord] = []
            var version = request.since
            var booked = 0
            for row in rows {
                let cells = row.makeRandomAccess()
                guard let kind = try cells[7].decode(String?.self) else { continue }
                let record = try Self.batch(row, from: 8)
                version = max(version, try cells[22].decode(Int64.self))
                switch kind {
                case "taken":
                    guard let line = try cells[23].decode(ByteBuffer?.self), let plan = PlanLineParser.batch(line.readableBytesView), plan.batch == record.batch else {
                        throw RunStoreError(.damaged, "batch \(record.batch) of the plan in \(location) is damaged")
                    }
                    taken.append((record, plan, slotStart + offset + Double(booked) / rate))
                    booked += record.recipients
                case "adopted": adopted.append(record)
                default: changed.append(record)
                }
            }
            let paused = pausedUntil.flatMap { $0 + offset > request.now ? $0 + offset : nil }
            let reasonNow = rate < request.rate ? (reason ?? FlowControl.Reason.providerThrottling.rawValue) : reason
            return Claim(taken: taken, adopted: adopted, changed: changed, version: version, complete: request.since == 0,
                         pace: SharedPace(rate: rate, reason: reasonNow, pausedUntil: paused), otherRunners: Int(others))
        } catch let error as RunStoreError {
            throw error
        } catch {
            throw RunStoreError(.damaged, "a claim in \(database) came back in a form this salvo cannot read: \(String(describing: error).prefix(200))")
        }
    }
}
