#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Crypto
import Foundation
import YAMLSyntax
internal import CSalvoSupport

/// A rendered message from a real row, for the plan's summary (number masked).
public struct SampleMessage: Sendable, Hashable, Codable {
    public var phone: String
    public var text: String
    public var length: Int
    public var segments: Int
}

/// What a compile found and produced.
public struct PlanResult: Sendable {
    /// The plan's header (its inputs and their hashes).
    public var header: PlanHeader
    /// Recipient counts and segments.
    public var recipients: RecipientSummary
    /// Requests by API action.
    public var requests: [String: Int]
    /// Estimated cost: segments × price per segment.
    public var estimatedCost: Double
    /// When the first message may go out.
    public var firstSend: Date?
    /// Seconds of sending at the configured rate.
    public var sendingSeconds: Double
    /// When the last message would go out, counting only open windows; nil if it does not fit
    /// before the campaign's end.
    public var finish: Date?
    /// Sample messages from real rows.
    public var samples: [SampleMessage]
    /// Problems found in the recipient rows (errors stop the plan).
    public var diagnostics: DiagnosticCollector
    /// Header lines of recipient files, for showing diagnostics.
    public var sources: [String: SourceText]
    /// Whether a plan was produced (no errors).
    public var isComplete: Bool
}

/// Compiles a checked campaign into its execution plan: SendSms for groups of recipients whose
/// values are all the same (when that saves requests), SendBatchSms for the rest, in a
/// deterministic order with deterministic ids, written as a stream.
///
/// Two passes over the recipients: the first checks every row and finds parameter sets frequent
/// enough for SendSms (Misra–Gries over their hashes, in bounded memory); the second emits the
/// batches. Memory holds the dedupe set, the frequent sets' partial groups, and one batch.
public struct PlanCompiler: Sendable {
    /// The campaign, checked without errors.
    public var campaign: Campaign
    /// How many sample messages to keep.
    public var sampleCount = 3
    /// The most diagnostics kept per recipient file.
    public var diagnosticLimit: Int? = 50
    /// The time the plan is made at (for the first send time).
    public var now: Date = Date()
    /// Counters for frequent parameter sets.
    public var frequentSetCounters = 65_536
    /// The numbers that unsubscribed from the campaign's sign name, for a promotional campaign:
    /// left out of the plan and counted.
    public var suppression: SuppressionList?

    /// Creates a compiler for a campaign.
    public init(campaign: Campaign) {
        self.campaign = campaign
    }

