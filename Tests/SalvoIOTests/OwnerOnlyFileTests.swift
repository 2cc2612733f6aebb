import Foundation
import SalvoIO
import Testing

/// Plans, reports and exports are written whole or not at all, owner-only, never through a link.
@Suite struct OwnerOnlyFileTests {
    static func folder() throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("salvo-io-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        return folder
    }

    static func mode(_ path: String) throws -> Int {
        try #require(try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int)
    }

    @Test func aFinishedFileIsOwnerOnlyAndWhole() throws {
        let folder = try Self.folder()
        let path = folder + "/plan.jsonl"
        let file = try OwnerOnlyFile(path: path)
        file.write("a\n")
        file.write(bytes: Array(repeating: UInt8(ascii: "b"), count: 200_000))
        #expect(!FileManager.default.fileExists(atPath: path), "nothing is at the name before finish")
        try file.finish()
        #expect(try Self.mode(path) == 0o600)
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)).count == 200_002)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == ["plan.jsonl"], "no temporary is left")
    }

    @Test func aDiscardedFileLeavesTheOldOneAsItWas() throws {
        let folder = try Self.folder()
        let path = folder + "/report.csv"
        try "old".write(toFile: path, atomically: false, encoding: .utf8)
        let file = try OwnerOnlyFile(path: path)
        file.write("new")
        file.discard()
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "old")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == ["report.csv"])
    }

    @Test func aLinkAtTheTemporaryNameIsNotFollowed() throws {
        let folder = try Self.folder()
        let target = folder + "/elsewhere"
        try "keep".write(toFile: target, atomically: false, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: folder + "/.out.csv.\(getpid()).partial", withDestinationPath: target)
        try OwnerOnlyFile.write(Array("rows".utf8), to: folder + "/out.csv")
        #expect(try String(contentsOfFile: target, encoding: .utf8) == "keep")
        #expect(try String(contentsOfFile: folder + "/out.csv", encoding: .utf8) == "rows")
    }

    @Test func aMissingFolderIsAnErrorNamingThePath() throws {
        let path = try Self.folder() + "/missing/out.csv"
        #expect(throws: FileWriteError.self) { try OwnerOnlyFile(path: path) }
        do {
            _ = try OwnerOnlyFile(path: path)
        } catch {
            #expect(error.code == .create)
            #expect(error.description == "cannot write '\(path)': No such file or directory")
        }
    }
}
