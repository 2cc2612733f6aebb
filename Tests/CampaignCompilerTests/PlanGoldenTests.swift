import Crypto
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Testing
@testable import CampaignCompiler

/// The plan a campaign compiles to, and the diagnostics its rows get, must not change when the
/// compiler is made faster: their digests are recorded in `Fixtures/plan-digests.txt` (re-record
/// with `SALVO_RECORD_GOLDEN=1 swift test --filter PlanGoldenTests`, and only for a change meant to
/// alter plans).
///
/// Covered: the example campaigns, and generated 100,000-row campaigns whose rows have quoted
/// commas and line breaks, CRLF, a BOM, duplicates across number formats, exclusions, defaults,
/// invalid rows set aside, a JSON Lines source, GB18030, and value sets frequent enough for SendSms.
@Suite struct PlanGoldenTests {
    static let goldenPath = Fixtures.folder + "/plan-digests.txt"

    /// The digest of a compiled plan: every line but the header (which names the campaign file's
    /// path, different on every machine), the plan id, the counts, and every diagnostic with its
    /// location, in order.
    static func digest(_ result: PlanResult, planPath: String, folder: String) throws -> String {
        var hasher = SHA256()
        if result.isComplete {
            let text = try String(contentsOfFile: planPath, encoding: .utf8)
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
            for line in lines.dropFirst() { hasher.update(data: Array((line + "\n").utf8)) }
        }
        let summary = result.recipients
        var facts = "plan \(result.header.planId) complete \(result.isComplete) requests \(result.requests.sorted { $0.key < $1.key })\n"
        facts += "read \(summary.read) invalid \(summary.invalid) duplicates \(summary.duplicates) excluded \(summary.excluded) toSend \(summary.toSend) "
        facts += "segments \(summary.totalSegments) \(summary.segmentHistogram.sorted { $0.key < $1.key }) first \(summary.firstMultiSegmentRow.map { "\($0.range.start.line):\($0.range.start.column)" } ?? "-")\n"
        facts += "samples \(result.samples.map { "\($0.phone) \($0.text) \($0.length)" })\n"
        for diagnostic in result.diagnostics.diagnostics {
            let location = diagnostic.location.map { "\($0.file.replacingOccurrences(of: folder, with: "")):\($0.range.start.line):\($0.range.start.column)" } ?? "-"
            facts += "\(diagnostic.severity) \(diagnostic.id.rawValue) \(location) \(diagnostic.message)\n"
        }
        for (file, omitted) in result.diagnostics.omitted.sorted(by: { $0.key < $1.key }) {
            facts += "omitted \(file.replacingOccurrences(of: folder, with: "")) \(omitted.sorted { $0.key.rawValue < $1.key.rawValue }.map { "\($0.key.rawValue)=\($0.value.count)" })\n"
        }
        hasher.update(data: Array(facts.utf8))
        return PlanDigest.hex(hasher.finalize())
    }

    static func compile(_ campaignPath: String, folder: String, limit: Int? = nil) async throws -> String {
        try await compileResult(campaignPath, folder: folder, limit: limit).digest
    }

    static func compileResult(_ campaignPath: String, folder: String, limit: Int? = nil) async throws -> (digest: String, result: PlanResult) {
        let check = await CampaignChecker.check(path: campaignPath, options: CheckOptions(checksRecipientFiles: false))
        let campaign = try #require(check.campaign, "\(check.diagnostics.map(\.message))")
        var compiler = PlanCompiler(campaign: campaign)
        compiler.diagnosticLimit = limit
        compiler.now = Date(timeIntervalSince1970: 1_800_000_000)
        let output = try scratchFolder() + "/plan.jsonl"
        let result = try await compiler.compile(output: output)
        return (try digest(result, planPath: output, folder: folder), result)
    }

