import Foundation
import Testing

/// `salvo suppression import` as a real process: rows it cannot take are listed by line and
/// refused (or skipped and counted), international numbers stay international, a row without a
/// sign name needs one, the sign name obeys `validate`'s rules, and a large file shows progress.
@Suite struct SuppressionImportTests {
    struct Scratch {
        let folder: String
        var state: String { folder + "/state" }

        init() throws {
            folder = FileManager.default.temporaryDirectory.appendingPathComponent("salvo-suppression-\(UUID().uuidString)").path
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        }

        func file(_ name: String, _ text: String) throws -> String {
            let path = folder + "/" + name
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            return path
        }

        func importing(_ path: String, _ options: [String] = []) throws -> SalvoProcess.Outcome {
            try SalvoProcess.run(["suppression", "import", path, "--state", state] + options)
        }

        /// The list as `sign_name,phone` lines, without the header.
        func exported() throws -> [String] {
            try SalvoProcess.run(["suppression", "export", "--state", state]).stdout.split(separator: "\n").dropFirst().map { line in
                line.split(separator: ",", omittingEmptySubsequences: false).prefix(2).joined(separator: ",")
            }
        }
    }

    @Test func unrecognisedRowsAreListedByLineAndNothingIsImported() throws {
        let scratch = try Scratch()
        let path = try scratch.file("in.csv", "phone,sign_name\n13800000001,云杉商城\nnot-a-number,云杉商城\n13800000002,云杉商城\n\n12345,云杉商城\n")
        let outcome = try scratch.importing(path)
        #expect(outcome.status == 1, "\(outcome.all)")
        #expect(outcome.stderr.contains("\(path):3: 'not-a-number' is not a phone number"), "\(outcome.stderr)")
        #expect(outcome.stderr.contains("\(path):6: "), "the line of the file, blank lines counted: \(outcome.stderr)")
        #expect(!outcome.stderr.contains("\(path):2:") && !outcome.stderr.contains("\(path):4:"))
        #expect(outcome.stderr.contains("2 of 4 rows") && outcome.stderr.contains("--skip-invalid"), "\(outcome.stderr)")
        #expect(outcome.stdout.isEmpty)
        #expect(try scratch.exported().isEmpty, "nothing imported")

        let skipping = try scratch.importing(path, ["--skip-invalid"])
        #expect(skipping.status == 0, "\(skipping.all)")
        #expect(skipping.stdout == "2 numbers added to the suppression list (0 already on it, 2 invalid rows skipped)\n", "\(skipping.stdout)")
        #expect(try scratch.exported().sorted() == ["云杉商城,13800000001", "云杉商城,13800000002"])
    }

    @Test func internationalNumbersStayInternational() throws {
        let scratch = try Scratch()
        let path = try scratch.file("in.csv", "phone,sign_name\n+1 415 555 0100,云杉商城\n+852 5123 4567,云杉商城\n0044 20 7946 0958,云杉商城\n+86 138-0000-0003,云杉商城\n008613800000004,云杉商城\n")
        let outcome = try scratch.importing(path)
        #expect(outcome.status == 0, "\(outcome.all)")
        let list = try scratch.exported()
        #expect(list.sorted() == ["云杉商城,+14155550100", "云杉商城,+442079460958", "云杉商城,+85251234567", "云杉商城,13800000003", "云杉商城,13800000004"], "\(list)")
        #expect(!list.contains("云杉商城,14155550100"), "never folded into a mainland-looking number")
    }

