import Foundation
import Testing
@testable import CampaignCompiler
import YAMLSyntax
import SQLiteDatabase
#if canImport(Glibc)
import Glibc
#endif

/// The fast row reader (chunks scanned in parallel, rows checked without strings) against a
/// deliberately simple reference reader that holds the whole file and walks it byte by byte, on
/// random and mutated CSV and JSON Lines files. Both feed the same campaign's checker; the rows
/// accepted, the counts and every diagnostic (id, message, file, line, column) must be the same.
/// Chunks are made tiny so that their boundaries fall everywhere: inside quotes, between CR and LF,
/// inside a character.
@Suite struct RowReaderDifferentialTests {
    /// What a check produced, in a form two checks can be compared by.
    struct Outcome: Equatable, CustomStringConvertible {
        var accepted: [String]
        var diagnostics: [String]
        var counts: String

        var description: String {
            "counts: \(counts)\ndiagnostics:\n" + diagnostics.joined(separator: "\n") + "\naccepted: \(accepted.count)"
        }
    }

    static func outcome(_ checker: RecipientChecker) async -> Outcome {
        var accepted: [String] = []
        let check = await checker.check { (recipient: AcceptedRecipient) throws(Never) in
            accepted.append("\(recipient.phone.digits) \(recipient.values) \(recipient.line) \(recipient.length) \(recipient.encoding) \(recipient.segments) \(recipient.sourceIndex)")
        }
        return outcome(check, accepted: accepted)
    }

    static func outcome(_ check: RecipientCheck, accepted: [String]) -> Outcome {
        let diagnostics = check.collector.diagnostics.map { diagnostic in
            let location = diagnostic.location.map { "\(($0.file as NSString).lastPathComponent):\($0.range.start.line):\($0.range.start.column)" } ?? "-"
            let notes = diagnostic.notes.map { note in
                "\(note.message) @\(note.location.map { "\($0.range.start.line):\($0.range.start.column)" } ?? "-")"
            }
            return "\(diagnostic.id.rawValue) \(location) \(diagnostic.message) \(notes)"
        }
        let summary = check.summary
        let counts = "read \(summary.read) invalid \(summary.invalid) duplicates \(summary.duplicates) excluded \(summary.excluded) toSend \(summary.toSend) "
            + "segments \(summary.totalSegments) \(summary.segmentHistogram.sorted { $0.key < $1.key }) "
            + "first \(summary.firstMultiSegmentRow.map { "\($0.range.start.line):\($0.range.start.column)" } ?? "-")"
        return Outcome(accepted: accepted, diagnostics: diagnostics, counts: counts)
    }

