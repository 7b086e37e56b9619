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
        #expect(PluginLoader.minimumBlockKindSize == 88)
        #expect(MemoryLayout<mage_block_kind>.size == 96, "1.2 appended label_key")
    }

    @Test func aPluginBuiltAgainstThe1_1HeaderIsReadWithinItsStructSize() throws {
        // Its 88-byte block kind ends a page whose successor is inaccessible: reading the 1.2 size
        // (96 bytes) would crash this process, so loading at all proves nothing beyond 88 was read.
        let catalog = PluginCatalog(directories: [try TestEnvironment.pluginDirectory(fixtures: ["abi_1_1_model"])])
        #expect(catalog.refused.isEmpty)
        let kind = try catalog.blockKind(named: "c_abi_1_1_model")
        #expect(kind.type == .model && kind.description == "a model built against the 1.1 header")
        #expect(kind.labelKey == nil, "a field beyond struct_size reads as NULL")
        #expect(kind.functions.train != nil && kind.functions.load != nil && kind.functions.predict != nil
                && kind.functions.freeModel != nil && kind.functions.run == nil)
        #expect(catalog.libraries.first?.abiVersion == "1.1")
    }

    @Test func aRefusedLibraryIsNamedWhereItsBlockKindIsMissing() throws {
        // A project library that declares one of the built-in kinds gets the built-in library refused;
        // a pipeline using another of its kinds is told which library was refused and why.
        let project = try TestEnvironment.pluginDirectory(fixtures: ["select_columns_clash"])
        let builtIn = try TestEnvironment.pluginDirectory(swift: ["MageTransformers"])
        let catalog = PluginCatalog(directories: [project, builtIn])
        let pipeline = try TestEnvironment.project(pipelines: ["p": """
            blocks:
            - {uuid: derive, type: transformer, plugin: derived_column, configuration: {function: f, arguments: [a], column: c}}
            """])
        #expect {
            try PipelineLoader(project: pipeline, catalog: catalog).load("p")
        } throws: { error in
            let text = "\(error)"
            return text.contains("unknown block kind 'derived_column' (loaded: select_columns)")
                && text.contains("\(builtIn.path)/libMageTransformers.so declares it but was refused: duplicate block kind 'select_columns'")
        }
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