    @Test func aRowWithoutASignNameNeedsOne() throws {
        let scratch = try Scratch()
        let noColumn = try scratch.file("plain.csv", "phone\n13800000001\n13800000002\n")
        let refused = try scratch.importing(noColumn)
        #expect(refused.status == 1, "\(refused.all)")
        #expect(refused.stderr.contains("\(noColumn):2: no sign name") && refused.stderr.contains("--all-signs"), "\(refused.stderr)")
        #expect(try scratch.exported().isEmpty)

        let emptyCell = try scratch.file("cells.csv", "phone,sign_name\n13800000003,云杉商城\n13800000004,\n")
        let cell = try scratch.importing(emptyCell)
        #expect(cell.status == 1 && cell.stderr.contains("\(emptyCell):3: no sign name"), "\(cell.all)")

        let named = try scratch.importing(noColumn, ["--sign-name", "云杉商城"])
        #expect(named.status == 0, "\(named.all)")
        let everySign = try scratch.importing(emptyCell, ["--all-signs"])
        #expect(everySign.status == 0, "\(everySign.all)")
        #expect(try scratch.exported().sorted() == [",13800000004", "云杉商城,13800000001", "云杉商城,13800000002", "云杉商城,13800000003"])

        let both = try scratch.importing(noColumn, ["--sign-name", "云杉商城", "--all-signs"])
        #expect(both.status == 64, "\(both.all)")
    }

    @Test func anExportedListComesBackWithAllSigns() throws {
        let scratch = try Scratch()
        let path = try scratch.file("in.csv", "phone\n+1 415 555 0100\n13800000001\n")
        #expect(try scratch.importing(path, ["--all-signs"]).status == 0)
        let signed = try scratch.file("signed.csv", "phone,sign_name\n13800000002,云杉商城\n")
        #expect(try scratch.importing(signed).status == 0)
        let exported = try SalvoProcess.run(["suppression", "export", "--state", scratch.state]).stdout
        let other = try Scratch()
        let copy = try other.file("copy.csv", exported)
        let refused = try other.importing(copy)
        #expect(refused.status == 1 && refused.stderr.contains("no sign name"), "every sign's entries need --all-signs: \(refused.all)")
        let back = try other.importing(copy, ["--all-signs"])
        #expect(back.status == 0, "\(back.all)")
        #expect(try other.exported().sorted() == (try scratch.exported()).sorted())
        #expect(try other.exported().sorted() == [",+14155550100", ",13800000001", "云杉商城,13800000002"])
    }

    @Test(arguments: ["=EVIL()", "【云杉】", "X", "云杉 商城", "+cmd"])
    func aSignNameObeysTheSignNameRules(_ name: String) throws {
        let scratch = try Scratch()
        let path = try scratch.file("plain.csv", "phone\n13800000001\n")
        let outcome = try scratch.importing(path, ["--sign-name", name])
        #expect(outcome.status == 64, "\(outcome.all)")
        #expect(outcome.stderr.contains("sign name"), "\(outcome.stderr)")
        #expect(try scratch.exported().isEmpty)

        let inColumn = try scratch.file("column.csv", "phone,sign_name\n13800000001,\"\(name)\"\n")
        let row = try scratch.importing(inColumn)
        #expect(row.status == 1 && row.stderr.contains("\(inColumn):2: sign name"), "\(row.all)")
    }

    @Test func aLargeFileShowsItsProgress() throws {
        let scratch = try Scratch()
        // 250,000 rows, over the size from which progress is shown without a terminal.
        var text = "phone,sign_name,note\n"
        text.reserveCapacity(250_000 * 40)
        for index in 0..<250_000 { text += "1380\(String(format: "%07d", index)),云杉商城,imported-from-crm\n" }
        let path = try scratch.file("large.csv", text)
        let outcome = try scratch.importing(path)
        #expect(outcome.status == 0, "\(outcome.all)")
        let progress = outcome.stderr.split(separator: "\n").filter { $0.contains("rows read") }
        #expect(progress.count == 2, "a line every 100,000 rows: \(outcome.stderr)")
        #expect(progress.first?.contains("100000 rows read") == true)
        #expect(outcome.stdout.hasPrefix("250000 numbers added"), "\(outcome.stdout)")

        let small = try scratch.file("small.csv", "phone,sign_name\n13900000001,云杉商城\n")
        let quiet = try scratch.importing(small)
        #expect(quiet.status == 0 && !quiet.stderr.contains("rows read"), "a small file is quiet: \(quiet.stderr)")
    }
}