    /// Compiles; writes the plan to `output` when given and the recipients have no errors.
    /// `header` is the campaign's header when the caller has just made it (its inputs hashed),
    /// so that they are not hashed again.
    ///
    /// One pass checks every row and writes the batches as it goes, on the guess that no set of
    /// parameter values is frequent enough for SendSms (true of personal values such as names and
    /// codes). Where the guess fails, a second pass groups the frequent sets; where the rows have
    /// errors, the half-written plan is removed.
    public func compile(output: String?, header: PlanHeader? = nil) async throws(PlanError) -> PlanResult {
        var header = if let header { header } else { try Self.header(for: campaign) }
        let suppressed = campaign.template.type.value == .promotional ? suppression : nil
        if let suppressed, !suppressed.numbers.isEmpty {
            header.suppression = PlanHeader.Input(path: "suppression list (\(suppressed.numbers.count) numbers)", kind: "suppression", sha256: suppressed.digest)
        }
        let usesColumns = campaign.parameters.contains { if case .column = $0.binding { true } else { false } }
        var checker = recipientChecker(suppressed: suppressed, usesColumns: usesColumns)
        let constants = campaign.parameters.map { if case .constant(let value) = $0.binding { value.value } else { "" } }

        var frequent = FrequentSets(capacity: frequentSetCounters)
        var samples: [SampleMessage] = []
        let sampleCount = self.sampleCount
        var writer = try PlanWriter(path: output)
        try writer.line(Self.encodeLine(header))
        let international = campaign.template.destination.value == .international
        var rows = RowEmitter(campaignID: campaign.id.value, planID: header.planId, batchSize: campaign.sending.batchSize,
                              grouped: !usesColumns, constants: constants, writer: writer)
        // A cancelled task (SIGINT in `salvo run`) stops a long compile between rows.
        var seen = 0
        var fragment: [UInt8] = []
        func tick() throws(PlanError) {
            seen &+= 1
            if seen & 0xFFFF == 0, Task.isCancelled { throw PlanError.cancelled }
        }
        let first = try await checker.check(accept: { (recipient: AcceptedRecipient) throws(PlanError) in
            // A row the full check accepted: rendered here as the fast reader renders its rows.
            try tick()
            if usesColumns { frequent.add(FrequentSets.key(recipient.values)) }
            if samples.count < sampleCount { samples.append(Self.sample(recipient, campaign: campaign)) }
            fragment.removeAll(keepingCapacity: true)
            PlanJSON.array([recipient.phone.digits, String(recipient.sourceIndex)] + (usesColumns ? recipient.values : []), into: &fragment)
            let callingCode = international ? recipient.phone.callingCode : nil
            try fragment.withUnsafeBufferPointer { (bytes) throws(PlanError) in try rows.add(bytes, segments: recipient.segments, callingCode: callingCode) }
        }, fast: { (recipient: FastRecipient, full: FullRecipient) throws(PlanError) in
            try tick()
            if usesColumns {
                frequent.prefetch(recipient.aheadKey)
                frequent.add(recipient.key)
            }
            if samples.count < sampleCount { samples.append(Self.sample(full.make(), campaign: campaign)) }
            try rows.add(recipient.fragment, segments: recipient.segments,
                         callingCode: international ? recipient.callingCode : nil)
        })
        var result = firstResult(first, header: header, samples: samples)
        guard result.diagnostics.errorCount == 0 else {
            writer.discard()
            return result
        }

        /// The trailer, and the plan moved into place.
        func complete(requests: [String: Int], recipients: Int, segments: Int) throws(PlanError) -> PlanResult {
            try writer.line(Self.encodeLine(PlanTrailer(requests: requests, recipients: recipients, segments: segments,
                                                        requestsSHA256: writer.requestsDigest, suppressed: header.suppression == nil ? nil : first.summary.suppressed)))
            try writer.finish()
            result.requests = requests
            result.isComplete = true
            return result
        }

        let heavy = usesColumns ? frequent.keys(above: campaign.sending.batchSize) : []
        if heavy.isEmpty {
            try rows.finish()
            return try complete(requests: rows.requests, recipients: rows.recipientCount, segments: rows.segments)
        }

        // Frequent value sets: a second pass groups them into SendSms requests.
        writer.discard()
        writer = try PlanWriter(path: output)
        try writer.line(Self.encodeLine(header))
        checker.planRendering = nil
        var emitter = BatchEmitter(campaignID: campaign.id.value, planID: header.planId, batchSize: campaign.sending.batchSize,
                                   allConstant: !usesColumns, heavy: heavy, writer: writer, tallied: international)
        _ = try await checker.check { (recipient: AcceptedRecipient) throws(PlanError) in
            try tick()
            try emitter.add(recipient)
        }
        try emitter.finish()
        return try complete(requests: emitter.requests, recipients: emitter.recipientCount, segments: emitter.segments)
    }

    /// The checker of the first pass, which renders the plan rows.
    private func recipientChecker(suppressed: SuppressionList?, usesColumns: Bool) -> RecipientChecker {
        var checker = RecipientChecker(campaign: campaign, diagnosticLimit: diagnosticLimit)
        checker.planRendering = PlanRendering(grouped: !usesColumns)
        if let suppressed, !suppressed.numbers.isEmpty { checker.suppression = suppressed.set }
        return checker
    }

    /// What the first pass found: the counts, the diagnostics with the sending limits', the cost
    /// and the schedule (no requests yet: the plan is not complete).
    private func firstResult(_ first: RecipientCheck, header: PlanHeader, samples: [SampleMessage]) -> PlanResult {
        var diagnostics = first.collector
        for diagnostic in CampaignChecker.limitDiagnostics(first.summary, sending: campaign.sending, sendingKey: nil, path: campaign.path) {
            diagnostics.report(diagnostic)
        }
        let calendar = ScheduleCalendar(schedule: campaign.schedule, templateType: campaign.template.type.value)
        let seconds = Double(first.summary.toSend) / Double(max(campaign.sending.rate, 1))
        return PlanResult(header: header, recipients: first.summary, requests: PlanAction.noRequests,
                          estimatedCost: first.summary.estimatedCost(campaign.sending.prices),
                          firstSend: calendar.nextOpening(after: now), sendingSeconds: seconds, finish: calendar.finish(after: now, sendingFor: seconds),
                          samples: samples, diagnostics: diagnostics, sources: first.sources, isComplete: false)
    }

