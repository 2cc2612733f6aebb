import AliyunSMS
import Foundation

/// The MNS endpoint: `/queues/<name>/messages`, GET (BatchReceiveMessage) and DELETE
/// (BatchDeleteMessage, or one `?ReceiptHandle=`), each signed with a token's secret and carrying
/// its `security-token`.
extension MNSQueueService {
    /// A request that passed the checks.
    struct Call {
        enum Kind {
            case receive(max: Int, wait: Int)
            case delete(handles: [String], batch: Bool)
        }

        var queue: String
        var kind: Kind
        var requestId: String
    }

    /// The answer to a request under `/queues/` that needs no waiting, or `.wait` for a long poll
    /// that found nothing yet; nil for any other path.
    func answerAtOnce(_ request: EmulatorRequest) -> Immediate? {
        guard Self.isQueuePath(request.uri) else { return nil }
        let call: Call
        switch prepare(request) {
        case .failure(let refused): return .answer(refused.reply)
        case .success(let prepared): call = prepared
        }
        switch call.kind {
        case .delete(let handles, let batch):
            return .answer(delete(handles, batch: batch, call: call, request: request))
        case .receive(let limit, let wait):
            let deliveries = take(call.queue, max: limit)
            if deliveries.isEmpty, wait > 0, !waiters.isClosed { return .wait }
            return .answer(received(deliveries, call: call, request: request))
        }
    }

    /// The answer to a request under `/queues/`, waiting up to its `waitseconds` for a message;
    /// nil for any other path.
    func answerWaiting(_ request: EmulatorRequest) async -> EmulatorReply? {
        guard Self.isQueuePath(request.uri) else { return nil }
        let call: Call
        switch prepare(request) {
        case .failure(let refused): return refused.reply
        case .success(let prepared): call = prepared
        }
        guard case .receive(let limit, let wait) = call.kind else { return answerAtOnceReply(request) }
        let deadline = ContinuousClock.now + .seconds(wait)
        while true {
            let generation = waiters.generation(of: call.queue)
            let deliveries = take(call.queue, max: limit)
            let now = ContinuousClock.now
            guard deliveries.isEmpty, now < deadline, !waiters.isClosed else { return received(deliveries, call: call, request: request) }
            var pause = deadline - now
            if let next = state.withLock({ $0.queues[call.queue]?.nextVisibility }) {
                let until = Duration.milliseconds(Int64((next.timeIntervalSince(configuration.now()) * 1000).rounded(.up)) + 1)
                pause = min(pause, max(until, .milliseconds(1)))
            }
            await waiters.wait(queue: call.queue, generation: generation, for: pause)
        }
    }

    private func answerAtOnceReply(_ request: EmulatorRequest) -> EmulatorReply? {
        if case .answer(let reply) = answerAtOnce(request) { return reply }
        return nil
    }

    static func isQueuePath(_ uri: String) -> Bool {
        uri.hasPrefix("/queues/") || uri == "/queues"
    }

    // MARK: - Receiving and deleting

    /// Up to `max` visible messages of `queue`, the redeliveries counted.
    private func take(_ queue: String, max: Int) -> [ReceiptQueue.Delivery] {
        let now = configuration.now()
        let (deliveries, redelivered) = state.withLock { state in state.queues[queue]?.receive(max: max, now: now) ?? ([], 0) }
        if redelivered > 0 { record.countQueue(redelivered: redelivered) }
        return deliveries
    }

    /// `<Messages>`, or 404 `MessageNotExist` when there are none.
    private func received(_ deliveries: [ReceiptQueue.Delivery], call: Call, request: EmulatorRequest) -> EmulatorReply {
        guard !deliveries.isEmpty else { return Self.error(404, "MessageNotExist", "Message not exist.", request: request, requestId: call.requestId) }
        return Self.xml(200, MNSXML.messages(deliveries), requestId: call.requestId)
    }

    /// Deletes by handle: 204 when every one deleted a message, else `<Errors>` (404) listing
    /// those that did not (one handle in the query: its `<Error>`). The first
    /// `failDeletes` batches answer 500 and delete nothing.
    private func delete(_ handles: [String], batch: Bool, call: Call, request: EmulatorRequest) -> EmulatorReply {
        let failing = batch && state.withLock { state -> Bool in
            guard state.deletesToFail > 0 else { return false }
            state.deletesToFail -= 1
            return true
        }
        if failing { return Self.error(500, "InternalError", "The emulator fails this delete (--queue-fail-deletes).", request: request, requestId: call.requestId) }
        let now = configuration.now()
        let results = state.withLock { state in
            handles.map { handle in (handle, state.queues[call.queue]?.delete(handle: handle, now: now) ?? .failure(.init(code: "QueueNotExist", message: "The queue does not exist."))) }
        }
        var failures: [(handle: String, failure: ReceiptQueue.DeleteFailure)] = []
        var deleted: [QueuedMessage] = []
        for (handle, result) in results {
            switch result {
            case .success(let message): deleted.append(message)
            case .failure(let failure): failures.append((handle, failure))
            }
        }
        if !deleted.isEmpty {
            record.countQueue(deleted: deleted.count)
            if call.queue == QueueEmulation.reportQueueName { record.acknowledgeReports(deleted.compactMap(Self.receiptKey)) }
        }
        guard let first = failures.first else { return Self.xml(204, nil, requestId: call.requestId) }
        guard batch else {
            return Self.error(first.failure.code == "MessageNotExist" ? 404 : 400, first.failure.code, first.failure.message, request: request, requestId: call.requestId)
        }
        return Self.xml(404, MNSXML.errors(failures), requestId: call.requestId)
    }

    /// The BizId and number of a receipt message, to mark it acknowledged; nil for a body that is
    /// not a receipt.
    private static func receiptKey(_ message: QueuedMessage) -> (bizId: String, phone: String)? {
        guard let data = Data(base64Encoded: message.body), let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let bizId = object["biz_id"] as? String, let phone = object["phone_number"] as? String else { return nil }
        return (bizId, phone)
    }
}
