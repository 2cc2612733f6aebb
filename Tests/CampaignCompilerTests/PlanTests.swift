import Foundation
import Testing
@testable import CampaignCompiler
import YAMLSyntax

/// A campaign in a scratch folder, with a CSV of the given rows.
struct PlanFixture {
    let folder: String
    var campaignPath: String { folder + "/c.yaml" }

    init(rows: [(phone: String, name: String)], parameters: String = "  name: { type: name, from: name }", content: String = "${name}您好，您的包裹已到驿站。",
         sending: String = "sending:\n  batch-size: 100\n  rate: 50\n", extra: String = "") throws {
        folder = try scratchFolder()
        try Self.writeRows(rows, to: folder + "/m.csv")
        let yaml = """
            version: 1
            campaign: plan-test
            sign-name: 云杉商城
            template:
              code: SMS_465012346
              type: notification
              content: "\(content)"
            parameters:
            \(parameters)
            recipients:
              from:
                - csv: m.csv
            \(sending)\(extra)
            """
        try yaml.write(toFile: campaignPath, atomically: true, encoding: .utf8)
    }

    static func writeRows(_ rows: [(phone: String, name: String)], to path: String) throws {
        try ("phone,name\n" + rows.map { "\($0.phone),\($0.name)\n" }.joined()).write(toFile: path, atomically: true, encoding: .utf8)
    }

    func campaign() async throws -> Campaign {
        let check = await CampaignChecker.check(path: campaignPath, options: CheckOptions(checksRecipientFiles: false))
        return try #require(check.campaign, "\(check.diagnostics.map(\.message))")
    }

    func plan(to name: String = "plan.jsonl", now: Date = Date()) async throws -> (PlanResult, String) {
        var compiler = PlanCompiler(campaign: try await campaign())
        compiler.now = now
        let path = folder + "/" + name
        return (try await compiler.compile(output: path), path)
    }
}

func numbers(_ count: Int, from start: Int = 0) -> [String] {
    (start..<(start + count)).map { "1380000\(String(format: "%04d", $0))" }
}

@Suite struct PlanTests {
    @Test func identicalInputsGiveAByteIdenticalPlan() async throws {
        let fixture = try PlanFixture(rows: numbers(230).enumerated().map { ($1, "客户\($0 % 7)") })
        let (_, first) = try await fixture.plan(to: "a.jsonl")
        let (_, second) = try await fixture.plan(to: "b.jsonl")
        let a = try #require(FileManager.default.contents(atPath: first))
        #expect(a == FileManager.default.contents(atPath: second))
        let attributes = try FileManager.default.attributesOfItem(atPath: first)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
    }

    @Test func frequentValueSetsShareSendSmsAndTheRestGoInBatches() async throws {
        let shared = numbers(250).map { ($0, "同名") }
        let unique = numbers(150, from: 5000).enumerated().map { ($1, "客户\($0)") }
        let fixture = try PlanFixture(rows: zip(shared.prefix(150), unique).flatMap { [$0, $1] } + shared.dropFirst(150))
        let (result, path) = try await fixture.plan()
        #expect(result.isComplete)
        #expect(result.requests == ["SendSms": 1, "SendBatchSms": 2])
        var seen: [String: Int] = [:]
        var outIds = Set<String>()
        let trailer = try PlanReader.batches(at: path) { batch in
            outIds.insert(batch.outId)
            #expect(batch.outId.count < 256 && batch.outId.hasPrefix("plan-test:\(result.header.planId):"))
            if batch.action == "SendSms" {
                #expect(batch.values == ["同名"])
                #expect(batch.recipients.count == 250)
            } else {
                #expect(batch.recipients.count <= 100)
            }
            for recipient in batch.recipients { seen[recipient[0], default: 0] += 1 }
        }
        #expect(seen.count == 400 && seen.values.allSatisfy { $0 == 1 }, "every recipient exactly once")
        #expect(outIds.count == 3)
        #expect(trailer.recipients == 400 && trailer.requests == ["SendSms": 1, "SendBatchSms": 2])
    }

    @Test func constantsOnlySendSmsInThousands() async throws {
        let fixture = try PlanFixture(rows: numbers(2500).map { ($0, "x") }, parameters: "  name: { type: name, value: 张伟 }")
        let (result, path) = try await fixture.plan()
        #expect(result.requests == ["SendSms": 3, "SendBatchSms": 0])
        var sizes: [Int] = []
        _ = try PlanReader.batches(at: path) { sizes.append($0.recipients.count) }
        #expect(sizes == [1000, 1000, 500])
    }