    // MARK: - Inputs

    /// The plan header: every input's hash, and the plan id derived from them.
    public static func header(for campaign: Campaign) throws(PlanError) -> PlanHeader {
        try header(for: campaign, stored: nil).header
    }

    /// The header of `campaign`'s plan, taking a recipient file that is missing here from
    /// `stored` (the header of a plan already stored, made elsewhere): the plan id then matches
    /// when everything that can be read here matches. The files taken so come back in `missing`.
    /// Any other failure to read a file throws.
    public static func header(for campaign: Campaign, stored: PlanHeader?) throws(PlanError) -> (header: PlanHeader, missing: [String]) {
        var missing: [String] = []
        func input(_ spec: RecipientSourceSpec, index: Int, from known: [PlanHeader.Input]?) throws(PlanError) -> PlanHeader.Input {
            let suffix = spec.query.map { ":" + textHash($0.value) } ?? ""
            if let known, index < known.count, known[index].path == spec.path.value, known[index].kind == spec.kind.rawValue,
               !FileManager.default.fileExists(atPath: spec.resolvedPath) {
                missing.append(spec.path.value)
                return known[index]
            }
            return PlanHeader.Input(path: spec.path.value, kind: spec.kind.rawValue,
                                    sha256: try fileHash(spec.resolvedPath, access: campaign.recipients.access, campaignPath: campaign.path, named: spec.path.value) + suffix)
        }
        let campaignFile = PlanHeader.Input(path: campaign.path, kind: "campaign", sha256: try fileHash(campaign.path, access: .unconfined, campaignPath: nil))
        var sources: [PlanHeader.Input] = []
        for (index, spec) in campaign.recipients.sources.enumerated() { sources.append(try input(spec, index: index, from: stored?.sources)) }
        var exclusions: [PlanHeader.Input] = []
        for (index, spec) in campaign.recipients.exclude.enumerated() { exclusions.append(try input(spec, index: index, from: stored?.exclusions)) }
        let template = campaign.template
        let templateHash = textHash([campaign.signName.value, template.code.value, template.type.value.rawValue, template.content.value].joined(separator: "\u{1F}"))
        let digestInput = ([String(PlanHeader.currentVersion), campaign.id.value, campaignFile.sha256, templateHash]
                           + sources.map(\.sha256) + ["|"] + exclusions.map(\.sha256)).joined(separator: "\n")
        let header = PlanHeader(campaign: campaign.id.value, planId: String(textHash(digestInput).prefix(16)), campaignFile: campaignFile,
                                template: template.code.value, templateSHA256: templateHash, sources: sources, exclusions: exclusions,
                                parameters: campaign.parameters.map(\.name.value), signName: campaign.signName.value)
        return (header, missing)
    }