    /// A campaign over one recipient file, checked by the fast reader and by the reference.
    static func compare(file bytes: [UInt8], kind: RecipientSourceSpec.Kind, gb18030: Bool, chunk: Int, name: String,
                        international: Bool = false, database: ((String) throws -> Void)? = nil) async throws {
        let folder = try scratchFolder()
        let fileName = kind == .csv ? "m.csv" : kind == .jsonl ? "m.jsonl" : "m.db"
        if let database {
            try database(folder + "/" + fileName)
        } else {
            try Data(bytes).write(to: URL(fileURLWithPath: folder + "/" + fileName))
        }
        try "phone\n13800000007\n".write(toFile: folder + "/x.csv", atomically: true, encoding: .utf8)
        let query = "SELECT phone, name, code FROM m ORDER BY rowid"
        let source = switch kind {
        case .csv: "    - csv: m.csv\n" + (gb18030 ? "      encoding: gb18030\n" : "")
        case .jsonl: "    - jsonl: m.jsonl\n"
        case .sqlite: "    - sqlite: m.db\n      query: \"\(query)\"\n"
        }
        // An international campaign: an English sign and text, so that rows are GSM-7 until a
        // value is not; bare digits are Singapore numbers.
        let template = international ? """
            sign-name: Yunshan
            template:
              code: SMS_465012345
              type: verification
              destination: international
              content: "Hi ${name}, your Yunshan code is ${code} [valid 5 min]. Never share it with anyone, not even us."
            """ : """
            sign-name: 云杉商城
            template:
              code: SMS_465012345
              type: verification
              content: "${name}您好，您的验证码为${code}，5分钟内有效。"
            """
        let yaml = """
            version: 1
            campaign: differential
            \(template)
            parameters:
              name: { type: name, from: name, default: "顾客" }
              code: { type: code, from: code }
            recipients:
              from:
            \(source)  exclude:
                - csv: x.csv
              invalid: skip
            \(international ? "  default-country: SG" : "")
            sending:
              max-recipients: 1000000

            """
        try yaml.write(toFile: folder + "/c.yaml", atomically: true, encoding: .utf8)
        let check = await CampaignChecker.check(path: folder + "/c.yaml", options: CheckOptions(checksRecipientFiles: false))
        let campaign = try #require(check.campaign, "\(check.diagnostics.map(\.message))")

        var fast = RecipientChecker(campaign: campaign, diagnosticLimit: nil)
        fast.chunkBytes = chunk
        var reference = RecipientChecker(campaign: campaign, diagnosticLimit: nil)
        let path = folder + "/" + fileName
        let columns = ["phone", "name", "code"]
        reference.sourceOverride = { _ in
            switch kind {
            case .csv: ReferenceCSV.read(path: path, gb18030: gb18030)
            case .jsonl: ReferenceJSONL.read(path: path, columns: columns)
            // The reference for a query is the row-at-a-time reader.
            case .sqlite: SQLiteSource(path: path, query: query)
            }
        }
        let got = await outcome(fast)
        let expected = await outcome(reference)
        #expect(got == expected, "\(name) (chunks of \(chunk) bytes)\n--- fast\n\(got)\n--- reference\n\(expected)")
        if got != expected, let dump = ProcessInfo.processInfo.environment["SALVO_DIFF_DUMP"] {
            try? Data(bytes).write(to: URL(fileURLWithPath: dump + "/" + name.replacingOccurrences(of: " ", with: "-") + "-\(chunk)"))
        }
    }

    // MARK: - Inputs

    static let phones = ["13800138000", "13912345678", "+86 139-1234-5679", "008613700000001", "8613700000002", "13800000007", "1380013800", "abc",
                         "", "+44 20 7946 0958", "(139) 1234 5670", "19999999999", "13800138000", "15000000000", "17100000000"]
    static let names = ["王伟", "李娜", "张", "Ann", "", "欧阳娜娜", "见 www.example.com", "【张】", "😀小明", String(repeating: "长", count: 40), "a\u{7}b", "Zoë", " 陈 "]
    static let codes = ["123456", "abcd", "12", "1234567", "", "12ab", "9999"]
    /// International campaigns' numbers: every written form, mainland ones, unknown codes,
    /// impossible lengths, Singapore national numbers (the default country), repeats.
    static let internationalPhones = ["+852 5123 4567", "0085251234567", "85251234567", "8123 4567", "+65 8123 4567", "6581234567", "+44 7700 900123",
                                      "0044 (0)7700 900123", "+86 138 0013 8000", "13800138000", "+999 1234", "+852 1234 567890", "", "abc",
                                      "+1 415 555 0100", "+61 412 345 678", "9123 4568", "+81 90 1234 5678", "00 49 1512 3456789"]
    static let internationalNames = ["Ann", "Zoë", "Müller", "李娜", "{Bob}", "a|b~c", "€5 off", "", String(repeating: "x", count: 34), "😀", "O'Neil"]