    static func recorded() -> [String: String] {
        guard let text = try? String(contentsOfFile: goldenPath, encoding: .utf8) else { return [:] }
        var digests: [String: String] = [:]
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: " ")
            if parts.count == 2 { digests[String(parts[0])] = String(parts[1]) }
        }
        return digests
    }

    static func check(_ name: String, _ digest: String) throws {
        if Fixtures.recording {
            var digests = recorded()
            digests[name] = digest
            let text = digests.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)\n" }.joined()
            try text.write(toFile: goldenPath, atomically: true, encoding: .utf8)
            return
        }
        let expected = try #require(recorded()[name], "no recorded digest for \(name); record with SALVO_RECORD_GOLDEN=1")
        #expect(digest == expected, "the plan or diagnostics of \(name) changed")
    }

    @Test(arguments: ["login-code", "order-shipped", "spring-sale"])
    func exampleCampaign(_ name: String) async throws {
        let folder = Fixtures.packageRoot + "/campaigns/"
        try Self.check("example-\(name)", try await Self.compile(folder + name + ".yaml", folder: folder))
    }

    @Test(arguments: GeneratedCampaign.Kind.allCases)
    func generatedCampaign(_ kind: GeneratedCampaign.Kind) async throws {
        let generated = try GeneratedCampaign(kind: kind, rows: 100_000)
        let (digest, result) = try await Self.compileResult(generated.campaignPath, folder: generated.folder + "/")
        // The generator must reach what it is meant to: these fail when it drifts.
        let summary = result.recipients
        #expect(summary.read > 90_000 && summary.duplicates > 100 && summary.excluded > 100)
        #expect(result.isComplete == (kind != .failing))
        #expect(result.diagnostics.diagnostics.count > 100)
        switch kind {
        case .failing: #expect(summary.invalid > 1000)
        case .frequent: #expect(result.requests["SendSms", default: 0] > 10 && result.requests["SendBatchSms", default: 0] > 100)
        case .constant: #expect(result.requests["SendBatchSms"] == 0 && result.requests["SendSms", default: 0] > 50)
        case .mixed, .gb18030: #expect(result.requests["SendSms"] == 0 && summary.invalid > 1000)
        }
        try Self.check("generated-\(kind.rawValue)", digest)
    }
}

/// A deterministic campaign of many rows that exercises every path of the row reader and checker.
struct GeneratedCampaign {
    enum Kind: String, CaseIterable, Sendable {
        /// Mostly clean rows, a few invalid ones (skipped), duplicates, quoting, CRLF, a BOM.
        case mixed
        /// Value sets repeated hundreds of times, grouped into SendSms requests.
        case frequent
        /// Invalid rows with `invalid: fail`: no plan, every diagnostic.
        case failing
        /// Constants only: every recipient in SendSms groups.
        case constant
        /// GB18030 CSV with a JSON Lines source after it.
        case gb18030
    }

    let folder: String
    var campaignPath: String { folder + "/c.yaml" }