    @Test func errorsStopThePlanAndWriteNothing() async throws {
        let fixture = try PlanFixture(rows: [("13800138000", "甲"), ("12345", "乙")])
        let (result, path) = try await fixture.plan()
        #expect(!result.isComplete)
        #expect(result.diagnostics.errorCount == 1)
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    @Test func theAudienceGuardStopsThePlan() async throws {
        let fixture = try PlanFixture(rows: numbers(20).map { ($0, "甲") }, sending: "sending:\n  max-recipients: 10\n")
        let (result, _) = try await fixture.plan()
        #expect(!result.isComplete)
        #expect(result.diagnostics.diagnostics.contains { $0.id == "limit-recipients" })
    }

    @Test func aCutPlanIsNoticed() async throws {
        let fixture = try PlanFixture(rows: numbers(300).enumerated().map { ($1, "客户\($0)") })
        let (_, path) = try await fixture.plan()
        let data = try #require(FileManager.default.contents(atPath: path))
        try data.prefix(data.count - 40).write(to: URL(fileURLWithPath: path))
        #expect(throws: PlanError.self) { _ = try PlanReader.batches(at: path) { _ in } }
    }

    @Test func aPlanLargerThanTheReadBufferIsReadWhole() async throws {
        // 40,000 recipients make a plan of about 1.4 MB: lines straddle the 1 MiB reads.
        let fixture = try PlanFixture(rows: (0..<40_000).map { ("1\(3 + $0 % 7)\(String(format: "%09d", $0))", "客户\($0)") })
        let (result, path) = try await fixture.plan()
        #expect(result.isComplete)
        let size = try #require(try FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber).intValue
        #expect(size > 1 << 20)
        // The oracle: every batch line parsed by Foundation's JSON parser.
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let expected: [[String]] = try text.split(separator: "\n").dropFirst().dropLast().map { line in
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            return try #require(object["recipients"] as? [[String]]).map { $0[0] + "|" + $0[2] }
        }
        var read: [[String]] = []
        _ = try PlanReader.batches(at: path) { batch in
            #expect(batch.batch == read.count + 1)
            read.append(batch.recipients.map { $0[0] + "|" + $0[2] })
        }
        #expect(read.count == 400)
        #expect(read == expected)
    }

    @Test func anEditedPlanIsRefused() async throws {
        let fixture = try PlanFixture(rows: numbers(250).enumerated().map { ($1, "客户\($0)") })
        let (_, path) = try await fixture.plan()
        let original = try String(contentsOfFile: path, encoding: .utf8)
        // Still valid JSON, same counts: one number changed by hand.
        let edited = original.replacingOccurrences(of: "\"13800000007\"", with: "\"13800000077\"")
        #expect(edited != original)
        try edited.write(toFile: path, atomically: true, encoding: .utf8)
        #expect(throws: PlanError.self) { _ = try PlanReader.batches(at: path) { _ in } }
        // A request removed from the middle changes the counts as well.
        var lines = original.split(separator: "\n", omittingEmptySubsequences: false)
        lines.remove(at: 2)
        try lines.joined(separator: "\n").write(toFile: path, atomically: true, encoding: .utf8)
        do {
            _ = try PlanReader.batches(at: path) { _ in }
            Issue.record("a plan without one of its requests was read")
        } catch {
            #expect(error.description.contains("edited or damaged"))
        }
        try original.write(toFile: path, atomically: true, encoding: .utf8)
        #expect(try PlanReader.batches(at: path) { _ in }.requestsSHA256?.count == 64)
    }

    @Test func changesAreNamedWithAddedAndRemovedRecipients() async throws {
        let fixture = try PlanFixture(rows: numbers(10).map { ($0, "甲") })
        let (before, oldPath) = try await fixture.plan(to: "old.jsonl")
        try PlanFixture.writeRows(Array(numbers(10).dropFirst().map { ($0, "甲") }) + numbers(2, from: 50).map { ($0, "乙") }, to: fixture.folder + "/m.csv")
        let (after, newPath) = try await fixture.plan(to: "new.jsonl")
        #expect(before.header.planId != after.header.planId)
        let changed = PlanReader.changedSources(from: before.header, to: after.header)
        #expect(changed == [0])
        let changes = PlanReader.changes(from: before.header, oldPhones: PlanReader.phones(at: oldPath, sources: changed),
                                         to: after.header, newPhones: PlanReader.phones(at: newPath, sources: changed))
        #expect(changes == ["recipient source m.csv changed: 2 recipients added, 1 removed"])
    }

    /// Counting needs 16 bytes a recipient for each plan: a plan over the limit is compared by its
    /// header only, so that re-planning ten million recipients stays in bounded memory.
    @Test func aPlanOverTheLimitIsComparedByItsHeaderOnly() async throws {
        let fixture = try PlanFixture(rows: numbers(10).map { ($0, "甲") })
        let (before, oldPath) = try await fixture.plan(to: "old.jsonl")
        try PlanFixture.writeRows(numbers(12).map { ($0, "甲") }, to: fixture.folder + "/m.csv")
        let (after, newPath) = try await fixture.plan(to: "new.jsonl")
        let changed = PlanReader.changedSources(from: before.header, to: after.header)
        #expect(PlanReader.phones(at: oldPath, sources: changed, limit: 100) == nil)
        #expect(PlanReader.phones(at: oldPath, sources: changed) != nil)
        let changes = PlanReader.changes(from: before.header, oldPhones: PlanReader.phones(at: oldPath, sources: changed, limit: 100),
                                         to: after.header, newPhones: PlanReader.phones(at: newPath, sources: changed))
        #expect(changes.count == 1)
        #expect(changes.first?.hasPrefix("recipient source m.csv changed (its recipients were not counted") == true)
    }

    @Test func changedValuesAreCountedWhenNoRecipientCameOrWent() async throws {
        let fixture = try PlanFixture(rows: numbers(10).map { ($0, "甲") })
        let (before, oldPath) = try await fixture.plan(to: "old.jsonl")
        try PlanFixture.writeRows(numbers(10).enumerated().map { ($1, $0 < 3 ? "乙" : "甲") }, to: fixture.folder + "/m.csv")
        let (after, newPath) = try await fixture.plan(to: "new.jsonl")
        let changed = PlanReader.changedSources(from: before.header, to: after.header)
        let changes = PlanReader.changes(from: before.header, oldPhones: PlanReader.phones(at: oldPath, sources: changed),
                                         to: after.header, newPhones: PlanReader.phones(at: newPath, sources: changed))
        #expect(changes == ["recipient source m.csv changed: 0 recipients added, 0 removed, 3 with changed values"])
    }

    @Test func theSummaryCountsSegmentsCostAndTime() async throws {
        let long = String(repeating: "很长的通知内容", count: 10)
        let plain = try PlanFixture(rows: numbers(100).map { ($0, "甲") }, content: "${name}您好，\(long)", sending: "sending:\n  rate: 10\n  price-per-segment: 0.05\n",
                                    extra: "schedule:\n  timezone: Asia/Shanghai\n  start: 2027-03-01T09:00:00\n")
        let now = ScheduleCalendar.date(LocalDateTime(year: 2027, month: 2, day: 1, hour: 0, minute: 0, second: 0), in: TimeZone(identifier: "Asia/Shanghai") ?? .current)
        let (result, _) = try await plain.plan(now: now)
        #expect(result.recipients.segmentHistogram == [2: 100])
        #expect(result.recipients.totalSegments == 200)
        #expect(abs(result.estimatedCost - 10.0) < 1e-9)
        #expect(result.sendingSeconds == 10)
        let start = ScheduleCalendar.date(LocalDateTime(year: 2027, month: 3, day: 1, hour: 9, minute: 0, second: 0), in: TimeZone(identifier: "Asia/Shanghai") ?? .current)
        #expect(result.firstSend == start)
        #expect(result.finish == start.addingTimeInterval(10))
        #expect(result.samples.first?.text.hasPrefix("【云杉商城】甲您好，") == true)
        #expect(result.samples.first?.phone == "138****0000")
    }
}

@Suite struct ScheduleCalendarTests {
    static let shanghai = TimeZone(identifier: "Asia/Shanghai") ?? .current

