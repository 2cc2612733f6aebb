import AsyncHTTPClient
import Foundation
import NIOCore
import Synchronization

/// Pushes receipts for what the emulator accepted. Each receipt's outcome is decided when the
/// send is accepted and recorded (`EmulatorRecord.reports`), so that a test can compare what a
/// receiver stored with what was pushed. Stopped (`stop`), it finishes the pushes in flight and
/// keeps those not made yet in a durable record, where the next pusher on it takes them.
public final class ReportPusher: Sendable {
    private let plan: ReportPlan
    private let record: EmulatorRecord
    private let client: HTTPClient
    private let queue = Mutex<[Pending]>([])
    private let task = Mutex<Task<Void, Never>?>(nil)
    private let stopping = Atomic<Bool>(false)
    /// Pushes taken from the record when started: left by an emulator that stopped.
    public let resumed: Int

    private struct Pending: Sendable {
        var due: ContinuousClock.Instant
        var url: String
        var receipts: [[String: String]]
        /// Pushes already made of this array (0: never pushed).
        var attempts: Int
    }

    /// A pusher for `plan`, recording outcomes in `record`.
    public init(plan: ReportPlan, record: EmulatorRecord) {
        self.plan = plan
        self.record = record
        client = HTTPClient(eventLoopGroupProvider: .singleton)
        let now = ContinuousClock.now
        let kept: [Pending] = record.takePendingPushes().compactMap { push in
            guard let data = push.body.data(using: .utf8), let receipts = try? JSONDecoder().decode([[String: String]].self, from: data) else { return nil }
            return Pending(due: now, url: push.route == "sms-up" ? plan.replyURL : plan.url, receipts: receipts, attempts: push.attempts)
        }
        resumed = kept.count
        queue.withLock { $0 = kept }
        let started = Task { [weak self] in
            while !Task.isCancelled {
                guard let self, !self.stopping.load(ordering: .relaxed) else { return }
                await self.pushDue()
                try? await Task.sleep(for: .milliseconds(20))
            }
        }
        task.withLock { $0 = started }
    }

    /// Stops pushing at once; what is queued is dropped.
    public func shutdown() async {
        stopping.store(true, ordering: .relaxed)
        task.withLock { $0?.cancel() }
        try? await client.shutdown()
    }

    /// Stops pushing: the pushes in flight finish (each within its timeout), and those not made
    /// yet are kept in the record when it is durable. Returns how many were not made.
    public func stop() async -> Int {
        stopping.store(true, ordering: .relaxed)
        await task.withLock { $0 }?.value
        let left = queue.withLock { queue in
            defer { queue.removeAll() }
            return queue
        }
        if record.isDurable, !left.isEmpty {
            record.keepPendingPushes(left.map { pending in
                let body = (try? JSONEncoder().encode(pending.receipts)).map { String(decoding: $0, as: UTF8.self) } ?? "[]"
                return PendingPush(route: pending.url == plan.url ? "sms-report" : "sms-up", body: body, attempts: pending.attempts)
            })
        }
        try? await client.shutdown()
        return left.count
    }

    /// Decides the receipts of accepted messages, records them and queues them.
    public func accepted(_ messages: [RecordedMessage]) {
        let reports = plan.reports(for: messages)
        reports.record(in: record)
        push(reports)
    }

    /// Queues decided receipts (in arrays, the repeated ones again later in arrays of their own)
    /// and replies for pushing.
    func push(_ reports: CarrierReports) {
        let due = ContinuousClock.now + plan.delay
        var arrays: [Pending] = []
        let size = max(plan.arraySize, 1)
        for start in stride(from: 0, to: reports.receipts.count, by: size) {
            let range = start..<min(start + size, reports.receipts.count)
            arrays.append(Pending(due: due, url: plan.url, receipts: Array(reports.receipts[range]), attempts: 0))
            // Some receipts arrive twice, later, in an array of their own.
            let repeated = range.filter { reports.repeated[$0] }.map { reports.receipts[$0] }
            if !repeated.isEmpty { arrays.append(Pending(due: due + plan.delay, url: plan.url, receipts: repeated, attempts: 0)) }
        }
        if !reports.replies.isEmpty { arrays.append(Pending(due: due, url: plan.replyURL, receipts: reports.replies, attempts: 0)) }
        queue.withLock { $0 += arrays }
    }

    /// A number in [0, 1) from a text, the same on every run with the same seed.
    static func unit(_ text: String, seed: UInt64) -> Double {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325 ^ seed
        for byte in text.utf8 { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        hash ^= hash >> 33
        hash = hash &* 0xFF51_AFD7_ED55_8CCD
        hash ^= hash >> 33
        return Double(hash >> 11) / Double(1 << 53)
    }

    private func pushDue() async {
        let now = ContinuousClock.now
        let due = queue.withLock { queue -> [Pending] in
            let ready = queue.filter { $0.due <= now }
            queue.removeAll { $0.due <= now }
            return ready
        }
        await withTaskGroup(of: Void.self) { group in
            for pending in due.prefix(16) {
                group.addTask { await self.push(pending) }
            }
            // More than 16 at once wait for the next round.
            if due.count > 16 { queue.withLock { $0 += due.dropFirst(16) } }
        }
    }

    private func push(_ pending: Pending) async {
        var acknowledged = false
        do {
            let objects: [[String: Any]] = pending.receipts.map { receipt in
                var object: [String: Any] = receipt
                if let success = receipt["success"] { object["success"] = success == "true" }
                return object
            }
            let body = try JSONSerialization.data(withJSONObject: objects)
            var request = HTTPClientRequest(url: pending.url)
            request.method = .POST
            request.headers.add(name: "content-type", value: "application/json; charset=utf-8")
            request.body = .bytes(ByteBuffer(bytes: body))
            let response = try await client.execute(request, timeout: .milliseconds(700))
            let answer = try await response.body.collect(upTo: 1 << 16)
            if response.status == .ok, let object = try? JSONSerialization.jsonObject(with: Data(answer.readableBytesView)) as? [String: Any],
               (object["code"] as? NSNumber)?.intValue == 0 {
                acknowledged = true
            }
        } catch {
            acknowledged = false
        }
        record.recordPush(receipts: pending.receipts.count, acknowledged: acknowledged)
        if acknowledged {
            // Replies are counted when decided; receipts are marked as they are acknowledged.
            if pending.url == plan.url { record.acknowledgeReports(pending.receipts.map { ($0["biz_id"] ?? "", $0["phone_number"] ?? "") }) }
            return
        }
        // Alibaba Cloud tries again after 1, 5 and 10 minutes, then gives up.
        let schedule: [Double] = [60, 300, 600]
        guard pending.attempts < schedule.count else { return }
        var retry = pending
        retry.due = ContinuousClock.now + .milliseconds(Int64(schedule[pending.attempts] * plan.retryScale * 1000))
        retry.attempts += 1
        queue.withLock { $0.append(retry) }
    }
}