    /// Hex SHA-256 of a file, read in chunks, after `access` has allowed it (a FIFO, a device or a
    /// file outside the campaign's folder is refused before a byte is read).
    static func fileHash(_ path: String, access: SourceAccess, campaignPath: String?, named: String? = nil) throws(PlanError) -> String {
        let file: RegularFile.Opened
        do {
            file = try access.open(path, campaignPath: campaignPath)
        } catch {
            throw PlanError("'\(named ?? path)' \(error.message)", code: .unreadable, cause: error)
        }
        defer { close(file.descriptor) }
        var hasher = SHA256()
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(file.descriptor, $0.baseAddress, $0.count) }
            if count < 0, errno == EINTR { continue }
            guard count >= 0 else { throw PlanError("cannot read '\(named ?? path)' (errno \(errno))", code: .unreadable) }
            if count == 0 { break }
            chunk.withUnsafeBytes { hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
        }
        return hex(Array(hasher.finalize()))
    }

    static func textHash(_ text: String) -> String {
        hex(Array(SHA256.hash(data: Array(text.utf8))))
    }

    private static func hex(_ bytes: [UInt8]) -> String {
        PlanDigest.hex(bytes)
    }

    static func encodeLine(_ value: some Encodable) throws(PlanError) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        do {
            return String(decoding: try encoder.encode(value), as: UTF8.self)
        } catch {
            throw PlanError("cannot encode the plan: \(error)")
        }
    }

    static func sample(_ recipient: AcceptedRecipient, campaign: Campaign) -> SampleMessage {
        var values: [String: String] = [:]
        for (parameter, value) in zip(campaign.parameters, recipient.values) { values[parameter.name.value] = value }
        // A GSM-7 international message carries its sign as [Sign]; any other as 【Sign】.
        let sign = recipient.encoding == .gsm7 ? "[\(campaign.signName.value)]" : "【\(campaign.signName.value)】"
        let text = sign + PlaceholderParser.render(campaign.template.content.value, values: values)
        return SampleMessage(phone: recipient.phone.masked, text: text, length: recipient.length, segments: recipient.segments)
    }
}

/// The numbers that replied to unsubscribe from a sign name, as a plan leaves them out.
public struct SuppressionList: Sendable {
    /// The numbers, as digits.
    public var numbers: [String]
    /// The numbers as a set, for the row check.
    var set: PhoneSet
    /// A hash of the sorted numbers, recorded in the plan header.
    public var digest: String

    /// A list of `numbers` (anything that is not a phone number is left out).
    public init(numbers: [String]) {
        var set = PhoneSet()
        var kept: [String] = []
        for text in numbers {
            guard case .success(let phone) = PhoneNumber.parse(text) else { continue }
            if set.insert(phone) { kept.append(phone.digits) }
        }
        kept.sort()
        self.numbers = kept
        self.set = set
        digest = PlanCompiler.textHash(kept.joined(separator: "\n"))
    }
}

/// The key of a set of parameter values, built a value at a time: FNV-1a over each value's bytes
/// and a separator after it. Plans, the frequent-set counter and the fast reader all use it.
struct ValueSetKey {
    private(set) var value: UInt64 = 0xCBF2_9CE4_8422_2325

    @inline(__always)
    mutating func add(_ bytes: some Sequence<UInt8>) {
        for byte in bytes { value = (value ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        value = (value ^ 0x1F) &* 0x0000_0100_0000_01B3
    }
}

/// Misra–Gries counting of parameter-set hashes: at most `capacity` counters, and every set more
/// frequent than n / (capacity + 1) keeps a counter that never exceeds its true count. The
/// counters live in an open-addressing table twice their number (this runs for every row); the
/// decrement of all counters, when a new set finds no free counter, rebuilds it.
struct FrequentSets {
    let capacity: Int
    private var keys: [UInt64]
    private var counts: [Int]
    private var used = 0
    private let mask: Int

    init(capacity: Int) {
        self.capacity = max(capacity, 1)
        var size = 16
        while size < self.capacity * 2 { size <<= 1 }
        keys = [UInt64](repeating: 0, count: size)
        counts = [Int](repeating: 0, count: size)
        mask = size - 1
    }

    /// A deterministic 64-bit FNV-1a hash of the values (Swift's `Hasher` is seeded per process).
    static func key(_ values: [String]) -> UInt64 {
        var key = ValueSetKey()
        for value in values { key.add(value.utf8) }
        return key.value
    }

    @inline(__always)
    private func slot(_ key: UInt64) -> Int {
        Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> 40) & mask
    }

    /// Starts loading the slot of `key`, which `add` will be given soon. (Mutating only so that
    /// it works in place: a copy would retain the tables.)
    @inline(__always)
    mutating func prefetch(_ key: UInt64) {
        let index = slot(key)
        keys.withUnsafeMutableBufferPointer { if let base = $0.baseAddress { salvo_prefetch(base + index) } }
        counts.withUnsafeMutableBufferPointer { if let base = $0.baseAddress { salvo_prefetch(base + index) } }
    }

    mutating func add(_ key: UInt64) {
        var index = slot(key)
        while counts[index] > 0 {
            if keys[index] == key {
                counts[index] += 1
                return
            }
            index = (index + 1) & mask
        }
        if used < capacity {
            keys[index] = key
            counts[index] = 1
            used += 1
            return
        }
        // No free counter: every counter goes down by one, and those at zero are freed.
        var survivors: [(UInt64, Int)] = []
        for position in 0...mask where counts[position] > 1 { survivors.append((keys[position], counts[position] - 1)) }
        for position in 0...mask { counts[position] = 0 }
        used = 0
        for (survivor, count) in survivors {
            var index = slot(survivor)
            while counts[index] > 0 { index = (index + 1) & mask }
            keys[index] = survivor
            counts[index] = count
            used += 1
        }
    }

    /// Sets counted more than `threshold` times (their true count is at least as high).
    func keys(above threshold: Int) -> Set<UInt64> {
        var result = Set<UInt64>()
        for position in 0...mask where counts[position] > threshold { result.insert(keys[position]) }
        return result
    }
}

/// Writes rows already rendered as plan JSON into batches, in the order they come: SendBatchSms
/// requests of `batchSize` rows, or, when every parameter is a constant, SendSms requests of up to
/// 1,000 (the same lines `BatchEmitter` writes when no value set is frequent).
struct RowEmitter {
    let campaignID: String
    let planID: String
    let batchSize: Int
    let grouped: Bool
    let writer: PlanWriter
    private let values: [UInt8]

