import AliyunSMS
import Foundation

/// Asks the provider whether a request whose answer was lost was accepted: QuerySendDetails for
/// one of its numbers on the attempt's China date (and the neighbouring date when the attempt was
/// within ten minutes of midnight), matching the request's OutId.
public struct Reconciler: Sendable {
    let client: SMSClient

    /// A reconciler asking through `client`.
    public init(client: SMSClient) {
        self.client = client
    }

    /// The delivery receipt of the message with `outId` to `phone`, sent at `attemptAt`: the
    /// provider's record, or nil when it has none (or could not be asked).
    public func receipt(outId: String, phone: String, attemptAt: Double) async -> SendDetail? {
        if case .found(let detail) = await record(outId: outId, phone: phone, dates: Self.dates(around: attemptAt)) { return detail }
        return nil
    }

    /// What the provider's records say of a request.
    public enum Finding: Sendable, Equatable {
        /// It has the request (its BizId when known).
        case found(bizId: String?)
        /// It has no record of it.
        case notFound
        /// It could not be asked.
        case unknown
    }

    /// Whether the provider has the request with `outId` to `phone`, sent on any China date from
    /// `days` days before `now` up to `now`: asked before a plan's first send, so that a plan
    /// sent from a state that is gone is not sent again. A refusal of the access key itself
    /// (`CredentialRefusal.codes`) ends the asking at once and is the failure; a provider that
    /// could not be reached at all for one date (three tries) is not asked about the others.
    public func probe(outId: String, phone: String, days: Int, now: Double) async -> Result<Finding, SMSFailure> {
        var sawUnknown = false
        for back in 0...max(days, 0) {
            let date = Self.date(now + 8 * 3600 - Double(back) * 86_400)
            var lookup = Lookup.unknown
            for attempt in 0..<3 {
                if Task.isCancelled { return .success(.unknown) }
                if attempt > 0 { try? await Task.sleep(for: .milliseconds(200 * attempt)) }
                lookup = await record(outId: outId, phone: phone, dates: [date])
                if lookup.isAnswer { break }
            }
            switch lookup {
            case .found: return .success(.found(bizId: nil))
            case .refused(let failure): return .failure(failure)
            case .unreachable: return .success(.unknown)
            case .unknown: sawUnknown = true
            case .notFound: break
            }
        }
        return .success(sawUnknown ? .unknown : .notFound)
    }

    /// Whether the provider has the request with `outId` to `phone`, sent at `attemptAt`.
    public func find(outId: String, phone: String, attemptAt: Double) async -> Finding {
        (try? await findOrRefusal(outId: outId, phone: phone, attemptAt: attemptAt).get()) ?? .unknown
    }

    /// `find`, with a refusal of the access key itself as the failure instead of `.unknown`.
    public func findOrRefusal(outId: String, phone: String, attemptAt: Double) async -> Result<Finding, SMSFailure> {
        switch await record(outId: outId, phone: phone, dates: Self.dates(around: attemptAt)) {
        case .found: .success(.found(bizId: nil))
        case .notFound: .success(.notFound)
        case .unknown, .unreachable: .success(.unknown)
        case .refused(let failure): .failure(failure)
        }
    }

    /// What the provider's records hold of a request.
    private enum Lookup {
        case found(SendDetail)
        case notFound
        case unknown
        /// The provider refused the access key (`CredentialRefusal.codes`).
        case refused(SMSFailure)
        /// No request reached the provider (no connection).
        case unreachable

        /// Whether the provider answered (asking again would tell nothing new).
        var isAnswer: Bool {
            switch self {
            case .found, .notFound, .refused: true
            case .unknown, .unreachable: false
            }
        }
    }

    /// The provider's record of the message with `outId` to `phone` on any of `dates`: the one
    /// paging loop over QuerySendDetails that receipts and reconciliation share.
    private func record(outId: String, phone: String, dates: [String]) async -> Lookup {
        for date in dates {
            var page = 1
            while page <= 20 {
                let response: QuerySendDetailsResponse
                do {
                    response = try await client.querySendDetails(try SMSOperation.querySendDetails(phoneNumber: phone, sendDate: date, pageSize: 50, currentPage: page))
                } catch let failure as SMSFailure where CredentialRefusal.codes.contains(failure.code) {
                    return .refused(failure)
                } catch let failure as SMSFailure where failure.notSent {
                    return .unreachable
                } catch {
                    return .unknown
                }
                if let detail = response.details.first(where: { $0.outId == outId }) { return .found(detail) }
                if response.details.count < 50 || page * 50 >= response.totalCount { break }
                page += 1
            }
        }
        return .notFound
    }

    /// `yyyyMMdd` in China time of the attempt, and of the other side of midnight when it was near.
    static func dates(around time: Double) -> [String] {
        let china = time + 8 * 3600
        let secondsIntoDay = china.truncatingRemainder(dividingBy: 86_400)
        var dates = [date(china)]
        if secondsIntoDay < 600 { dates.append(date(china - 86_400)) }
        if secondsIntoDay > 86_400 - 600 { dates.append(date(china + 86_400)) }
        return dates
    }

    private static func date(_ shifted: Double) -> String {
        String(AliyunTime.timestamp(Date(timeIntervalSince1970: shifted)).prefix(10).filter { $0 != "-" })
    }
}
