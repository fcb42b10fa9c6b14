// swift-tools-version:6.2
import PackageDescription

let package = Package(
    name: "LaneControl",
    platforms: [.macOS(.v15)],  // ships on Linux; macOS only so laptops build
    products: [
        .executable(name: "lanectl", targets: ["lanectl"]),
        .executable(name: "rigsim", targets: ["rigsim"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.5.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.6.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.0.0"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.1.0"),
        .package(url: "https://github.com/x-sheep/swift-property-based", from: "2.0.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.0.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.80.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.0.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket", from: "2.0.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth", from: "2.0.0"),
        // `lanectl bench server`'s HTTP load clients (already resolved: HummingbirdTesting uses it).
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.30.0"),
    ],
    targets: [
        // libmodbus, as Debian packages it. Nothing else goes here.
        .systemLibrary(name: "CModbus", pkgConfig: "libmodbus", providers: [.apt(["libmodbus-dev"])]),
        // Plain C loops the benchmarks hold our Swift code to (same machine, same run).
        .target(name: "CBaseline", dependencies: ["CModbus"]),

        .target(name: "LaneCore"),
        .target(name: "Modbus", dependencies: ["CModbus", "LaneCore"]),
        .target(name: "InspectionRules", dependencies: ["LaneCore"]),
        .target(
            name: "Profiles",
            dependencies: ["LaneCore", .product(name: "Yams", package: "Yams")]
        ),
        .target(
            name: "Rigs",
            dependencies: [
                "LaneCore", "Modbus",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .target(name: "Procedures", dependencies: ["LaneCore", "InspectionRules"]),
        .target(name: "Valet", dependencies: ["LaneCore", .product(name: "Crypto", package: "swift-crypto")]),
        .target(
            name: "Journal",
            dependencies: [
                "LaneCore",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "RigFirmware",
            dependencies: [
                "LaneCore", "Modbus",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Firmware/RigFirmware"
        ),
        .executableTarget(
            name: "rigsim",
            dependencies: [
                "RigFirmware", "Profiles", "LaneCore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            path: "Firmware/rigsim"
        ),
        // The live station: dispatcher, lanes running the procedures, journal (no HTTP).
        .target(
            name: "StationControl",
            dependencies: [
                "LaneCore", "InspectionRules", "Procedures", "Valet", "Journal", "Rigs", "RigFirmware",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .target(
            name: "StationServer",
            dependencies: [
                "LaneCore", "Rigs", "Profiles", "Modbus", "RigFirmware", "StationControl", "Journal", "Valet",
                "InspectionRules", "Procedures",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdAuth", package: "hummingbird-auth"),
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            resources: [.copy("Public")]
        ),
        .target(name: "LaneTesting", dependencies: ["LaneCore", "Profiles", "RigFirmware", "Modbus"]),
        // Test support: the `.offThePool` trait, which runs CPU-bound test cases on niced threads of their own.
        .target(name: "TestScheduling"),
        // Test support for the live station: a lane of firmware physics on a virtual clock under a real controller.
        .target(
            name: "StationTesting",
            dependencies: [
                "LaneCore", "LaneTesting", "StationControl", "Procedures", "RigFirmware", "Journal", "Valet",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "lanectl",
            dependencies: [
                "LaneCore", "Modbus", "CBaseline", "InspectionRules", "Profiles", "Rigs", "Procedures",
                "Valet", "Journal", "RigFirmware", "StationServer", "StationControl",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                // `lanectl bench server`: a bare Hummingbird baseline and the load clients.
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
            ]
        ),

        .testTarget(name: "LaneCoreTests", dependencies: ["LaneCore"]),
        .testTarget(name: "InspectionRulesTests", dependencies: ["InspectionRules", "LaneCore", "LaneTesting", "TestScheduling", .product(name: "PropertyBased", package: "swift-property-based")]),
        .testTarget(name: "ModbusTests", dependencies: ["Modbus", "LaneCore", "LaneTesting"]),
        .testTarget(name: "ProfilesTests", dependencies: ["Profiles", "LaneCore", "LaneTesting"]),
        .testTarget(name: "RigFirmwareTests", dependencies: ["RigFirmware", "Modbus", "LaneCore", "LaneTesting", "TestScheduling"]),
        .testTarget(
            name: "RigsTests",
            dependencies: [
                "Rigs", "Modbus", "LaneCore", "RigFirmware", "Profiles", "LaneTesting",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "ServiceLifecycleTestKit", package: "swift-service-lifecycle"),
            ]
        ),
        .testTarget(
            name: "JournalTests",
            dependencies: [
                "Journal", "LaneCore", "TestScheduling", .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "PropertyBased", package: "swift-property-based"),
            ]
        ),
        .testTarget(name: "ValetTests", dependencies: ["Valet", "LaneCore", "LaneTesting", "TestScheduling", .product(name: "Crypto", package: "swift-crypto")]),
        .testTarget(
            name: "ProceduresTests",
            dependencies: [
                "Procedures", "InspectionRules", "LaneCore", "LaneTesting", "RigFirmware", "Profiles", "Rigs", "Modbus",
                "TestScheduling", .product(name: "Logging", package: "swift-log"),
            ],
            exclude: ["Recordings"]
        ),
        .testTarget(
            name: "ReportsTests",
            dependencies: [
                "StationServer", "Journal", "LaneCore",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "StationControlTests",
            dependencies: [
                "StationControl", "StationTesting", "LaneCore", "LaneTesting", "Journal", "Valet", "Procedures", "InspectionRules", "Rigs",
                "RigFirmware", "Profiles", "Modbus", "TestScheduling",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .testTarget(
            name: "StationServerTests",
            dependencies: [
                "StationServer", "LaneCore", "Rigs", "Profiles", "RigFirmware", "Modbus", "LaneTesting", "Journal",
                "StationControl", "StationTesting", "Valet",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "HummingbirdWSTesting", package: "hummingbird-websocket"),
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
    ]
)

for target in package.targets where target.type != .system {  // one settings list for every target
    target.swiftSettings = (target.swiftSettings ?? []) + [
        .enableUpcomingFeature("ExistentialAny"),
        .enableUpcomingFeature("MemberImportVisibility"),
        .enableUpcomingFeature("InternalImportsByDefault"),  // keeps CModbus out of public API
    ]
}