    private(set) var requests: [String: Int] = PlanAction.noRequests
    private(set) var recipientCount = 0
    private(set) var segments = 0
    private var nextBatch = 1
    private var pending: [UInt8] = []
    private var pendingCount = 0
    private var pendingSegments = 0
    private var segmentsEach: Int?
    /// International plans: the pending request's recipients and segments per calling code.
    private var pendingCountries = CountryTally()

    init(campaignID: String, planID: String, batchSize: Int, grouped: Bool, constants: [String], writer: PlanWriter) {
        self.campaignID = campaignID
        self.planID = planID
        self.batchSize = batchSize
        self.grouped = grouped
        self.writer = writer
        var values: [UInt8] = []
        PlanJSON.array(constants, into: &values)
        self.values = values
        pending.reserveCapacity(1 << 16)
    }

    /// Adds a recipient's plan row; `callingCode` is its country's in an international plan.
    mutating func add(_ row: UnsafeBufferPointer<UInt8>, segments rowSegments: Int, callingCode: Int?) throws(PlanError) {
        recipientCount += 1
        segments += rowSegments
        if let callingCode { pendingCountries.add(callingCode, segments: grouped ? segmentsEach ?? rowSegments : rowSegments) }
        if pendingCount > 0 { pending.append(UInt8(ascii: ",")) }
        pending.append(contentsOf: row)
        pendingCount += 1
        if grouped {
            // One group: its segments are those of its first recipient, as every message is the same.
            let each = segmentsEach ?? rowSegments
            segmentsEach = each
            pendingSegments += each
            if pendingCount == BatchEmitter.sendSmsLimit { try emit() }
        } else {
            pendingSegments += rowSegments
            if pendingCount == batchSize { try emit() }
        }
    }

    mutating func finish() throws(PlanError) {
        if pendingCount > 0 { try emit() }
    }

    private mutating func emit() throws(PlanError) {
        let action = (grouped ? PlanAction.sendSms : .sendBatchSms).rawValue
        let outId = "\(campaignID):\(planID):\(nextBatch)"
        let batch = nextBatch
        let count = pendingSegments
        let countries = pendingCountries.json
        try pending.withUnsafeBufferPointer { (rows) throws(PlanError) in
            try writer.requestLine { out in
                PlanJSON.batch(action: action, batch: batch, outId: outId, recipients: rows, segments: count, values: grouped ? values : nil,
                               countries: countries, into: &out)
            }
        }
        pendingCountries = CountryTally()
        requests[action, default: 0] += 1
        nextBatch += 1
        pending.removeAll(keepingCapacity: true)
        pendingCount = 0
        pendingSegments = 0
    }
}

/// Turns the stream of accepted recipients into batches: SendSms groups (up to 1,000) for frequent
/// parameter sets, SendBatchSms batches (up to `batchSize`) for the rest.
struct BatchEmitter {
    let campaignID: String
    let planID: String
    let batchSize: Int
    let allConstant: Bool
    let heavy: Set<UInt64>
    let writer: PlanWriter
    /// Whether batch lines carry per-country tallies (international plans).
    let tallied: Bool

