import SQLiteDatabase
import Foundation
import Testing
@testable import CampaignCompiler
import YAMLSyntax

/// A scratch folder for files a test writes.
func scratchFolder() throws -> String {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("salvo-tests-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    return folder
}

/// Every row of a source, or the error that stopped it.
func readAll(_ source: some RecipientSource) async -> (header: RecipientHeader?, rows: [RecipientRow], error: RecipientSourceError?) {
    let opened: (header: RecipientHeader, rows: any AsyncSequence<RecipientRow, RecipientSourceError>)
    do {
        let (header, rows) = try source.open()
        opened = (header, rows)
    } catch {
        return (nil, [], error)
    }
    var rows: [RecipientRow] = []
    do {
        for try await row in opened.rows { rows.append(row) }
    } catch {
        return (opened.header, rows, error)
    }
    return (opened.header, rows, nil)
}

/// The same three recipients in every kind of source: each must yield the same columns and rows.
@Suite struct RecipientSourceConformanceTests {
    static let columns = ["customer_name", "phone"]
    static let records = [["张伟", "13800138000"], ["李娜, Jr.", "+86 139-0000-0001"], ["O\"Brien", "13700000002"]]

    static func sources() throws -> [any RecipientSource] {
        let folder = try scratchFolder()
        let csv = "customer_name,phone\n张伟,13800138000\n\"李娜, Jr.\",+86 139-0000-0001\n\"O\"\"Brien\",13700000002\n"
        try csv.write(toFile: folder + "/r.csv", atomically: true, encoding: .utf8)
        let jsonl = """
            {"phone": "13800138000", "customer_name": "张伟"}
            {"customer_name": "李娜, Jr.", "phone": "+86 139-0000-0001"}
            {"phone": 13700000002, "customer_name": "O\\"Brien"}

            """
        try jsonl.write(toFile: folder + "/r.jsonl", atomically: true, encoding: .utf8)
        try SQLiteConnection(path: folder + "/r.db", mode: .create)
            .execute("CREATE TABLE m(name TEXT, mobile TEXT); INSERT INTO m VALUES ('张伟','13800138000'), ('李娜, Jr.','+86 139-0000-0001'), ('O\"Brien','13700000002');")
        return [
            CSVSource(path: folder + "/r.csv"),
            JSONLSource(path: folder + "/r.jsonl"),
            SQLiteSource(path: folder + "/r.db", query: "SELECT name AS customer_name, mobile AS phone FROM m ORDER BY rowid"),
            MemorySource(columns: columns, records: records),
        ]
    }

    @Test func everySourceYieldsTheSameRows() async throws {
        for source in try Self.sources() {
            let result = await readAll(source)
            #expect(result.error == nil, "\(source.path): \(String(describing: result.error))")
            let header = try #require(result.header)
            #expect(Set(header.columns) == Set(Self.columns), "\(source.path)")
            let byName = result.rows.map { row in
                Self.columns.map { column in header.columns.firstIndex(of: column).map { row.fields[$0] } ?? "?" }
            }
            #expect(byName == Self.records, "\(source.path)")
            #expect(result.rows.map(\.line) == result.rows.map(\.line).sorted(), "lines increase in \(source.path)")
            for row in result.rows {
                #expect(row.positions.count == row.fields.count)
                #expect(row.positions.allSatisfy { $0.line >= row.line && $0.column >= 1 })
            }
        }
    }

    @Test func everySourceSaysWhenItsFileIsMissing() async {
        let sources: [any RecipientSource] = [
            CSVSource(path: "/nonexistent/r.csv"), JSONLSource(path: "/nonexistent/r.jsonl"), SQLiteSource(path: "/nonexistent/r.db", query: "SELECT 1"),
        ]
        for source in sources {
            #expect(await readAll(source).error?.code == .missing, "\(source.path)")
        }
    }
}

@Suite struct CSVSourceTests {
    static func csv(_ bytes: [UInt8], encoding: RecipientSourceSpec.Encoding = .utf8) async throws -> (header: RecipientHeader?, rows: [RecipientRow], error: RecipientSourceError?) {
        let path = try scratchFolder() + "/f.csv"
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return await readAll(CSVSource(path: path, encoding: encoding))
    }

    @Test func bomCRLFQuotesAndNewlinesKeepPhysicalLines() async throws {
        let text = "\u{FEFF}phone,name\r\n13800138000,\"张\r\n伟\"\r\n\r\n13800138001,\"a,\"\"b\"\"\"\r\n13800138002,末"
        let result = try await Self.csv(Array(text.utf8))
        #expect(result.error == nil)
        #expect(result.header?.columns == ["phone", "name"])
        #expect(result.rows.map(\.fields) == [["13800138000", "张\r\n伟"], ["13800138001", "a,\"b\""], ["13800138002", "末"]])
        #expect(result.rows.map(\.line) == [2, 5, 6])
        #expect(result.rows[0].positions == [SourcePosition(line: 2, column: 1), SourcePosition(line: 2, column: 13)])
        #expect(result.rows[2].positions[1] == SourcePosition(line: 6, column: 13))
    }

    @Test func aLoneCRAlsoEndsARow() async throws {
        let result = try await Self.csv(Array("phone\r13800138000\r13800138001".utf8))
        #expect(result.rows.map(\.line) == [2, 3])
    }

    @Test func truncationInsideAQuoteIsReportedWhereTheQuoteOpens() async throws {
        let result = try await Self.csv(Array("phone,name\n13800138000,甲\n13800138001,\"乙\n13800138002,丙\n".utf8))
        #expect(result.rows.count == 1, "rows before the cut are kept")
        #expect(result.error?.code == .unclosedQuote)
        #expect(result.error?.position == SourcePosition(line: 3, column: 13))
    }

    @Test func invalidUTF8IsReportedAtItsField() async throws {
        var bytes = Array("phone,name\n13800138000,".utf8)
        bytes += [0xD5, 0xC5, 0xCE, 0xB0, 0x0A]  // 张伟 in GB18030
        let result = try await Self.csv(bytes)
        #expect(result.error?.code == .encoding)
        #expect(result.error?.position == SourcePosition(line: 2, column: 13))
    }

    @Test func gb18030ExportsAreDecoded() async throws {
        var bytes: [UInt8] = [0xCA, 0xD6, 0xBB, 0xFA, 0x2C, 0xD0, 0xD5, 0xC3, 0xFB, 0x0D, 0x0A]  // 手机,姓名
        bytes += Array("13800138000,".utf8) + [0xD5, 0xC5, 0xCE, 0xB0, 0x0D, 0x0A]
        let result = try await Self.csv(bytes, encoding: .gb18030)
        #expect(result.error == nil)
        #expect(result.header?.columns == ["手机", "姓名"])
        #expect(result.rows.first?.fields == ["13800138000", "张伟"])
    }

    @Test func rowsAcrossReadChunksAreWhole() async throws {
        var text = "phone,name\n"
        let count = 70_000  // about 2.3 MB: several 1 MiB reads
        for index in 0..<count {
            text += "138\(String(format: "%08d", index)),\"名字\n\(index)\"\n"
        }
        let result = try await Self.csv(Array(text.utf8))
        #expect(result.error == nil)
        #expect(result.rows.count == count)
        #expect(result.rows.last?.line == 2 + (count - 1) * 2)
        #expect(result.rows.last?.fields == ["138\(String(format: "%08d", count - 1))", "名字\n\(count - 1)"])
        #expect(result.rows.allSatisfy { $0.fields.count == 2 })
    }

    @Test func anEmptyFileHasNoHeader() async throws {
        #expect(try await Self.csv([]).error?.code == .empty)
        #expect(try await Self.csv([0xEF, 0xBB, 0xBF]).error?.code == .empty)
    }
}

/// Random mutations of a CSV file (quotes, cuts, bytes that are not UTF-8): reading never
/// crashes, and whatever stops it carries a position.
@Suite struct CSVFuzzTests {
    @Test func mutatedCSVNeverCrashesAndErrorsHavePositions() async throws {
        let seed = Array("phone,name,code\n13800138000,\"张,伟\",1234\n+86 139 0000 0001,\"李\"\"娜\",A1B2\n13700000002,\"多\n行\",9999\n".utf8)
        let pieces: [[UInt8]] = [[0x22], [0x2C], [0x0A], [0x0D], [0xFF], [0xC3], [0xE5, 0xBC], [0x22, 0x22], Array("张".utf8)]
        var random = SplitMix64(state: 42)
        let folder = try scratchFolder()
        let iterations = Int(ProcessInfo.processInfo.environment["SALVO_FUZZ_ITERATIONS"] ?? "") ?? 2000
        for iteration in 0..<iterations {
            var bytes = seed
            for _ in 0..<Int.random(in: 1...3, using: &random) {
                let position = Int.random(in: 0...bytes.count, using: &random)
                switch Int.random(in: 0..<3, using: &random) {
                case 0: bytes.insert(contentsOf: pieces.randomElement(using: &random) ?? [], at: position)
                case 1: bytes = Array(bytes.prefix(position))
                default: if position < bytes.count { bytes.remove(at: position) }
                }
            }
            let path = folder + "/f\(iteration % 8).csv"
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            let result = await readAll(CSVSource(path: path))
            if let error = result.error, error.code != .empty {
                let position = try #require(error.position, "iteration \(iteration): \(error.message)")
                #expect(position.line >= 1 && position.column >= 1)
            }
            for row in result.rows {
                #expect(row.positions.count == row.fields.count)
                #expect(row.line >= 2)
            }
        }
    }
}

@Suite struct PhoneNumberTests {
    @Test(arguments: [
        ("13800138000", "13800138000"), ("+8613800138000", "13800138000"), ("008613800138000", "13800138000"),
        ("8613800138000", "13800138000"), ("+86 138-0013-8000", "13800138000"), ("138 0013 8000", "13800138000"),
        ("(+86) 138.0013.8000", "13800138000"), ("19912345678", "19912345678"),
    ])
    func mainlandFormsNormalise(text: String, expected: String) throws {
        let number = try PhoneNumber.parse(text).get()
        #expect(number == .mainland(UInt64(expected) ?? 0))
        #expect(number.digits == expected)
    }

    @Test(arguments: [
        ("", PhoneNumber.Problem.empty), ("1380013800", .mainlandForm), ("12800138000", .mainlandForm), ("23800138000", .mainlandForm),
        ("138001380001", .mainlandForm), ("138-0013-800x", .characters), ("+", .characters), ("+1 23", .internationalLength),
        ("8612800138000", .mainlandForm),
    ])
    func invalidFormsAreNamed(text: String, problem: PhoneNumber.Problem) {
        #expect(PhoneNumber.parse(text) == .failure(problem))
    }

    @Test func internationalNumbersKeepTheirCountryCode() throws {
        let number = try PhoneNumber.parse("+44 20 7946 0000").get()
        #expect(number == .international(442079460000, digits: 12))
        #expect(number.digits == "442079460000")
        #expect(try PhoneNumber.parse("00442079460000").get() == number)
        #expect(number.key != PhoneNumber.mainland(442079460000).key)
        #expect(try PhoneNumber.parse("+1 5551234567").get().key != PhoneNumber.mainland(15551234567).key)
    }

    @Test func maskingHidesTheMiddle() {
        #expect(PhoneNumber.mainland(13800138000).masked == "138****8000")
    }
}

@Suite struct PhoneSetTests {
    @Test func agreesWithASetAndStaysWithinEightBytesPerNumber() {
        var random = SplitMix64(state: 7)
        var set = PhoneSet()
        var reference = Set<UInt64>()
        for _ in 0..<300_000 {
            let value = UInt64.random(in: 13_000_000_000...19_999_999_999, using: &random)
            let number = PhoneNumber.mainland(value)
            #expect(set.insert(number) == reference.insert(value).inserted)
        }
        #expect(set.count == reference.count)
        for _ in 0..<10_000 {
            let value = UInt64.random(in: 13_000_000_000...19_999_999_999, using: &random)
            #expect(set.contains(.mainland(value)) == reference.contains(value))
        }
        #expect(set.contains(.mainland(19_999_999_999)) == reference.contains(19_999_999_999))
        #expect(Double(set.storageBytes) / Double(set.count) <= 8.0 + 1e-9 + 64.0 * 8 / Double(set.count))
    }
}
