#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CampaignCompiler
import Foundation
import Synchronization

/// What Alibaba Cloud pushes to the receiving address: delivery receipts (`/sms-report`) and
/// replies (`/sms-up`), each a JSON array. A receipt goes to the run store of the campaign its
/// OutId (`CAMPAIGN:PLAN:BATCH`) names; one that names no known campaign or plan is kept in the
/// state folder's ledger as unmatched (and answered like the others, so that it is not pushed
/// again forever). Replies go to the ledger. Every push is answered `{"code":0}` only after what
/// it holds is on disk; a malformed push gets a 4xx and stores nothing; a storage failure a 5xx
/// (Alibaba Cloud then pushes it again after 1, 5 and 10 minutes).
///
/// Alibaba Cloud signs nothing it pushes: with a token, only `/TOKEN/sms-report` and
/// `/TOKEN/sms-up` exist, and every other path is 404.
public final class ReceiptsReceiver: Sendable {
    /// An answer: HTTP status and JSON body.
    public struct Reply: Sendable, Equatable {
        public var status: Int
        public var body: String
        /// A line for the receiver's log: what the push held and what became of it (no numbers).
        public var note: String?
    }

    /// The largest push taken (Alibaba Cloud's arrays are far smaller); a larger one is 413.
    public static let bodyLimit = 8 << 20
    static let accepted = Reply(status: 200, body: "{\"code\":0,\"msg\":\"接收成功\"}")

    private let stateFolder: String
    private let token: String?
    private let stores: Mutex<[String: CampaignStore]> = Mutex([:])
    private let clock: @Sendable () -> Double
    private let storeFor: @Sendable (String) -> (any RunStore)?
    /// The ledger of unmatched receipts and of replies.
    public let ledger: ReceiptsLedger

    /// A campaign's store and the plan its run sends.
    private struct CampaignStore: @unchecked Sendable {
        var store: any RunStore
        var planId: String
        var batches: Set<Int>
        /// The state file's identity when read (nil for a store that is not a file): a reset moves
        /// the state aside, and a new run starts another file.
        var file: FileIdentity?
    }

    /// Device and inode of a file.
    struct FileIdentity: Equatable {
        var device: UInt64
        var inode: UInt64

        init?(path: String) {
            var info = stat()
            guard stat(path, &info) == 0 else { return nil }
            device = UInt64(info.st_dev)
            inode = UInt64(info.st_ino)
        }
    }

    private func stateFile(_ campaign: String) -> String { stateFolder + "/" + campaign + "/state.db" }

    /// A receiver for the campaigns under `stateFolder`; `storeFor` gives a campaign's run store
    /// (by default its SQLite store in the state folder, when it has one).
    public init(stateFolder: String, token: String?, clock: @escaping @Sendable () -> Double = { Date().timeIntervalSince1970 },
                storeFor: (@Sendable (String) -> (any RunStore)?)? = nil) {
        self.stateFolder = stateFolder
        self.token = token.flatMap { $0.isEmpty ? nil : $0 }
        self.clock = clock
        self.storeFor = storeFor ?? { campaign in
            let folder = stateFolder + "/" + campaign
            return FileManager.default.fileExists(atPath: folder + "/state.db") ? SQLiteRunStore(folder: folder) : nil
        }
        ledger = ReceiptsLedger.of(stateFolder: stateFolder)
    }

    /// Answers one request.
    public func handle(method: String, path: String, body: [UInt8]) async -> Reply {
        let route = path.split(separator: "?", maxSplits: 1).first.map(String.init) ?? path
        let prefix = token.map { "/" + $0 } ?? ""
        let kind: String
        switch route {
        case prefix + "/sms-report": kind = "report"
        case prefix + "/sms-up": kind = "up"
        default: return Reply(status: 404, body: "{\"code\":404,\"msg\":\"not found\"}")
        }
        guard method == "POST" else { return Reply(status: 405, body: "{\"code\":405,\"msg\":\"POST only\"}") }
        guard body.count <= Self.bodyLimit else { return Reply(status: 413, body: "{\"code\":413,\"msg\":\"body too large\"}") }
        let elements: [[String: Any]]
        do {
            elements = try Self.array(body)
        } catch {
            return Reply(status: 400, body: Self.error(400, error.description))
        }
        do {
            var reply = Self.accepted
            if kind == "report" {
                reply.note = try await store(try elements.map(Self.receipt))
            } else {
                let replies = try elements.map(Self.reply)
                let (stored, unsubscribes) = try ledger.storeReplies(replies, at: clock())
                reply.note = "replies: \(replies.count) (\(stored) new, \(unsubscribes) to unsubscribe)"
            }
            return reply
        } catch let error as PushError {
            return Reply(status: 400, body: Self.error(400, error.description))
        } catch {
            return Reply(status: 500, body: Self.error(500, "not stored: \(error)"))
        }
    }