    static func at(_ day: Int, _ hour: Int, _ minute: Int = 0, zone: TimeZone = shanghai) -> Date {
        ScheduleCalendar.date(LocalDateTime(year: 2027, month: 3, day: day, hour: hour, minute: minute, second: 0), in: zone)
    }

    static func schedule(windows: [DailyWindow] = [], days: Set<Weekday> = Set(Weekday.allCases), zone: String = "Asia/Shanghai",
                         start: LocalDateTime? = nil, end: LocalDateTime? = nil) -> Schedule {
        let anywhere = YAMLSyntaxRange.zero
        return Schedule(timezone: Located(zone, at: anywhere), start: start.map { Located($0, at: anywhere) }, end: end.map { Located($0, at: anywhere) },
                        windows: windows.map { Located($0, at: anywhere) }, days: days)
    }

    @Test func windowsAndDaysDecideTheNextOpening() {
        // 2027-03-01 is a Monday.
        let calendar = ScheduleCalendar(schedule: Self.schedule(windows: [DailyWindow(start: 9 * 60, end: 12 * 60), DailyWindow(start: 14 * 60, end: 19 * 60 + 30)],
                                                                days: [.mon, .tue]), templateType: .notification)
        #expect(calendar.nextOpening(after: Self.at(1, 8)) == Self.at(1, 9))
        #expect(calendar.nextOpening(after: Self.at(1, 12, 30)) == Self.at(1, 14))
        #expect(calendar.nextOpening(after: Self.at(2, 20)) == Self.at(8, 9), "Wednesday to Sunday are closed")
        #expect(calendar.openUntil(at: Self.at(1, 10)) == Self.at(1, 12))
        #expect(calendar.openUntil(at: Self.at(1, 13)) == nil)
    }