    /// A random CSV file: quoting, line ends, blank lines, field counts and values of every kind.
    static func csv(_ random: inout SplitMix64, rows: Int, phones: [String] = phones, names: [String] = names) -> [UInt8] {
        func pick<T>(_ list: [T]) -> T { list[Int(random.next() % UInt64(list.count))] }
        var text: [UInt8] = random.next() % 4 == 0 ? [0xEF, 0xBB, 0xBF] : []
        let ends = ["\n", "\r\n", "\r"]
        let end = pick(ends)
        text += Array("phone,name,code".utf8) + Array(end.utf8)
        for _ in 0..<rows {
            var fields = [pick(phones), pick(names), pick(codes)]
            if random.next() % 12 == 0 { fields.append(pick(codes)) }
            if random.next() % 15 == 0 { fields.removeLast() }
            let rendered = fields.map { field -> String in
                switch random.next() % 10 {
                case 0: return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
                case 1: return "\"" + field + ",先生\""
                case 2: return "\"" + field + "\nx\""
                case 3: return "\"" + field + "\r\n\"\"y\"\"\""
                case 4 where random.next() % 4 == 0: return "\"" + field + "\"tail"
                default: return field
                }
            }
            text += Array(rendered.joined(separator: ",").utf8)
            text += Array((random.next() % 6 == 0 ? pick(ends) : end).utf8)
            if random.next() % 20 == 0 { text += Array(end.utf8) }
        }
        if random.next() % 3 == 0, text.last == 0x0A || text.last == 0x0D { text.removeLast() }
        return text
    }

    /// A random JSON Lines file: strings with and without escapes, numbers, other JSON values,
    /// missing and repeated keys, blank and broken lines.
    static func jsonl(_ random: inout SplitMix64, rows: Int) -> [UInt8] {
        func pick<T>(_ list: [T]) -> T { list[Int(random.next() % UInt64(list.count))] }
        func value(_ text: String) -> String {
            switch random.next() % 9 {
            case 0 where !text.isEmpty && text.allSatisfy(\.isNumber) && text.first != "0": return text
            case 1: return "\"" + text.unicodeScalars.map { $0.value < 0x80 ? String($0) : String(format: "\\u%04x", $0.value) }.joined() + "\""
            case 2: return "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\\n\""
            case 3: return pick(["true", "null", "1.5", "[1]", "{\"a\":1}", "-0", "1e3", "012", "\"\\ud800\""])
            default: return "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
            }
        }
        var text: [UInt8] = random.next() % 4 == 0 ? [0xEF, 0xBB, 0xBF] : []
        for _ in 0..<rows {
            var pairs = [("phone", pick(phones)), ("name", pick(names)), ("code", pick(codes))]
            if random.next() % 8 == 0 { pairs.removeFirst() }
            if random.next() % 10 == 0 { pairs.append(("name", pick(names))) }
            if random.next() % 5 == 0 { pairs.append(("extra", pick(names))) }
            if random.next() % 4 == 0 { pairs.shuffle(using: &random) }
            var line = "{" + pairs.map { "\"\($0.0)\": \(value($0.1))" }.joined(separator: random.next() % 2 == 0 ? ", " : ",") + "}"
            switch random.next() % 25 {
            case 0: line = "[1, 2]"
            case 1: line = "   "
            case 2: line = ""
            case 3: line = "{\"phone\": \"13800138000\""
            default: break
            }
            text += Array(line.utf8) + Array((random.next() % 5 == 0 ? "\r\n" : "\n").utf8)
        }
        if random.next() % 3 == 0, text.last == 0x0A { text.removeLast() }
        return text
    }

    /// Flips, inserts and deletes a few bytes (quotes, line ends, NUL, bytes that are not UTF-8).
    static func mutate(_ bytes: [UInt8], _ random: inout SplitMix64) -> [UInt8] {
        var bytes = bytes
        for _ in 0..<(1 + Int(random.next() % 4)) where !bytes.isEmpty {
            let at = Int(random.next() % UInt64(bytes.count))
            let byte: UInt8 = [0x22, 0x2C, 0x0A, 0x0D, 0x00, 0xFF, 0xE4, 0x7B, 0x5C][Int(random.next() % 9)]
            switch random.next() % 3 {
            case 0: bytes[at] = byte
            case 1: bytes.insert(byte, at: at)
            default: bytes.remove(at: at)
            }
        }
        return bytes
    }

