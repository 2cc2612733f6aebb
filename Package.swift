// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "salvo",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "salvo", targets: ["salvo"]),
        .library(name: "CampaignCompiler", targets: ["CampaignCompiler"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
    ],
    targets: [
        .systemLibrary(name: "CYAML", pkgConfig: "yaml-0.1", providers: [.apt(["libyaml-dev"])]),
        .target(name: "YAMLSyntax", dependencies: ["CYAML"]),
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        .target(name: "CampaignCompiler", dependencies: ["YAMLSyntax", "CSQLite"]),
        .executableTarget(
            name: "salvo",
            dependencies: [
                "CampaignCompiler",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "YAMLSyntaxTests", dependencies: ["YAMLSyntax"]),
        .testTarget(
            name: "CampaignCompilerTests",
            dependencies: ["CampaignCompiler", "YAMLSyntax", "CSQLite"],
            exclude: ["Fixtures"]
        ),
        .testTarget(name: "SalvoTests", dependencies: ["salvo"]),
    ]
)
