// swift-tools-version:6.0
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "kubectl-certs",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "kubectl-certs", targets: ["kubectl-certs"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
    ],
    targets: [
        .systemLibrary(
            name: "CCurl",
            pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]
        ),
        .systemLibrary(
            name: "COpenSSL",
            pkgConfig: "openssl",
            providers: [.apt(["libssl-dev"])]
        ),
        .systemLibrary(
            name: "CLDNS",
            pkgConfig: "ldns",
            providers: [.apt(["libldns-dev"])]
        ),
        .target(
            name: "CertCore",
            dependencies: [
                "CCurl", "COpenSSL",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "DNS01",
            dependencies: [
                "CLDNS",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Providers",
            dependencies: [
                "CertCore", "DNS01",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "kubectl-certs",
            dependencies: [
                "CertCore", "DNS01", "Providers",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: swiftSettings,
            plugins: ["GitVersion"]
        ),
        // Writes the version `git describe` gives into the binary at build time.
        .plugin(name: "GitVersion", capability: .buildTool()),
        .target(
            name: "TestSupport",
            dependencies: ["CertCore", "DNS01"],
            path: "Tests/TestSupport",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "CertCoreTests",
            dependencies: ["CertCore", "TestSupport", .product(name: "Logging", package: "swift-log")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "DNS01Tests",
            dependencies: ["DNS01", "TestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ProvidersTests",
            dependencies: ["Providers", "TestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "KubectlCertsTests",
            dependencies: ["kubectl-certs", "CertCore", "TestSupport"],
            swiftSettings: swiftSettings
        ),
        // The lab's own tests: its servers held to the real things they stand in for.
        .testTarget(
            name: "LabTests",
            dependencies: ["CertCore", "TestSupport"],
            swiftSettings: swiftSettings
        ),
    ]
)
