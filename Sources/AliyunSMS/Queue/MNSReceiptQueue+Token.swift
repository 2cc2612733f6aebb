import Foundation

extension MNSReceiptQueue {
    /// The token to sign with, and its generation (how many tokens had been fetched with it):
    /// the one in hand unless it needs renewal (or is generation `stale`, refused by MNS), else
    /// a new one. One renewal at a time: callers arriving meanwhile wait for the same one.
    func validToken(replacing stale: Int? = nil) async throws(QueueError) -> (token: MNSQueueToken, generation: Int) {
        if let token, stale != fetched, !token.needsRenewal(at: now()) { return (token, fetched) }
        let task: Task<(MNSQueueToken, Int), any Error>
        if let renewal {
            task = renewal
        } else {
            task = Task { [self] in try await renewed() }
            renewal = task
        }
        do {
            return try await task.value
        } catch let error as QueueError {
            throw error
        } catch {
            throw QueueError(.unavailable, "QueryTokenForMnsQueue for queue '\(queueName)' failed: \(error)", cause: error)
        }
    }

    /// Fetches a token and makes it the one in hand (on the actor, before any waiter resumes).
    private func renewed() async throws(QueueError) -> (MNSQueueToken, Int) {
        defer { renewal = nil }
        let fresh = try await Self.fetchToken(kind: kind, queueName: queueName, dybase: dybase)
        token = fresh
        fetched += 1
        return (fresh, fetched)
    }

    /// QueryTokenForMnsQueue through `dybase`: the token when `Code` is `OK`; else refused or
    /// unavailable as the failure's class says (fatal: refused; backoff, ambiguous: unavailable).
    static func fetchToken(kind: ReceiptQueueKind, queueName: String, dybase: SMSClient) async throws(QueueError) -> MNSQueueToken {
        let what = "QueryTokenForMnsQueue for queue '\(queueName)' (\(kind.rawValue))"
        let operation: SMSOperation
        do { operation = try SMSOperation.queryTokenForMnsQueue(kind: kind, queueName: queueName) } catch {
            throw QueueError(.refused, "\(what) cannot be asked: \(error.message)", cause: error)
        }
        let response: HTTPResponse
        do { response = try await dybase.call(operation) } catch {
            throw QueueError(code(of: error), "\(what) failed: \(error)", providerCode: error.code, cause: error)
        }
        guard let object = try? JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any],
              let answer = SMSResponse(json: response.body) else {
            let failure = SMSClient.unreadable(response, isSend: false)
            throw QueueError(code(of: failure), "\(what) failed: \(failure)", providerCode: failure.code, cause: failure)
        }
        guard answer.isOK else {
            let failure = SMSClient.failure(answer, response: response, isSend: false)
            throw QueueError(code(of: failure), "\(what) was refused: \(failure)", providerCode: failure.code, cause: failure)
        }
        guard let token = MNSQueueToken(answer: object) else {
            throw QueueError(.malformed, "\(what) answered OK without a complete MessageTokenDTO (AccessKeyId, AccessKeySecret, SecurityToken, ExpireTime 'yyyy-MM-dd HH:mm:ss')")
        }
        return token
    }

    /// A token failure's kind: refused when the class says stop, unavailable otherwise.
    private static func code(of failure: SMSFailure) -> QueueError.Code {
        switch failure.errorClass {
        case .fatal, .recipient: .refused
        case .backoff, .later, .ambiguous: .unavailable
        }
    }
}