    private(set) var requests: [String: Int] = PlanAction.noRequests
    private(set) var recipientCount = 0
    private(set) var segments = 0
    private var nextBatch = 1
    private var pending: [[String]] = []
    private var pendingSegments = 0
    private var groups: [[String]: Group] = [:]
    private var pendingCountries = CountryTally()
    private var groupOrder: [[String]] = []

    private struct Group {
        var recipients: [[String]] = []
        var segmentsEach = 0
    }

    init(campaignID: String, planID: String, batchSize: Int, allConstant: Bool, heavy: Set<UInt64>, writer: PlanWriter, tallied: Bool = false) {
        self.tallied = tallied
        self.campaignID = campaignID
        self.planID = planID
        self.batchSize = batchSize
        self.allConstant = allConstant
        self.heavy = heavy
        self.writer = writer
    }

    static let sendSmsLimit = 1000

    mutating func add(_ recipient: AcceptedRecipient) throws(PlanError) {
        recipientCount += 1
        segments += recipient.segments
        let phone = recipient.phone.digits
        let source = String(recipient.sourceIndex)
        if allConstant || heavy.contains(FrequentSets.key(recipient.values)) {
            if groups[recipient.values] == nil {
                groups[recipient.values] = Group(segmentsEach: recipient.segments)
                groupOrder.append(recipient.values)
            }
            groups[recipient.values]?.recipients.append([phone, source])
            if let group = groups[recipient.values], group.recipients.count == Self.sendSmsLimit {
                try emitSendSms(values: recipient.values, group: group)
                groups[recipient.values]?.recipients.removeAll(keepingCapacity: false)
            }
            return
        }
        pending.append([phone, source] + recipient.values)
        pendingSegments += recipient.segments
        if tallied { pendingCountries.add(recipient.phone.callingCode, segments: recipient.segments) }
        if pending.count == batchSize { try emitBatch() }
    }

    mutating func finish() throws(PlanError) {
        // Groups left smaller than a batch cost less as part of SendBatchSms requests.
        for values in groupOrder {
            guard let group = groups[values], !group.recipients.isEmpty else { continue }
            if group.recipients.count > batchSize || allConstant {
                try emitSendSms(values: values, group: group)
            } else {
                for recipient in group.recipients {
                    pending.append(recipient + values)
                    pendingSegments += group.segmentsEach
                    if tallied { pendingCountries.add(CallingCodes.callingCode(ofDigits: recipient[0]) ?? 0, segments: group.segmentsEach) }
                    if pending.count == batchSize { try emitBatch() }
                }
            }
        }
        if !pending.isEmpty { try emitBatch() }
    }

    private mutating func emitBatch() throws(PlanError) {
        try write(PlanBatch(batch: nextBatch, action: PlanAction.sendBatchSms.rawValue, outId: outId(), recipients: pending, values: nil, segments: pendingSegments,
                            countries: tallied ? pendingCountries.json : nil))
        pending.removeAll(keepingCapacity: true)
        pendingSegments = 0
        pendingCountries = CountryTally()
    }

    private mutating func emitSendSms(values: [String], group: Group) throws(PlanError) {
        var countries = CountryTally()
        if tallied {
            for recipient in group.recipients { countries.add(CallingCodes.callingCode(ofDigits: recipient[0]) ?? 0, segments: group.segmentsEach) }
        }
        try write(PlanBatch(batch: nextBatch, action: PlanAction.sendSms.rawValue, outId: outId(), recipients: group.recipients, values: values,
                            segments: group.segmentsEach * group.recipients.count, countries: tallied ? countries.json : nil))
    }

    private func outId() -> String {
        "\(campaignID):\(planID):\(nextBatch)"
    }

    private mutating func write(_ batch: PlanBatch) throws(PlanError) {
        try writer.requestLine { PlanJSON.batch(batch, into: &$0) }
        requests[batch.action, default: 0] += 1
        nextBatch += 1
    }
}
