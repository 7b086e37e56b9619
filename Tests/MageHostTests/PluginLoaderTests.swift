import Foundation
import PluginAPI
import Testing
@testable import MageHost

@Suite struct PluginLoaderTests {
    @Test func loadsSwiftAndCPluginsThroughDlopen() throws {
        let directory = try TestEnvironment.pluginDirectory(fixtures: ["c_features"], swift: ["MageTransformers", "MageDataLoaders"])
        let catalog = PluginCatalog(directories: [directory])
        #expect(catalog.refused.isEmpty)
        #expect(Set(catalog.blockKinds.keys).isSuperset(of: ["c_numbers", "c_passthrough", "derived_column", "select_columns", "churn_synthetic"]))
        #expect(catalog.blockKinds["c_numbers"]?.type == .dataLoader)
        #expect(catalog.blockKinds["derived_column"]?.configKeys.map(\.name) == ["function", "arguments", "column"])
        let c = try #require(catalog.libraries.first { $0.name == "c-features" })
        #expect(c.abiVersion == PluginLoader.hostABI)
        #expect(c.swiftModule == nil)
        #expect(c.functions.sorted() == ["ratio", "scaled_sum"])
        let digest = try FileDigest.sha256(of: directory.appendingPathComponent("libc_features.so"))
        #expect(c.sha256 == digest)
        #expect(catalog.libraries.first { $0.name == "mage-transformers" }?.swiftModule == "MageTransformers")
    }

    @Test func refusesABIMismatchNamingFileSymbolAndBothVersions() throws {
        let directory = try TestEnvironment.pluginDirectory(fixtures: ["abi_mismatch", "c_features"])
        let catalog = PluginCatalog(directories: [directory])
        let refusal = try #require(catalog.refused.first)
        #expect(refusal.path.hasSuffix("libabi_mismatch.so"))
        #expect(refusal.reason == "ABI mismatch: mage_plugin_entry reports ABI 99.0, host speaks \(PluginLoader.hostABI)")
        #expect(catalog.blockKinds["future_block"] == nil)
        #expect(catalog.blockKinds["c_numbers"] != nil, "one bad library never stops the others")
    }

    @Test func refusesALibraryWithoutEntrySymbol() throws {
        let catalog = PluginCatalog(directories: [try TestEnvironment.pluginDirectory(fixtures: ["no_entry"])])
        #expect(catalog.refused.map(\.reason) == ["no entry symbol 'mage_plugin_entry' (is it a SwiftMage plugin?)"])
    }

    @Test func refusesNullAndUndersizedDescriptors() throws {
        let catalog = PluginCatalog(directories: [try TestEnvironment.pluginDirectory(fixtures: ["null_descriptor", "small_struct"])])
        let reasons = Dictionary(uniqueKeysWithValues: catalog.refused.map { (URL(fileURLWithPath: $0.path).lastPathComponent, $0.reason) })
        #expect(reasons["libnull_descriptor.so"]?.contains("returned NULL") == true)
        #expect(reasons["libsmall_struct.so"] == "mage_plugin_entry returned a descriptor of 8 bytes (ABI \(PluginLoader.hostABI)); host ABI \(PluginLoader.hostABI) needs at least 64")
    }

    @Test func refusesDuplicateBlockNamesNamingBothFiles() throws {
        let directory = try TestEnvironment.pluginDirectory(fixtures: ["c_features", "duplicate_name"])
        let catalog = PluginCatalog(directories: [directory])
        let refusal = try #require(catalog.refused.first)
        #expect(refusal.path.hasSuffix("libduplicate_name.so"))
        #expect(refusal.reason.contains("duplicate block kind 'c_numbers'"))
        #expect(refusal.reason.contains("libduplicate_name.so") && refusal.reason.contains("libc_features.so"))
        #expect(catalog.blockKinds["c_numbers"]?.libraryPath.hasSuffix("libc_features.so") == true)
    }

    @Test func refusesDuplicateSwiftModules() throws {
        let directory = try TestEnvironment.pluginDirectory(fixtures: ["swift_module_clash"], swift: ["MageTransformers"])
        let catalog = PluginCatalog(directories: [directory])
        #expect(catalog.refused.count == 1)
        #expect(catalog.refused.first?.reason.contains("duplicate Swift module 'MageTransformers'") == true)
    }

    @Test func refusesFilesAndFoldersWritableByOthers() throws {
        let directory = try TestEnvironment.pluginDirectory(fixtures: ["c_features", "noop"])
        chmod(directory.appendingPathComponent("libnoop.so").path, 0o777)
        var catalog = PluginCatalog(directories: [directory])
        #expect(catalog.refused.count == 1)
        #expect(catalog.refused.first?.reason.contains("is writable by group or others (mode 777)") == true)
        #expect(catalog.blockKinds["c_numbers"] != nil)

        chmod(directory.path, 0o775)
        catalog = PluginCatalog(directories: [directory])
        #expect(catalog.libraries.isEmpty)
        #expect(catalog.refused.allSatisfy { $0.reason.contains("the folder") })
    }

    @Test func minimumStructSizesAreThoseOfABI1_0() {
        // Fixed numbers: growing a struct in a later minor must not refuse plugins built against 1.0.
        #expect(PluginLoader.minimumDescriptorSize == MemoryLayout<mage_plugin_descriptor>.size)
        #expect(PluginLoader.minimumBlockKindSize == MemoryLayout<mage_block_kind>.size)
    }

    @Test func searchPathIsProjectThenBuildThenEnvironment() {
        let path = PluginCatalog.searchPath(
            project: URL(fileURLWithPath: "/p"), executable: URL(fileURLWithPath: "/b/mage"),
            environment: ["MAGE_PLUGIN_PATH": "/x::/y"])
        #expect(path.map(\.path) == ["/p/plugins", "/b/plugins", "/x", "/y"])
    }

    @Test func theSameFileReachedTwiceLoadsOnce() throws {
        let directory = try TestEnvironment.pluginDirectory(fixtures: ["c_features"])
        let catalog = PluginCatalog(directories: [directory, directory])
        #expect(catalog.libraries.count == 1)
        #expect(catalog.refused.isEmpty)
    }
}