    static let chunkSizes = [7, 16, 33, 64, 150, 1 << 20]

    /// One of `chunkSizes`, at random.
    static func chunkSize(_ random: inout SplitMix64) -> Int {
        chunkSizes[Int(random.next() % UInt64(chunkSizes.count))]
    }

    /// Rounds per test; `SALVO_FUZZ_ROUNDS` runs more (and `SALVO_FUZZ_SEED` others) for a longer search.
    static func rounds(_ normal: Int) -> Int {
        Int(ProcessInfo.processInfo.environment["SALVO_FUZZ_ROUNDS"] ?? "") ?? normal
    }

    static func seed(_ normal: UInt64) -> UInt64 {
        normal &+ (UInt64(ProcessInfo.processInfo.environment["SALVO_FUZZ_SEED"] ?? "") ?? 0)
    }

    @Test func csvFilesReadTheSameByBothReaders() async throws {
        var random = SplitMix64(state: Self.seed(2027))
        for round in 0..<Self.rounds(160) {
            var bytes = Self.csv(&random, rows: 5 + Int(random.next() % 60))
            if round % 2 == 1 { bytes = Self.mutate(bytes, &random) }
            let chunk = Self.chunkSize(&random)
            try await Self.compare(file: bytes, kind: .csv, gb18030: false, chunk: chunk, name: "csv round \(round)")
        }
    }

    @Test func internationalFilesReadTheSameByBothReaders() async throws {
        var random = SplitMix64(state: Self.seed(852))
        for round in 0..<Self.rounds(120) {
            var bytes = Self.csv(&random, rows: 5 + Int(random.next() % 60), phones: Self.internationalPhones, names: Self.internationalNames)
            if round % 2 == 1 { bytes = Self.mutate(bytes, &random) }
            let chunk = Self.chunkSize(&random)
            try await Self.compare(file: bytes, kind: .csv, gb18030: false, chunk: chunk, name: "international round \(round)", international: true)
        }
    }

    @Test func gb18030FilesReadTheSameByBothReaders() async throws {
        var random = SplitMix64(state: Self.seed(18030))
        for round in 0..<Self.rounds(60) {
            let text = Self.csv(&random, rows: 5 + Int(random.next() % 40))
            guard var bytes = GeneratedCampaign.gb18030(String(decoding: text, as: UTF8.self)) else {
                Issue.record("iconv cannot write GB18030 here")
                return
            }
            // Bytes that are not GB18030, and a file cut inside a character.
            if round % 3 == 1 { bytes.insert(0xFF, at: Int(random.next() % UInt64(bytes.count))) }
            if round % 3 == 2, bytes.count > 3 { bytes.append(0x81) }
            let chunk = Self.chunkSize(&random)
            try await Self.compare(file: bytes, kind: .csv, gb18030: true, chunk: chunk, name: "gb18030 round \(round)")
        }
    }

    @Test func jsonLinesFilesReadTheSameByBothReaders() async throws {
        var random = SplitMix64(state: Self.seed(4627))
        for round in 0..<Self.rounds(160) {
            var bytes = Self.jsonl(&random, rows: 3 + Int(random.next() % 50))
            if round % 2 == 1 { bytes = Self.mutate(bytes, &random) }
            let chunk = Self.chunkSize(&random)
            try await Self.compare(file: bytes, kind: .jsonl, gb18030: false, chunk: chunk, name: "jsonl round \(round)")
        }
    }

