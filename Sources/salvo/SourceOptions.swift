import ArgumentParser
import CampaignCompiler
import Foundation

/// Where recipient files may be read from, and the bounds on reading them: shared by every
/// command that reads a campaign's recipients.
struct SourceOptions: ParsableArguments {
    @Option(name: .customLong("data-dir"), help: ArgumentHelp(
        "Also allow recipient files in this folder (repeatable). Without it, a campaign may only name files in its own folder tree.",
        discussion: "SALVO_DATA_DIRS adds more folders, separated by ':'."))
    var dataDirs: [String] = []

    @Option(help: "The largest recipient file read, in bytes or with K, M, G (default: 4G).")
    var maxSourceSize: String?

    @Option(help: "Seconds a SQLite recipient query may run (default: 60).")
    var queryTimeout: Double = 60

    func validate() throws {
        if let maxSourceSize, ByteCount.parse(maxSourceSize) == nil {
            throw ValidationError("--max-source-size takes a size such as 8G, 500M or 1048576")
        }
        guard queryTimeout > 0 else { throw ValidationError("--query-timeout takes a number of seconds above 0") }
    }

    /// The access policy for campaigns read by this command.
    var access: SourceAccess {
        let environment = ProcessInfo.processInfo.environment
        let folders = dataDirs + SourceAccess.dataFolders(fromEnvironment: environment[SourceAccess.dataFoldersVariable])
        return SourceAccess(dataFolders: folders, maxFileBytes: maxSourceSize.flatMap(ByteCount.parse) ?? SourceAccess.defaultMaxFileBytes,
                            queryTimeout: queryTimeout)
    }
}
