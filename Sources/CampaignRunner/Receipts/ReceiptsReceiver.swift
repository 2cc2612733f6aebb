#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CampaignCompiler
import Foundation
import Synchronization

/// What Alibaba Cloud pushes to the receiving address: delivery receipts (`/sms-report`) and
/// replies (`/sms-up`), each a JSON array. A receipt counts only in the batch its OutId
/// (`CAMPAIGN:PLAN:BATCH`) names, and only when its number is one of that batch's recipients; any
/// other receipt is kept in the state folder's ledger as unmatched, with the reason (and answered
/// like the others, so that it is not pushed again forever). Replies go to the ledger. An element
/// that is not a well-formed receipt or reply (a field missing or of the wrong type, a control
/// character in a text) is kept in the ledger as malformed, and the rest of the push is stored.
/// Every push is answered `{"code":0}` only after what it holds is on disk; a body that is not a
/// JSON array gets 400 and stores nothing; a storage failure a 5xx (Alibaba Cloud then pushes it
/// again after 1, 5 and 10 minutes).
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
        /// What became of the push's elements, when it was stored.
        public var counts: PushCounts?
    }

    /// What became of the elements of one push (or of one batch pulled from the queue).
    public struct PushCounts: Sendable, Hashable {
        /// Elements in it.
        public var elements = 0
        /// Receipts stored for the first time.
        public var stored = 0
        /// Receipts already stored before (a push or a message delivered again).
        public var repeated = 0
        /// Receipts that count in no batch (kept in the ledger).
        public var unmatched = 0
        /// Elements that are no well-formed receipt or reply (kept in the ledger).
        public var malformed = 0
        /// Replies stored for the first time.
        public var replies = 0
        /// Of those, replies asking to unsubscribe.
        public var unsubscribes = 0

        /// No elements yet.
        public init() {}

        /// Adds `other`'s counts to these.
        public mutating func add(_ other: PushCounts) {
            elements += other.elements
            stored += other.stored
            repeated += other.repeated
            unmatched += other.unmatched
            malformed += other.malformed
            replies += other.replies
            unsubscribes += other.unsubscribes
        }
    }

    /// What a push holds.
    public enum Route: String, Sendable {
        /// Delivery receipts (SmsReport).
        case report = "sms-report"
        /// Replies (SmsUp).
        case up = "sms-up"
    }

    /// What to do with a request, judged from its head alone.
    public enum Routing: Sendable, Equatable {
        /// Read the body and hand it to `handle(_:body:)`.
        case serve(Route)
        /// Answer this without reading the body.
        case refuse(Reply)
    }

    /// The largest push taken (Alibaba Cloud's arrays are far smaller); a larger one is 413.
    public static let bodyLimit = 8 << 20
    /// Malformed elements kept from one push, at most (the rest are counted in the log).
    static let malformedLimit = 1000
    /// Elements parsed and stored together: what a large push holds in memory at once.
    static let chunkSize = 2000
    /// Bodies up to this size are decoded once, and stored together.
    static let singlePassBytes = 512 << 10
    static let accepted = Reply(status: 200, body: "{\"code\":0,\"msg\":\"接收成功\"}")
    /// The answer to a body over `bodyLimit`.
    public static let tooLarge = Reply(status: 413, body: "{\"code\":413,\"msg\":\"body too large\"}")

    private let stateFolder: String
    private let token: String?
    private let stores: Mutex<[String: CampaignStore]> = Mutex([:])
    private let numbers: Mutex<[String: BatchNumbers]> = Mutex([:])
    private let clock: @Sendable () -> Double
    private let storeFor: @Sendable (String) -> (any RunStore)?
    /// The ledger of unmatched receipts, malformed elements and replies.
    public let ledger: ReceiptsLedger

    /// A campaign's store and the plan its run sends.
    private struct CampaignStore: @unchecked Sendable {
        var store: any RunStore
        var planId: String
        var batches: Set<Int>
        /// Recipients in the plan.
        var recipients: Int
        /// The storage's identity when read (nil for a store that cannot tell): a reset moves the
        /// state aside, and a new run starts another file.
        var identity: String?
    }

    /// The numbers of a campaign's batches read so far (`PhoneNumber.key`), for one plan.
    private struct BatchNumbers {
        var planId: String
        var batches: [Int: Set<UInt64>] = [:]
        var count = 0
    }

    /// Numbers kept per campaign (8 bytes each, a few more in a set: some 20 MB at most); past
    /// them the cache starts over.
    static let cachedNumbers = 1_000_000

    /// A receiver for the campaigns whose runs `backend` keeps; the ledger and the suppression
    /// list are in its local folder.
    public convenience init(backend: any StateBackend, token: String?, clock: @escaping @Sendable () -> Double = { Date().timeIntervalSince1970 }) {
        self.init(stateFolder: backend.localFolder, token: token, clock: clock, storeFor: { backend.existingStore(campaign: $0) })
    }

    /// A receiver for the campaigns under `stateFolder`; `storeFor` gives a campaign's run store
    /// (by default its store in the state folder, when it has one).
    public init(stateFolder: String, token: String?, clock: @escaping @Sendable () -> Double = { Date().timeIntervalSince1970 },
                storeFor: (@Sendable (String) -> (any RunStore)?)? = nil) {
        self.stateFolder = stateFolder
        self.token = token.flatMap { $0.isEmpty ? nil : $0 }
        self.clock = clock
        let folder = FolderBackend(root: stateFolder)
        self.storeFor = storeFor ?? { folder.existingStore(campaign: $0) }
        ledger = ReceiptsLedger.of(stateFolder: stateFolder)
    }

    // MARK: - Requests

    /// Judges a request by its method and path (query left out), before its body is read.
    public func route(method: String, path: String) -> Routing {
        let route = path.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? path
        let prefix = token.map { "/" + $0 } ?? ""
        let kind: Route
        switch route {
        case prefix + "/sms-report": kind = .report
        case prefix + "/sms-up": kind = .up
        default: return .refuse(Reply(status: 404, body: "{\"code\":404,\"msg\":\"not found\"}"))
        }
        guard method == "POST" else { return .refuse(Reply(status: 405, body: "{\"code\":405,\"msg\":\"POST only\"}")) }
        return .serve(kind)
    }

    /// Answers one request.
    public func handle(method: String, path: String, body: [UInt8]) async -> Reply {
        switch route(method: method, path: path) {
        case .refuse(let reply): return reply
        case .serve(let route): return await handle(route, body: Data(body))
        }
    }

    /// Answers a push to `route` whose body is `body`.
    public func handle(_ route: Route, body: Data) async -> Reply {
        guard body.count <= Self.bodyLimit else { return Self.tooLarge }
        do {
            var tally = Tally()
            var checked: Set<String> = []
            let now = clock()
            if body.count <= Self.singlePassBytes {
                // A small push (Alibaba Cloud's arrays of up to a few hundred) is decoded at once
                // and stored whole.
                let parsed: Parsed
                do throws(PushError) {
                    parsed = try Self.parseWhole(body, route: route)
                } catch {
                    return Reply(status: 400, body: Self.error(400, error.description))
                }
                try await store(parsed, route: route, at: now, checked: &checked, tally: &tally)
            } else {
                // A larger one is checked whole first, so that one that is not a JSON array stores
                // nothing, then decoded an element at a time and stored a chunk at a time: it is
                // never held in memory as objects all at once.
                do throws(PushError) {
                    try Self.validate(body)
                } catch {
                    return Reply(status: 400, body: Self.error(400, error.description))
                }
                var parsed = Parsed()
                var scanner = ArrayScanner()
                while case .element(let range) = body.withUnsafeBytes({ scanner.next($0) }) {
                    let element = body.subdata(in: (body.startIndex + range.lowerBound)..<(body.startIndex + range.upperBound))
                    let value = (try? JSONSerialization.jsonObject(with: element, options: [.fragmentsAllowed])) ?? NSNull()
                    parsed.add(value, route: route, malformedSoFar: tally.malformed + parsed.malformed.count) { MalformedElement.excerpt(element) }
                    if parsed.count >= Self.chunkSize {
                        try await store(parsed, route: route, at: now, checked: &checked, tally: &tally)
                        parsed = Parsed()
                    }
                }
                try await store(parsed, route: route, at: now, checked: &checked, tally: &tally)
            }
            var reply = Self.accepted
            reply.note = tally.note(route)
            reply.counts = tally.counts
            return reply
        } catch {
            return Reply(status: 500, body: Self.error(500, "not stored: \(error)"))
        }
    }

    /// Decodes a small push at once; a malformed element is kept as its own text, found by the
    /// scanner (which also holds the body to strict JSON: Foundation takes `[1,]`).
    static func parseWhole(_ body: Data, route: Route) throws(PushError) -> Parsed {
        guard let value = try? JSONSerialization.jsonObject(with: body, options: [.fragmentsAllowed]) else { throw PushError("the body is not JSON") }
        guard let array = value as? [Any] else { throw PushError("the body is not a JSON array") }
        var ranges: [Range<Int>] = []
        var scanner = ArrayScanner()
        var step = body.withUnsafeBytes { scanner.next($0) }
        while case .element(let range) = step {
            ranges.append(range)
            step = body.withUnsafeBytes { scanner.next($0) }
        }
        guard step == .end, ranges.count == array.count else { throw PushError("the body is not JSON") }
        var parsed = Parsed()
        for (element, range) in zip(array, ranges) {
            parsed.add(element, route: route, malformedSoFar: parsed.malformed.count) {
                MalformedElement.excerpt(body.subdata(in: (body.startIndex + range.lowerBound)..<(body.startIndex + range.upperBound)))
            }
        }
        return parsed
    }

    private static func error(_ code: Int, _ message: String) -> String {
        let data = (try? JSONSerialization.data(withJSONObject: ["code": code, "msg": message], options: [.sortedKeys])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }

    // MARK: - Parsing

    /// A malformed push, or a malformed element (`reason`: a stable id for the ledger).
    struct PushError: Error, CustomStringConvertible {
        var description: String
        var reason: String
        init(_ description: String, reason: String = "malformed-value") {
            self.description = description
            self.reason = reason
        }
    }

    /// What one chunk of a push held.
    struct Parsed {
        var receipts: [Receipt] = []
        var replies: [PushedReply] = []
        var malformed: [MalformedElement] = []
        /// Malformed elements past the limit, not kept.
        var dropped = 0
        var count: Int { receipts.count + replies.count + malformed.count + dropped }

        /// Adds a decoded element's receipt or reply, or keeps it as malformed (`text`: its JSON).
        mutating func add(_ value: Any, route: Route, malformedSoFar: Int, text: () -> String) {
            do throws(PushError) {
                guard let object = value as? [String: Any] else {
                    throw PushError("the element is not an object", reason: "malformed-not-an-object")
                }
                switch route {
                case .report: receipts.append(try ReceiptsReceiver.receipt(object))
                case .up: replies.append(try ReceiptsReceiver.reply(object))
                }
            } catch {
                guard malformedSoFar < ReceiptsReceiver.malformedLimit else {
                    dropped += 1
                    return
                }
                malformed.append(MalformedElement(route: route.rawValue, reason: error.reason, detail: error.description, element: text()))
            }
        }
    }

    /// What a push did, for the log line.
    private struct Tally {
        var elements = 0
        var parts: [String: (stored: Int, repeated: Int)] = [:]
        var unmatched: [String: Int] = [:]
        var malformed = 0
        var dropped = 0
        var replies = (stored: 0, unsubscribes: 0)
        /// Replies already kept (the same reply pushed or delivered again).
        var repeatedReplies = 0

        var counts: PushCounts {
            var counts = PushCounts()
            counts.elements = elements
            counts.stored = parts.values.reduce(0) { $0 + $1.stored }
            counts.repeated = parts.values.reduce(0) { $0 + $1.repeated } + repeatedReplies
            counts.unmatched = unmatched.values.reduce(0, +)
            counts.malformed = malformed + dropped
            counts.replies = replies.stored
            counts.unsubscribes = replies.unsubscribes
            return counts
        }

        func note(_ route: Route) -> String {
            var pieces: [String] = []
            switch route {
            case .report:
                for (campaign, counts) in parts.sorted(by: { $0.key < $1.key }) {
                    pieces.append("\(campaign): \(counts.stored) new, \(counts.repeated) repeated")
                }
                if !unmatched.isEmpty {
                    let reasons = unmatched.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")
                    pieces.append("unmatched: \(reasons); kept in the ledger")
                }
            case .up:
                pieces.append("\(replies.stored) new, \(replies.unsubscribes) to unsubscribe")
            }
            if malformed > 0 { pieces.append("malformed: \(malformed) kept in the ledger" + (dropped > 0 ? ", \(dropped) more not kept" : "")) }
            return (route == .report ? "receipts" : "replies") + ": \(elements) (" + pieces.joined(separator: "; ") + ")"
        }
    }

    /// Why a body the scanner does not take as an array is refused.
    static func notAnArray(_ body: Data) -> PushError {
        let isJSON = (try? JSONSerialization.jsonObject(with: body, options: [.fragmentsAllowed])) != nil
        return PushError(isJSON ? "the body is not a JSON array" : "the body is not JSON")
    }

    /// Checks that `body` is a JSON array whose every element is JSON.
    static func validate(_ body: Data) throws(PushError) {
        var scanner = ArrayScanner()
        while true {
            switch body.withUnsafeBytes({ scanner.next($0) }) {
            case .end:
                return
            case .notAnArray:
                throw notAnArray(body)
            case .element(let range):
                let element = body.subdata(in: (body.startIndex + range.lowerBound)..<(body.startIndex + range.upperBound))
                guard (try? JSONSerialization.jsonObject(with: element, options: [.fragmentsAllowed])) != nil else { throw PushError("the body is not JSON") }
            }
        }
    }

    /// A field that must be text; Alibaba Cloud's documents disagree on some types, so a number is
    /// taken as its digits. A control character (U+0000–U+001F, U+007F) makes it malformed, except
    /// tab, line feed and carriage return where `lines` allows them (the text of a reply).
    static func text(_ object: [String: Any], _ key: String, required: Bool = true, lines: Bool = false) throws(PushError) -> String {
        let value: String
        switch object[key] {
        case let text as String: value = text
        case let number as NSNumber where !isBoolean(number): value = number.stringValue
        case nil where !required: return ""
        case nil: throw PushError("'\(key)' is missing", reason: "malformed-missing-field")
        default: throw PushError("'\(key)' is not text", reason: "malformed-not-text")
        }
        // In UTF-8 these characters are single bytes, never part of another character's.
        let control = value.utf8.contains { byte in
            (byte < 0x20 || byte == 0x7F) && !(lines && (byte == 0x09 || byte == 0x0A || byte == 0x0D))
        }
        guard !control else { throw PushError("'\(key)' holds a control character", reason: "malformed-control-character") }
        return value
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
        case nil: throw PushError("'success' is missing", reason: "malformed-missing-field")
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
        guard !phone.isEmpty, phone.count <= 32 else { throw PushError("'phone_number' is empty or too long") }
        return PushedReply(phone: phone, content: try text(object, "content", lines: true), sendTime: try text(object, "send_time", required: false),
                           destCode: try text(object, "dest_code", required: false), sequenceId: try text(object, "sequence_id", required: false),
                           signName: try text(object, "sign_name", required: false))
    }

    // MARK: - Storing

    /// Stores one chunk: receipts in their campaigns' stores or the ledger, replies and malformed
    /// elements in the ledger.
    private func store(_ parsed: Parsed, route: Route, at now: Double, checked: inout Set<String>, tally: inout Tally) async throws {
        tally.elements += parsed.count
        tally.dropped += parsed.dropped
        if !parsed.malformed.isEmpty {
            try ledger.storeMalformed(parsed.malformed, at: now)
            tally.malformed += parsed.malformed.count
        }
        if !parsed.replies.isEmpty {
            let (stored, unsubscribes) = try ledger.storeReplies(parsed.replies, at: now)
            tally.replies.stored += stored
            tally.replies.unsubscribes += unsubscribes
            tally.repeatedReplies += parsed.replies.count - stored
        }
        guard !parsed.receipts.isEmpty else { return }
        var byCampaign: [String: [Receipt]] = [:]
        var unmatched: [UnmatchedReceipt] = []
        for pushed in parsed.receipts {
            var matched = pushed
            matched.receivedAt = now
            // The number as the plan writes it, however the push wrote it (`+86…`, `86…`, or an
            // international number's country code and number).
            let number = PhoneNumber.fromProvider(pushed.phone)
            matched.phone = number?.digits ?? pushed.phone
            switch try await match(matched, number: number, checked: &checked) {
            case .matched(let campaign, let batch):
                matched.batch = batch
                byCampaign[campaign, default: []].append(matched)
            case .unmatched(let reason):
                unmatched.append(UnmatchedReceipt(receipt: pushed, reason: reason))
                tally.unmatched[reason.rawValue, default: 0] += 1
            }
        }
        for (campaign, receipts) in byCampaign.sorted(by: { $0.key < $1.key }) {
            guard let known = stores.withLock({ $0[campaign] }) else { continue }
            let result = try await known.store.storeReceipts(ReceiptBatch(receipts: receipts))
            tally.parts[campaign, default: (0, 0)].stored += result.stored
            tally.parts[campaign, default: (0, 0)].repeated += result.duplicates
        }
        if !unmatched.isEmpty {
            try ledger.storeUnmatched(unmatched, at: now)
        }
    }

    /// Where a receipt belongs.
    private enum Match {
        case matched(campaign: String, batch: Int)
        case unmatched(UnmatchedReason)
    }

    /// The campaign and batch a receipt's OutId names, when the campaign's run sends that plan
    /// and the batch's recipients include the receipt's number.
    private func match(_ receipt: Receipt, number: PhoneNumber?, checked: inout Set<String>) async throws -> Match {
        let parts = receipt.outId.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 3, let batch = Int(parts[2]), Self.isCampaignID(parts[0]) else { return .unmatched(.unknownOutId) }
        let campaign = parts[0], plan = parts[1]
        // Each campaign's state is looked at once a push: read when unknown, when its file was
        // replaced (a reset, a new run) or when the push names another plan.
        var known = stores.withLock { $0[campaign] }
        if !checked.contains(campaign) {
            checked.insert(campaign)
            if known == nil || known?.planId != plan || (known?.identity != nil && known?.identity != known?.store.storageIdentity()) {
                known = try await load(campaign)
            }
        }
        guard let known else { return .unmatched(.noCampaign) }
        guard known.planId == plan else { return .unmatched(.otherPlan) }
        guard known.batches.contains(batch) else { return .unmatched(.unknownBatch) }
        guard let number else { return .unmatched(.phoneNotInBatch) }
        let cached = numbers.withLock { numbers in numbers[campaign].flatMap { $0.planId == plan ? $0.batches[batch] : nil } }
        if let cached {
            return cached.contains(number.key) ? .matched(campaign: campaign, batch: batch) : .unmatched(.phoneNotInBatch)
        }
        // A plan that fits in the cache is read whole, once (one pass, rather than a read per
        // batch waiting behind the store's writes); a larger one a batch at a time.
        if known.recipients <= Self.cachedNumbers {
            var batches: [Int: Set<UInt64>] = [:]
            try await known.store.readPlan { planned in batches[planned.batch] = Self.keys(planned) }
            numbers.withLock { $0[campaign] = BatchNumbers(planId: plan, batches: batches, count: known.recipients) }
            return batches[batch]?.contains(number.key) == true ? .matched(campaign: campaign, batch: batch) : .unmatched(.phoneNotInBatch)
        }
        let recipients = Self.keys(try await known.store.planBatch(PlanBatchRequest(batch: batch)))
        numbers.withLock { numbers in
            if numbers[campaign]?.planId != plan || (numbers[campaign]?.count ?? 0) + recipients.count > Self.cachedNumbers {
                numbers[campaign] = BatchNumbers(planId: plan)
            }
            numbers[campaign]?.batches[batch] = recipients
            numbers[campaign]?.count += recipients.count
        }
        guard recipients.contains(number.key) else { return .unmatched(.phoneNotInBatch) }
        return .matched(campaign: campaign, batch: batch)
    }

    /// The numbers of a plan's batch, as keys.
    static func keys(_ batch: PlanBatch) -> Set<UInt64> {
        Set(batch.recipients.compactMap { row in row.first.flatMap { PhoneNumber.fromProvider($0)?.key } })
    }

    /// Reads a campaign's run from its store, and keeps what matching needs.
    /// A store that may not be used now (a link planted in it, a folder of another user, a
    /// database that does not answer) throws: the push is answered 500 and comes again once that
    /// is mended, rather than its receipts being filed as no campaign's. A store without a run, or
    /// one too damaged to read, is no campaign (its receipts are kept in the ledger).
    private func load(_ campaign: String) async throws(RunStoreError) -> CampaignStore? {
        let loaded: StoredRun?
        let store = storeFor(campaign)
        do {
            loaded = try await store?.load()
        } catch where error.code == .denied || error.code == .unavailable {
            stores.withLock { $0[campaign] = nil }
            throw error
        } catch {
            loaded = nil
        }
        guard let store, let run = loaded else {
            stores.withLock { $0[campaign] = nil }
            return nil
        }
        let entry = CampaignStore(store: store, planId: run.metadata.planID, batches: Set(run.batches.map(\.batch)),
                                  recipients: run.batches.reduce(0) { $0 + $1.recipients },
                                  identity: store.storageIdentity())
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