    @Test func finishingCountsOnlyOpenTime() {
        let calendar = ScheduleCalendar(schedule: Self.schedule(windows: [DailyWindow(start: 9 * 60, end: 10 * 60)]), templateType: .notification)
        #expect(calendar.finish(after: Self.at(1, 9, 30), sendingFor: 3600) == Self.at(2, 9, 30))
    }

    @Test func theEndClosesEverything() {
        let calendar = ScheduleCalendar(schedule: Self.schedule(end: LocalDateTime(year: 2027, month: 3, day: 1, hour: 12, minute: 0, second: 0)), templateType: .notification)
        #expect(calendar.nextOpening(after: Self.at(1, 11)) == Self.at(1, 11))
        #expect(calendar.nextOpening(after: Self.at(1, 13)) == nil)
        #expect(calendar.finish(after: Self.at(1, 11), sendingFor: 7200) == nil)
    }

    @Test func promotionalWithoutWindowsKeepsChinaDaytime() {
        let berlin = TimeZone(identifier: "Europe/Berlin") ?? .current
        let calendar = ScheduleCalendar(schedule: Self.schedule(zone: "Europe/Berlin"), templateType: .promotional)
        // 23:00 in Berlin on 1 March is 06:00 in Shanghai on 2 March: wait until 08:00 there.
        #expect(calendar.nextOpening(after: Self.at(1, 23, zone: berlin)) == Self.at(2, 8))
        #expect(calendar.openUntil(at: Self.at(2, 12)) == Self.at(2, 20))
    }
}

/// A range for values that were not written in a file.
enum YAMLSyntaxRange {
    static let zero = SourceRange(at: SourcePosition(line: 1, column: 1))
}

@Suite struct PlanLineTests {
    @Test(arguments: [
        PlanBatch(batch: 7, action: "SendBatchSms", outId: "c:p:7", recipients: [["13800138000", "0", "张\"伟\"\\n", "a/b"], ["13800138001", "1", "😀 tab\t", "\u{1}"]], values: nil, segments: 3),
        PlanBatch(batch: 8, action: "SendSms", outId: "c:p:8", recipients: [["13800138000", "0"]], values: ["8", "3月31日"], segments: 1),
        PlanBatch(batch: 9, action: "SendBatchSms", outId: "c:p:9", recipients: [], values: nil, segments: 0),
        PlanBatch(batch: 10, action: "SendBatchSms", outId: "c:p:10", recipients: [["85291234567", "0", "A"], ["447700900123", "0", "B"], ["6581234567", "0", "C"]],
                  values: nil, segments: 4, countries: ["852": [1, 1], "44": [1, 2], "65": [1, 1]]),
    ])
    func theFastParserReadsWhatTheWriterWrites(_ batch: PlanBatch) throws {
        let line = PlanJSON.batch(batch)
        #expect(PlanLineParser.batch(line) == batch)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        if batch.countries != nil {
            #expect(try encoder.encode(batch) == Data(line), "the writer's bytes are the sorted-keys encoding")
        }
        #expect(try JSONDecoder().decode(PlanBatch.self, from: Data(line)) == batch, "and it is JSON any decoder reads")
        #expect(PlanLineParser.batch(Array(#"{"action":"SendSms","#.utf8)) == nil, "a cut line is refused")
    }
}