    @Test func sqliteQueriesReadTheSameByBothReaders() async throws {
        var random = SplitMix64(state: Self.seed(3))
        for round in 0..<Self.rounds(40) {
            // Values as SQL: NULL, numbers, text that is not UTF-8 (with a NUL), and the usual texts.
            var rows: [[String]] = []
            func pick<T>(_ list: [T]) -> T { list[Int(random.next() % UInt64(list.count))] }
            for _ in 0..<(5 + Int(random.next() % 60)) {
                rows.append([0, 1, 2].map { column -> String in
                    switch random.next() % 12 {
                    case 0: return "NULL"
                    case 1: return String(13_800_000_000 + Int(random.next() % 1000))
                    case 2: return "CAST(X'FF3100E4' AS TEXT)"
                    default: return "'" + pick(column == 0 ? Self.phones : column == 1 ? Self.names : Self.codes).replacingOccurrences(of: "'", with: "''") + "'"
                    }
                })
            }
            let chunk = Self.chunkSize(&random)
            try await Self.compare(file: [], kind: .sqlite, gb18030: false, chunk: chunk, name: "sqlite round \(round)") { path in
                let connection = try SQLiteConnection(path: path, mode: .create)
                try connection.execute("CREATE TABLE m(phone, name, code)")
                for row in rows { try connection.execute("INSERT INTO m VALUES (\(row.joined(separator: ", ")))") }
            }
        }
    }

    @Test func overLongRowsAreErrorsWhereTheyStartForBothReaders() async throws {
        let long = String(repeating: "长", count: 400_000)  // 1.2 MB
        let csv = "phone,name,code\n13800138000,王伟,123456\n13900000001,\(long),123456\n13900000002,李娜,123456\n"
        let quoted = "phone,name,code\n13800138000,王伟,123456\n13900000001,\"\(long)\n\(long)\",123456\n"
        let jsonl = "{\"phone\": \"13800138000\", \"name\": \"王伟\", \"code\": \"123456\"}\n{\"phone\": \"13900000001\", \"name\": \"\(long)\"}\n"
        for chunk in [4096, 1 << 20] {
            try await Self.compare(file: Array(csv.utf8), kind: .csv, gb18030: false, chunk: chunk, name: "long csv row")
            try await Self.compare(file: Array(quoted.utf8), kind: .csv, gb18030: false, chunk: chunk, name: "long quoted csv row")
            try await Self.compare(file: Array(jsonl.utf8), kind: .jsonl, gb18030: false, chunk: chunk, name: "long json line")
        }
    }

    /// The comparison can fail: a reference that reads one row differently is caught.
    @Test func aDifferenceIsNoticed() async throws {
        let folder = try scratchFolder()
        try "phone,name,code\n13800138000,王伟,123456\n".write(toFile: folder + "/m.csv", atomically: true, encoding: .utf8)
        let yaml = "version: 1\ncampaign: d\nsign-name: 云杉商城\ntemplate:\n  code: SMS_465012345\n  type: verification\n  content: \"${name}您好，您的验证码为${code}。\"\nparameters:\n  name: { type: name, from: name }\n  code: { type: code, from: code }\nrecipients:\n  from:\n    - csv: m.csv\n"
        try yaml.write(toFile: folder + "/c.yaml", atomically: true, encoding: .utf8)
        let check = await CampaignChecker.check(path: folder + "/c.yaml", options: CheckOptions(checksRecipientFiles: false))
        let campaign = try #require(check.campaign)
        let fast = RecipientChecker(campaign: campaign, diagnosticLimit: nil)
        var reference = RecipientChecker(campaign: campaign, diagnosticLimit: nil)
        reference.sourceOverride = { _ in
            var source = ReferenceCSV.read(path: folder + "/m.csv", gb18030: false)
            source.rows[0].fields[1] = "李娜"
            return source
        }
        let got = await Self.outcome(fast)
        let expected = await Self.outcome(reference)
        #expect(got != expected)
        #expect(got.accepted.count == 1)
    }
}

