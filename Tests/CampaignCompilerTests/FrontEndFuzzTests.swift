import Foundation
import Testing
@testable import CampaignCompiler
import YAMLSyntax

/// A small deterministic generator (SplitMix64), so a failing mutation can be replayed from its seed.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Random byte mutations of valid campaign files: the front end must never crash, and every
/// diagnostic must carry a position inside the file (or just past its end).
@Suite struct FrontEndFuzzTests {
    static let interesting: [[UInt8]] = [
        Array(":".utf8), Array("-".utf8), Array("[".utf8), Array("{".utf8), Array("&a".utf8), Array("*a".utf8),
        Array("<<: ".utf8), Array("\t".utf8), Array("\n".utf8), Array("'".utf8), Array("\"".utf8), Array("${".utf8),
        Array("}".utf8), Array("|".utf8), Array("---\n".utf8), Array("? ".utf8), Array("!!str ".utf8), Array("#".utf8),
        [0x00], [0xFF], [0xC3], [0xE4, 0xB8], Array("张".utf8), Array("【".utf8), Array("%".utf8), Array("\r\n".utf8),
    ]

    static func mutate(_ input: [UInt8], using random: inout SplitMix64) -> [UInt8] {
        var bytes = input
        for _ in 0..<Int.random(in: 1...4, using: &random) {
            let position = bytes.isEmpty ? 0 : Int.random(in: 0..<bytes.count, using: &random)
            switch Int.random(in: 0..<6, using: &random) {
            case 0 where !bytes.isEmpty: bytes[position] = UInt8.random(in: 0...255, using: &random)
            case 1 where !bytes.isEmpty: bytes.remove(at: position)
            case 2: bytes.insert(contentsOf: interesting.randomElement(using: &random) ?? [], at: position)
            case 3 where !bytes.isEmpty: bytes = Array(bytes.prefix(position))
            case 4 where bytes.count > 8:
                let length = Int.random(in: 1...min(40, bytes.count - position), using: &random)
                let chunk = Array(bytes[position..<(position + length)])
                bytes.insert(contentsOf: chunk, at: Int.random(in: 0...bytes.count, using: &random))
            default:
                let length = Int.random(in: 0...min(20, bytes.count - position), using: &random)
                bytes.removeSubrange(position..<(position + length))
            }
        }
        return bytes
    }

    static func seeds() -> [[UInt8]] {
        let root = Fixtures.packageRoot + "/campaigns/"
        let names = (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []
        return names.filter { $0.hasSuffix(".yaml") }.sorted().compactMap { FileManager.default.contents(atPath: root + $0).map { [UInt8]($0) } }
    }

    @Test func mutatedCampaignsNeverCrashAndAlwaysLocateTheirErrors() async throws {
        let seeds = Self.seeds()
        try #require(!seeds.isEmpty)
        let iterations = Int(ProcessInfo.processInfo.environment["SALVO_FUZZ_ITERATIONS"] ?? "") ?? 20000
        var random = SplitMix64(state: UInt64(ProcessInfo.processInfo.environment["SALVO_FUZZ_SEED"] ?? "") ?? 20_270_301)
        var withErrors = 0
        for iteration in 0..<iterations {
            let input = Self.mutate(seeds[iteration % seeds.count], using: &random)
            let path = Fixtures.packageRoot + "/campaigns/fuzz-\(iteration).yaml"
            let check = await CampaignChecker.check(bytes: input, path: path, options: CheckOptions(checksRecipientFiles: false))
            let lines = check.sources[path]?.lines.count ?? 1
            if check.diagnostics.contains(where: { $0.severity == .error }) { withErrors += 1 }
            for diagnostic in check.diagnostics {
                let location = try #require(diagnostic.location, "iteration \(iteration): '\(diagnostic.message)' has no location")
                #expect(location.range.start.line >= 1 && location.range.start.line <= lines + 1, "iteration \(iteration): line \(location.range.start.line) of \(lines)")
                #expect(location.range.start.column >= 1)
                #expect(location.range.end >= location.range.start)
                // Rendering must cope with every position too.
                _ = TextReporter().render(diagnostic, sources: check.sources)
            }
        }
        #expect(withErrors > iterations / 4, "mutations should mostly break files; \(withErrors) of \(iterations) did")
    }

    /// Recipient files mutated with the hostile bytes (NUL, ESC, C1, stray quotes, CR, invalid
    /// UTF-8, long runs): the check never crashes, every problem is located inside the file or at
    /// the campaign's source line, and no rendered diagnostic carries a raw control character.
    @Test func mutatedRecipientFilesNeverCrashOrEchoControlCharacters() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("salvo-fuzz-rows-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let campaign = """
            version: 1
            campaign: fuzz
            sign-name: 云杉商城
            template: { code: SMS_1, type: notification, content: "${name}您好，订单${code}已发货" }
            parameters:
              name: { type: name, from: name }
              code: { type: code, from: code }
            recipients:
              from:
                - csv: m.csv
                - jsonl: m.jsonl
            """
        try campaign.write(toFile: folder + "/c.yaml", atomically: true, encoding: .utf8)
        let csvSeed = Array("phone,name,code\n13800138000,张伟,A1B2\n\"13800138001\",\"李,娜\",C3D4\r\n13800138002,王芳,E5F6\n".utf8)
        let jsonSeed = Array("{\"phone\":\"13800138003\",\"name\":\"赵\",\"code\":\"X1Y2\"}\n{\"phone\":13800138004,\"name\":\"\\u001b[31m\",\"code\":\"Z9Z9\"}\n".utf8)
        let hostile: [[UInt8]] = [[0x00], [0x1B, 0x5B, 0x32, 0x4A], [0xC2, 0x9B], [0x22], [0x0D], [0xFF, 0xFE], Array(repeating: 0x41, count: 300)]
        let iterations = Int(ProcessInfo.processInfo.environment["SALVO_FUZZ_ITERATIONS"] ?? "").map { max($0 / 20, 50) } ?? 1000
        var random = SplitMix64(state: UInt64(ProcessInfo.processInfo.environment["SALVO_FUZZ_SEED"] ?? "") ?? 20_261_130)
        for iteration in 0..<iterations {
            var csv = Self.mutate(csvSeed, using: &random)
            var json = Self.mutate(jsonSeed, using: &random)
            if Bool.random(using: &random), let bytes = hostile.randomElement(using: &random) { csv.insert(contentsOf: bytes, at: Int.random(in: 0...csv.count, using: &random)) }
            if Bool.random(using: &random), let bytes = hostile.randomElement(using: &random) { json.insert(contentsOf: bytes, at: Int.random(in: 0...json.count, using: &random)) }
            _ = FileManager.default.createFile(atPath: folder + "/m.csv", contents: Data(csv))
            _ = FileManager.default.createFile(atPath: folder + "/m.jsonl", contents: Data(json))
            let check = await CampaignChecker.check(path: folder + "/c.yaml")
            for diagnostic in check.diagnostics {
                let location = try #require(diagnostic.location, "iteration \(iteration): '\(diagnostic.message)' has no location")
                #expect(location.range.start.line >= 1 && location.range.start.column >= 1, "iteration \(iteration)")
                let rendered = TextReporter().render(diagnostic, sources: check.sources) + GitHubReporter().annotation(diagnostic)
                let raw = rendered.unicodeScalars.filter { ($0.value < 0x20 && $0 != "\n") || (0x7F...0x9F).contains($0.value) }
                #expect(raw.isEmpty, "iteration \(iteration): raw control characters \(raw.map(\.value)) in \(rendered)")
            }
        }
    }
}