    private static func error(_ code: Int, _ message: String) -> String {
        let data = (try? JSONSerialization.data(withJSONObject: ["code": code, "msg": message], options: [.sortedKeys])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }

    /// A malformed push.
    struct PushError: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    static func array(_ body: [UInt8]) throws(PushError) -> [[String: Any]] {
        guard let value = try? JSONSerialization.jsonObject(with: Data(body)) else { throw PushError("the body is not JSON") }
        guard let array = value as? [Any] else { throw PushError("the body is not a JSON array") }
        return try array.enumerated().map { (index, element) throws(PushError) -> [String: Any] in
            guard let object = element as? [String: Any] else { throw PushError("element \(index) is not an object") }
            return object
        }
    }

    /// A field that must be text; Alibaba Cloud's documents disagree on some types, so a number is
    /// taken as its digits.
    static func text(_ object: [String: Any], _ key: String, required: Bool = true) throws(PushError) -> String {
        switch object[key] {
        case let value as String: return value
        case let value as NSNumber where !isBoolean(value): return value.stringValue
        case nil where !required: return ""
        case nil: throw PushError("'\(key)' is missing")
        default: throw PushError("'\(key)' is not text")
        }
    }

    /// Whether a decoded JSON number was written `true` or `false` (Foundation gives both as
    /// NSNumber; booleans are its boolean subclass).
    static func isBoolean(_ value: NSNumber) -> Bool {
        String(describing: type(of: value)).hasSuffix("Boolean")
    }

    /// A receipt as pushed, not yet matched to a batch (0) nor stored (`receivedAt` 0).
    static func receipt(_ object: [String: Any]) throws(PushError) -> Receipt {
        let success: Bool
        switch object["success"] {
        case let value as NSNumber where isBoolean(value) || value.intValue == 0 || value.intValue == 1: success = value.boolValue
        case let value as String where value == "true" || value == "false": success = value == "true"
        default: throw PushError("'success' is not true or false")
        }
        let size = try text(object, "sms_size", required: false)
        guard size.isEmpty || Int(size) != nil else { throw PushError("'sms_size' is not a number") }
        let phone = try text(object, "phone_number")
        guard !phone.isEmpty, phone.count <= 32 else { throw PushError("'phone_number' is empty or too long") }
        return Receipt(bizId: try text(object, "biz_id"), phone: phone, outId: try text(object, "out_id", required: false), batch: 0, success: success,
                       code: try text(object, "err_code", required: false), message: try text(object, "err_msg", required: false),
                       segments: Int(size) ?? 1, sendTime: try text(object, "send_time", required: false),
                       reportTime: try text(object, "report_time", required: false), receivedAt: 0)
    }

    static func reply(_ object: [String: Any]) throws(PushError) -> PushedReply {
        let phone = try text(object, "phone_number")
        guard !phone.isEmpty else { throw PushError("'phone_number' is empty") }
        return PushedReply(phone: phone, content: try text(object, "content"), sendTime: try text(object, "send_time", required: false),
                      destCode: try text(object, "dest_code", required: false), sequenceId: try text(object, "sequence_id", required: false),
                      signName: try text(object, "sign_name", required: false))
    }

    /// Stores receipts: each campaign's in its store, the rest in the ledger; says what it did.
    private func store(_ receipts: [Receipt]) async throws -> String {
        var byCampaign: [String: [Receipt]] = [:]
        var unmatched: [Receipt] = []
        let now = clock()
        var checked: Set<String> = []
        for pushed in receipts {
            guard let (campaign, batch) = await match(pushed, checked: &checked) else {
                unmatched.append(pushed)
                continue
            }
            var matched = pushed
            matched.batch = batch
            matched.receivedAt = now
            // The number as the plan writes it, however the push wrote it (`+86…`, `86…`).
            matched.phone = (try? PhoneNumber.parse(pushed.phone).get())?.digits ?? pushed.phone
            byCampaign[campaign, default: []].append(matched)
        }
        var parts: [String] = []
        for (campaign, receipts) in byCampaign.sorted(by: { $0.key < $1.key }) {
            guard let known = stores.withLock({ $0[campaign] }) else { continue }
            let result = try await known.store.storeReceipts(ReceiptBatch(receipts: receipts))
            parts.append("\(campaign): \(result.stored) new, \(result.duplicates) repeated")
        }
        if !unmatched.isEmpty {
            let stored = try ledger.storeUnmatched(unmatched, at: now)
            parts.append("unmatched: \(unmatched.count) (\(stored) new; kept in the ledger)")
        }
        return "receipts: \(receipts.count) (" + parts.joined(separator: "; ") + ")"
    }

    /// The campaign and batch a receipt's OutId names, when the campaign's run sends that plan.
    private func match(_ receipt: Receipt, checked: inout Set<String>) async -> (String, Int)? {
        let parts = receipt.outId.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 3, let batch = Int(parts[2]), Self.isCampaignID(parts[0]) else { return nil }
        let campaign = parts[0], plan = parts[1]
        // Each campaign's state is looked at once a push: read when unknown, when its file was
        // replaced (a reset, a new run) or when the push names another plan.
        var known = stores.withLock { $0[campaign] }
        if !checked.contains(campaign) {
            checked.insert(campaign)
            if known == nil || known?.planId != plan || (known?.file != nil && known?.file != FileIdentity(path: stateFile(campaign))) {
                known = await load(campaign)
            }
        }
        guard let known, known.planId == plan, known.batches.contains(batch) else { return nil }
        return (campaign, batch)
    }

    /// Reads a campaign's run from its store, and keeps what matching needs.
    private func load(_ campaign: String) async -> CampaignStore? {
        guard let store = storeFor(campaign), let run = try? await store.load() else {
            stores.withLock { $0[campaign] = nil }
            return nil
        }
        let entry = CampaignStore(store: store, planId: run.metadata.planID, batches: Set(run.batches.map(\.batch)),
                                  file: store is SQLiteRunStore ? FileIdentity(path: stateFile(campaign)) : nil)
        stores.withLock { $0[campaign] = entry }
        return entry
    }

    /// A campaign id as the campaign file allows it (so that an OutId never names a path).
    static func isCampaignID(_ text: String) -> Bool {
        !text.isEmpty && text.count <= 64 && text.utf8.allSatisfy { ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2D }
    }
}

/// A reply (SmsUp) as pushed.
public struct PushedReply: Sendable, Hashable {
    public var phone: String
    public var content: String
    public var sendTime: String
    public var destCode: String
    public var sequenceId: String
    public var signName: String
}