/// Rows read by a reference reader, replayed as a source: the header, the rows, and the error
/// that ended reading, if any.
struct ReplaySource: RecipientSource {
    var path: String
    var header: RecipientHeader?
    var headerError: RecipientSourceError?
    var rows: [RecipientRow]
    var error: RecipientSourceError?

    func open() throws(RecipientSourceError) -> (header: RecipientHeader, rows: Rows) {
        if let headerError { throw headerError }
        guard let header else { throw RecipientSourceError(.empty, "is empty") }
        return (header, Rows(rows: rows, error: error))
    }

    struct Rows: AsyncSequence {
        let rows: [RecipientRow]
        let error: RecipientSourceError?

        func makeAsyncIterator() -> Iterator { Iterator(rows: rows, error: error) }

        struct Iterator: AsyncIteratorProtocol {
            let rows: [RecipientRow]
            let error: RecipientSourceError?
            var index = 0

            mutating func next(isolation actor: isolated (any Actor)?) async throws(RecipientSourceError) -> RecipientRow? {
                try step()
            }

            mutating func next() async throws(RecipientSourceError) -> RecipientRow? {
                try step()
            }

            private mutating func step() throws(RecipientSourceError) -> RecipientRow? {
                if index < rows.count {
                    index += 1
                    return rows[index - 1]
                }
                if let error { throw error }
                return nil
            }
        }
    }
}

/// CSV as the format is specified, read the simplest way: the whole file in memory (converted
/// from GB18030 at once), walked byte by byte with the line and column of each field.
enum ReferenceCSV {
    static let maxRecord = 1 << 20

