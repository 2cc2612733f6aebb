// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "salvo",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "salvo", targets: ["salvo"]),
        .library(name: "CampaignCompiler", targets: ["CampaignCompiler"]),
        .library(name: "AliyunSMS", targets: ["AliyunSMS"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        // Already built for AsyncHTTPClient; named to configure extra trust roots.
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        // Shared state (`--state postgres://…`): the wire protocol in Swift on the NIO already
        // built for the client, no libpq.
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
    ],
    targets: [
        .systemLibrary(name: "CYAML", pkgConfig: "yaml-0.1", providers: [.apt(["libyaml-dev"])]),
        .target(name: "YAMLSyntax", dependencies: ["CYAML"]),
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        // The only importer of CSQLite: connection, statement, transaction.
        .target(name: "SQLiteDatabase", dependencies: ["CSQLite"]),
        // A prefetch hint, which Swift cannot spell.
        .target(name: "CSalvoSupport"),
        // Owner-only atomic files, standard streams and the one JSON string escaper.
        .target(name: "SalvoIO"),
        .target(
            name: "CampaignCompiler",
            dependencies: ["YAMLSyntax", "SQLiteDatabase", "CSalvoSupport", "SalvoIO", .product(name: "Crypto", package: "swift-crypto")]
        ),
        .target(
            name: "AliyunSMS",
            dependencies: [
                "SalvoIO",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        // The one HTTP server (listener, limits, request handling) behind a NIO-free `HTTPService`.
        .target(
            name: "HTTPServing",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        .target(
            name: "SMSEmulator",
            dependencies: [
                "AliyunSMS", "SQLiteDatabase", "HTTPServing", "CampaignCompiler",
                .product(name: "NIOCore", package: "swift-nio"),
                // The receipt queues' MNS signatures (HMAC-SHA1) and MD5s.
                .product(name: "Crypto", package: "swift-crypto"),
                // Already built for the client; pushes receipts like Alibaba Cloud.
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ]
        ),
        .target(name: "CampaignRunner", dependencies: ["CampaignCompiler", "AliyunSMS", "SQLiteDatabase", "HTTPServing", "SalvoIO"]),
        // The run store in PostgreSQL, shared by runners on several machines.
        .target(
            name: "PostgresStore",
            dependencies: [
                "CampaignRunner", "CampaignCompiler", .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),
        .executableTarget(
            name: "salvo",
            dependencies: [
                "CampaignCompiler", "AliyunSMS", "SMSEmulator", "CampaignRunner", "PostgresStore", "SalvoIO",
                // Its limits and the loopback test for `receipts serve`; the NIO inside stays there.
                "HTTPServing",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "salvo-bench",
            dependencies: [
                "AliyunSMS", .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        // The throwaway PostgreSQL server of the tests (scripts/pg-cluster).
        .target(name: "PostgresTestSupport", path: "Tests/PostgresTestSupport"),
        .testTarget(name: "YAMLSyntaxTests", dependencies: ["YAMLSyntax"]),
        .testTarget(
            name: "CampaignCompilerTests",
            dependencies: ["CampaignCompiler", "YAMLSyntax", "SQLiteDatabase", .product(name: "Crypto", package: "swift-crypto")],
            exclude: ["Fixtures"]
        ),
        .testTarget(name: "AliyunSMSTests", dependencies: ["AliyunSMS", "SMSEmulator"], exclude: ["Fixtures"]),
        .testTarget(name: "SMSEmulatorTests", dependencies: ["SMSEmulator", "AliyunSMS", "HTTPServing", .product(name: "Crypto", package: "swift-crypto")]),
        .testTarget(
            name: "CampaignRunnerTests",
            dependencies: ["CampaignRunner", "CampaignCompiler", "AliyunSMS", "SMSEmulator", "SQLiteDatabase", "PostgresStore", "PostgresTestSupport"],
            exclude: ["Fixtures"]
        ),
        .testTarget(name: "SQLiteDatabaseTests", dependencies: ["SQLiteDatabase"]),
        .testTarget(name: "SalvoIOTests", dependencies: ["SalvoIO"]),
        .testTarget(name: "SalvoTests", dependencies: ["salvo", "AliyunSMS", "PostgresTestSupport"]),
    ]
)
