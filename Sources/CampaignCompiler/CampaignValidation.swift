import Foundation
public import YAMLSyntax

/// The result of validating a set of campaign files, ready for a reporter.
public struct ValidationReport: Sendable {
    /// How many campaign files were checked.
    public var fileCount: Int
    /// Every diagnostic, ordered by file and position.
    public var diagnostics: [Diagnostic]
    /// The lines of every file that diagnostics point into, by path.
    public var sources: [String: SourceText]
    /// Diagnostics left out past the per-file limit, by file and id.
    public var omitted: [String: [DiagnosticID: DiagnosticCollector.Omitted]]
    /// Recipient counts of each campaign file whose recipients were read, in file order.
    public var recipients: [(file: String, summary: RecipientSummary)]

    /// Creates a report.
    public init(fileCount: Int, diagnostics: [Diagnostic], sources: [String: SourceText], omitted: [String: [DiagnosticID: DiagnosticCollector.Omitted]] = [:],
                recipients: [(file: String, summary: RecipientSummary)] = []) {
        self.fileCount = fileCount
        self.diagnostics = diagnostics
        self.sources = sources
        self.omitted = omitted
        self.recipients = recipients
    }

    /// The number of errors, those left out included.
    public var errorCount: Int { count(.error) }
    /// The number of warnings, those left out included.
    public var warningCount: Int { count(.warning) }

    private func count(_ severity: Severity) -> Int {
        diagnostics.filter { $0.severity == severity }.count
            + omitted.values.flatMap(\.values).filter { $0.severity == severity }.reduce(0) { $0 + $1.count }
    }
}

/// A path given to `validate` that cannot be used.
public struct ValidationInputError: Error, Sendable, CustomStringConvertible {
    /// What is wrong with a path.
    public enum Code: Sendable, Hashable {
        /// Nothing is there.
        case missing
        /// A folder that cannot be listed.
        case unlistable
        /// A campaign file found through a link that leads outside the folder.
        case outsideLink
        /// A folder without campaign files.
        case empty
    }

    /// What is wrong, for callers to match on.
    public var code: Code
    /// The path as given.
    public var path: String
    /// What is wrong with it, in words.
    public var reason: String

    /// `path` cannot be used, for `reason`.
    public init(_ code: Code, path: String, reason: String) {
        self.code = code
        self.path = path
        self.reason = reason
    }

    public var description: String { "\(path): \(reason)" }
}

/// Validates campaign files and folders, as pull requests do.
public enum CampaignValidation {
    /// The campaign files named by `paths`: files as given, folders searched for `*.yaml` and
    /// `*.yml` (hidden folders and `.build*` skipped), in sorted order. A file found in a folder
    /// that is a link to somewhere outside it (and outside `dataFolders`) is refused unread: a
    /// pull request could otherwise add `x.yaml -> /proc/self/environ`.
    public static func campaignFiles(in paths: [String], dataFolders: [String] = []) throws(ValidationInputError) -> [String] {
        var files: [String] = []
        for path in paths {
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
                throw ValidationInputError(.missing, path: path, reason: "no such file or folder")
            }
            guard isFolder.boolValue else {
                files.append(path)
                continue
            }
            var found: [String] = []
            let base = path.hasSuffix("/") ? String(path.dropLast()) : path
            guard let walker = FileManager.default.enumerator(atPath: path) else {
                throw ValidationInputError(.unlistable, path: path, reason: "cannot list the folder")
            }
            while let relative = walker.nextObject() as? String {
                let name = (relative as NSString).lastPathComponent
                if name.hasPrefix(".") {
                    walker.skipDescendants()
                    continue
                }
                if name.hasSuffix(".yaml") || name.hasSuffix(".yml") {
                    found.append(base + "/" + relative)
                }
            }
            let allowed = ([path] + dataFolders).compactMap(RegularFile.realPath)
            for file in found {
                guard let real = RegularFile.realPath(file) else { continue }
                if !allowed.contains(where: { RegularFile.isInside(real, folder: $0) }) {
                    throw ValidationInputError(.outsideLink, path: file, reason: "is a link to a file outside '\(path)'; it was not read (name it directly, or allow its folder with --data-dir)")
                }
            }
            if found.isEmpty {
                throw ValidationInputError(.empty, path: path, reason: "no *.yaml or *.yml files in this folder")
            }
            files += found.sorted()
        }
        return files
    }

    /// Checks every file and adds the cross-file checks (campaign ids used twice).
    public static func validate(files: [String], options: CheckOptions = CheckOptions()) async -> ValidationReport {
        var diagnostics: [Diagnostic] = []
        var sources: [String: SourceText] = [:]
        var omitted: [String: [DiagnosticID: DiagnosticCollector.Omitted]] = [:]
        var recipients: [(file: String, summary: RecipientSummary)] = []
        var firstUse: [String: SourceLocation] = [:]
        for file in files {
            let check = await CampaignChecker.check(path: file, options: options)
            diagnostics += check.diagnostics
            omitted.merge(check.omitted) { first, _ in first }
            if let summary = check.recipients { recipients.append((file, summary)) }
            sources.merge(check.sources) { first, _ in first }
            if let campaign = check.campaign {
                let here = SourceLocation(file: file, range: campaign.id.range)
                if let first = firstUse[campaign.id.value] {
                    diagnostics.append(.duplicateCampaignID(campaign.id.value, first: first, at: here))
                } else {
                    firstUse[campaign.id.value] = here
                }
            }
        }
        return ValidationReport(fileCount: files.count, diagnostics: diagnostics, sources: sources, omitted: omitted, recipients: recipients)
    }
}