    static func read(path: String, gb18030: Bool) -> ReplaySource {
        var source = ReplaySource(path: path, header: nil, headerError: nil, rows: [], error: nil)
        guard var bytes = FileManager.default.contents(atPath: path).map(Array.init) else {
            source.headerError = RecipientSourceError(.missing, "missing")
            return source
        }
        var conversion: (offset: Int, Void)?
        if gb18030 {
            let (converted, failedAt) = convert(bytes)
            bytes = converted
            if let failedAt { conversion = (failedAt, ()) }
        }
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
        var index = 0, line = 1, column = 1
        let count = bytes.count
        let complete = conversion == nil

        /// The end of the text for this reader: where conversion stopped, a record that does not
        /// end before it is unread.
        enum Step { case record(RecipientRow), end, unread, error(RecipientSourceError) }

        func nextRecord() -> Step {
            let blankLine = line
            while index < count, bytes[index] == 0x0A || bytes[index] == 0x0D {
                if bytes[index] == 0x0D, index + 1 == count, !complete {
                    line = blankLine
                    column = 1
                    return .unread
                }
                if bytes[index] == 0x0D, index + 1 < count, bytes[index + 1] == 0x0A { index += 1 }
                index += 1
                line += 1
                column = 1
            }
            if index == count { return complete ? .end : .unread }
            let start = index, startLine = line, startColumn = column
            var fields: [String] = [], positions: [SourcePosition] = []
            func nul() -> Step {
                .error(RecipientSourceError(.nulByte, "holds a NUL byte here; it is not a text file", at: SourcePosition(line: line, column: column)))
            }
            func unread() -> Step {
                index = start
                line = startLine
                column = startColumn
                return .unread
            }
            while true {
                let position = SourcePosition(line: line, column: column)
                var field: [UInt8] = []
                if index < count, bytes[index] == 0x22 {
                    let quote = position
                    index += 1
                    column += 1
                    var closed = false
                    while index < count {
                        let byte = bytes[index]
                        if byte == 0 { return nul() }
                        if byte == 0x22 {
                            if index + 1 < count, bytes[index + 1] == 0x22 {
                                field.append(0x22)
                                index += 2
                                column += 2
                                continue
                            }
                            if index + 1 == count, !complete { return unread() }
                            index += 1
                            column += 1
                            closed = true
                            break
                        }
                        if byte == 0x0A {
                            line += 1
                            column = 1
                        } else if byte == 0x0D {
                            if index + 1 == count, !complete { return unread() }
                            if !(index + 1 < count && bytes[index + 1] == 0x0A) {
                                line += 1
                                column = 1
                            }
                        } else if byte & 0xC0 != 0x80 {
                            column += 1
                        }
                        field.append(byte)
                        index += 1
                    }
                    if !closed {
                        if !complete { return unread() }
                        return .error(RecipientSourceError(.unclosedQuote, "ends inside the quoted field opened here; the file may be truncated", at: quote))
                    }
                }
                while index < count, bytes[index] != 0x2C, bytes[index] != 0x0A, bytes[index] != 0x0D {
                    if bytes[index] == 0 { return nul() }
                    if bytes[index] & 0xC0 != 0x80 { column += 1 }
                    field.append(bytes[index])
                    index += 1
                }
                if index == count, !complete { return unread() }
                guard String(validating: field, as: UTF8.self) != nil else {
                    return .error(RecipientSourceError(.encoding, "is not valid UTF-8 in the field that starts here; files exported by Excel in China need 'encoding: gb18030'", at: position))
                }
                fields.append(String(decoding: field, as: UTF8.self))
                positions.append(position)
                if index < count, bytes[index] == 0x2C {
                    index += 1
                    column += 1
                    continue
                }
                if index < count {
                    if bytes[index] == 0x0D, index + 1 == count, !complete { return unread() }
                    if bytes[index] == 0x0D, index + 1 < count, bytes[index + 1] == 0x0A { index += 1 }
                    index += 1
                    line += 1
                    column = 1
                }
                if index - start > maxRecord {
                    return .error(RecipientSourceError(.longRow, "has a row over 1 MiB starting here; a closing quote may be missing, or this is not a CSV file",
                                                       at: SourcePosition(line: startLine, column: 1)))
                }
                return .record(RecipientRow(fields: fields, positions: positions, line: startLine))
            }
        }

        func failure(_ step: Step) -> RecipientSourceError? {
            switch step {
            case .error(let error): return error
            case .unread:
                guard let conversion else { return nil }
                return RecipientSourceError(.encoding, "is not valid GB18030 at byte \(conversion.offset)", at: SourcePosition(line: line, column: column))
            case .record, .end: return nil
            }
        }

        switch nextRecord() {
        case .record(let first):
            let columns = first.fields.map { $0.trimmingSpaces }
            let text = first.fields.map { $0.contains(",") || $0.contains("\"") ? "\"" + $0.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : $0 }
                .joined(separator: ",")
            source.header = RecipientHeader(columns: columns, range: SourceRange(start: SourcePosition(line: first.line, column: 1),
                                                                                  end: SourcePosition(line: first.line, column: text.unicodeScalars.count + 1)), text: text)
        case .end:
            source.headerError = RecipientSourceError(.empty, "is empty; a CSV source needs a header row")
            return source
        case let step:
            source.headerError = failure(step) ?? RecipientSourceError(.empty, "is empty; a CSV source needs a header row")
            return source
        }
        while true {
            let step = nextRecord()
            if case .record(let row) = step {
                source.rows.append(row)
                continue
            }
            source.error = failure(step)
            return source
        }
    }

    /// GB18030 to UTF-8 in one call: the converted text, and the input offset where it stopped
    /// being GB18030.
    static func convert(_ input: [UInt8]) -> ([UInt8], Int?) {
        let converter = iconv_open("UTF-8", "GB18030")
        guard let converter, converter != iconv_t(bitPattern: -1) else { return ([], 0) }
        defer { iconv_close(converter) }
        var input = input
        var output = [UInt8](repeating: 0, count: input.count * 4 + 16)
        var failedAt: Int?
        let produced = input.withUnsafeMutableBufferPointer { inBuffer in
            output.withUnsafeMutableBufferPointer { outBuffer -> Int in
                guard let outBase = outBuffer.baseAddress else { return 0 }
                var inPointer: UnsafeMutablePointer<CChar>? = inBuffer.baseAddress.map { UnsafeMutableRawPointer($0).assumingMemoryBound(to: CChar.self) }
                var inLeft = inBuffer.count
                var outPointer: UnsafeMutablePointer<CChar>? = UnsafeMutableRawPointer(outBase).assumingMemoryBound(to: CChar.self)
                var outLeft = outBuffer.count
                if iconv(converter, &inPointer, &inLeft, &outPointer, &outLeft) == -1 { failedAt = inBuffer.count - inLeft }
                return outBuffer.count - outLeft
            }
        }
        return (Array(output.prefix(produced)), failedAt)
    }
}