    init(kind: Kind, rows: Int) throws {
        folder = try scratchFolder()
        var random = SplitMix64(state: 0x5A1F0 &+ UInt64(kind.rawValue.utf8.count))
        let surnames = Array("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗")
        let given = Array("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英")
        var csv = kind == .mixed ? "\u{FEFF}" : ""
        csv += "phone,name,code\r\n"
        var jsonl = ""
        var exclusions = "phone\n"
        var used: [String] = []
        for index in 0..<rows {
            let number = 13_000_000_000 + Int(random.next() % 6_999_999_999)
            let digits = String(number)
            var phone = digits
            switch random.next() % 20 {
            case 0: phone = "+86 \(digits.prefix(3))-\(digits.dropFirst(3).prefix(4))-\(digits.suffix(4))"
            case 1: phone = "0086" + digits
            default: break
            }
            var name = String(surnames[Int(random.next() % UInt64(surnames.count))]) + String(given[Int(random.next() % UInt64(given.count))])
            var code = String(100_000 + random.next() % 900_000)
            if kind == .frequent, random.next() % 3 != 0 {
                name = ["会员", "顾客", "朋友"][Int(random.next() % 3)]
                code = ["8888", "6666"][Int(random.next() % 2)]
            }
            let roll = random.next() % 1000
            var line = "\(phone),\(name),\(code)"
            switch roll {
            case 0..<4 where kind != .constant: line = "\(phone),\"\(name),先生\",\(code)"
            case 4..<7: line = "\(phone),\"\(name)\n\(name)\",\(code)"
            case 7..<10: line = "\(phone),\"\(name)\"\"小\"\"\",\(code)"
            case 10..<13: line = "\(phone),\(name),12345678"
            case 13..<15: line = "12345,\(name),\(code)"
            case 15..<17: line = "\(phone),\(name)"
            case 17..<19: line = "\(phone),,\(code)"
            case 19..<21: line = "\(phone),见 www.example.com,\(code)"
            case 21..<23: line = "+44 20 7946 0958,\(name),\(code)"
            case 23..<25: line = "\(phone),\(String(repeating: "长", count: 40)),\(code)"
            case 25..<27: line = "\n"
            case 27..<40: exclusions += digits + "\n"
            case 40..<60 where !used.isEmpty:
                // A number seen before, written another way.
                let earlier = used[Int(random.next() % UInt64(used.count))]
                line = "+86 \(earlier),\(name),\(code)"
            default: break
            }
            if index % 5 == 0 { used.append(digits) }
            if kind == .gb18030, index % 4 == 0 {
                jsonl += "{\"phone\": \"\(phone)\", \"name\": \"\(name)\", \"code\": \(code.allSatisfy(\.isNumber) ? code : "\"\(code)\"")}\n"
                continue
            }
            csv += line + (kind == .mixed && index % 3 == 0 ? "\n" : "\r\n")
            if roll == 40 { csv += line + "\r\n" }
        }
        let data: Data
        if kind == .gb18030 {
            data = Data(try #require(Self.gb18030(csv)))
        } else {
            data = Data(csv.utf8)
        }
        try data.write(to: URL(fileURLWithPath: folder + "/m.csv"))
        try jsonl.write(toFile: folder + "/m.jsonl", atomically: true, encoding: .utf8)
        try exclusions.write(toFile: folder + "/x.csv", atomically: true, encoding: .utf8)
        let parameters = kind == .constant
            ? "  name: { type: name, value: \"会员\" }\n  code: { type: code, value: \"8888\" }"
            : "  name: { type: name, from: name, default: \"顾客\" }\n  code: { type: code, from: code }"
        let sources = kind == .gb18030 ? "    - csv: m.csv\n      encoding: gb18030\n    - jsonl: m.jsonl" : "    - csv: m.csv"
        let yaml = """
            version: 1
            campaign: generated-\(kind.rawValue)
            sign-name: 云杉商城
            template:
              code: SMS_465012345
              type: verification
              content: "${name}您好，您的验证码为${code}，5分钟内有效。"
            parameters:
            \(parameters)
            recipients:
              from:
            \(sources)
              exclude:
                - csv: x.csv
              invalid: \(kind == .failing ? "fail" : "skip")
            sending:
              batch-size: 100
              max-recipients: 1000000
              max-cost: 100000

            """
        try yaml.write(toFile: campaignPath, atomically: true, encoding: .utf8)
    }
}

extension GeneratedCampaign {
    /// `text` in GB18030, through iconv (as the reader converts it back).
    static func gb18030(_ text: String) -> [UInt8]? {
        let converter = iconv_open("GB18030", "UTF-8")
        guard let converter, converter != iconv_t(bitPattern: -1) else { return nil }
        defer { iconv_close(converter) }
        var input = Array(text.utf8)
        var output = [UInt8](repeating: 0, count: input.count * 2 + 16)
        let produced: Int? = input.withUnsafeMutableBufferPointer { inBuffer in
            output.withUnsafeMutableBufferPointer { outBuffer in
                guard let inBase = inBuffer.baseAddress, let outBase = outBuffer.baseAddress else { return 0 }
                var inPointer: UnsafeMutablePointer<CChar>? = UnsafeMutableRawPointer(inBase).assumingMemoryBound(to: CChar.self)
                var inLeft = inBuffer.count
                var outPointer: UnsafeMutablePointer<CChar>? = UnsafeMutableRawPointer(outBase).assumingMemoryBound(to: CChar.self)
                var outLeft = outBuffer.count
                guard iconv(converter, &inPointer, &inLeft, &outPointer, &outLeft) != -1 else { return nil }
                return outBuffer.count - outLeft
            }
        }
        guard let produced else { return nil }
        return Array(output.prefix(produced))
    }
}