/// JSON Lines as specified: one object per line (CR before the line feed dropped), read with
/// Foundation's JSON parser; the columns are the keys asked for.
enum ReferenceJSONL {
    static func read(path: String, columns: [String]) -> ReplaySource {
        var source = ReplaySource(path: path, header: nil, headerError: nil, rows: [], error: nil)
        guard var bytes = FileManager.default.contents(atPath: path).map(Array.init) else {
            source.headerError = RecipientSourceError(.missing, "missing")
            return source
        }
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
        var lines = bytes.split(separator: 0x0A, omittingEmptySubsequences: false).map(Array.init)
        if lines.last?.isEmpty == true { lines.removeLast() }
        for (offset, raw) in lines.enumerated() {
            let number = offset + 1
            if let nul = raw.firstIndex(of: 0) {
                let column = raw[..<nul].filter { $0 & 0xC0 != 0x80 }.count + 1
                source.error = RecipientSourceError(.nulByte, "holds a NUL byte here; it is not a text file", at: SourcePosition(line: number, column: column))
                break
            }
            if raw.count > ReferenceCSV.maxRecord {
                source.error = RecipientSourceError(.longRow, "has a line over 1 MiB; JSON Lines holds one small object per line", at: SourcePosition(line: number, column: 1))
                break
            }
            var line = raw
            if line.last == 0x0D { line.removeLast() }
            if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { continue }
            guard String(validating: line, as: UTF8.self) != nil else {
                source.error = RecipientSourceError(.encoding, "is not valid UTF-8 on this line", at: SourcePosition(line: number, column: 1))
                break
            }
            guard let object = (try? JSONSerialization.jsonObject(with: Data(line))) as? [String: Any] else {
                source.error = RecipientSourceError(.notAnObject, "does not hold a JSON object on this line", at: SourcePosition(line: number, column: 1))
                break
            }
            var fields: [String] = [], positions: [SourcePosition] = []
            for column in columns {
                switch object[column] {
                case let value as String: fields.append(value)
                case let value as NSNumber: fields.append(value.stringValue)
                default: fields.append("")
                }
                // The column of the key's first appearance, in characters.
                let key = Array("\"\(column)\"".utf8)
                var at = 1
                if key.count <= line.count {
                    for start in 0...(line.count - key.count) where Array(line[start..<(start + key.count)]) == key {
                        at = line[..<start].filter { $0 & 0xC0 != 0x80 }.count + 1
                        break
                    }
                }
                positions.append(SourcePosition(line: number, column: at))
            }
            source.rows.append(RecipientRow(fields: fields, positions: positions, line: number))
        }
        if source.rows.isEmpty, source.error == nil {
            source.headerError = RecipientSourceError(.empty, "holds no rows")
        } else if let first = source.rows.first {
            var firstLine = lines[first.line - 1]
            if firstLine.last == 0x0D { firstLine.removeLast() }
            let length = firstLine.filter { $0 & 0xC0 != 0x80 }.count
            source.header = RecipientHeader(columns: columns, range: SourceRange(start: SourcePosition(line: first.line, column: 1),
                                                                                  end: SourcePosition(line: first.line, column: length + 1)), text: nil)
        } else {
            source.headerError = source.error
        }
        return source
    }
}
