import Foundation

/// A fresh plugin folder holding copies of built plugin libraries, so a test's project sees exactly the
/// plugins it names.
public enum PluginFolder {
    /// `<tmp>/<label>-XXXXXX` with `lib<name>.so` of each name copied from `buildDirectory`.
    public static func make(_ label: String, copying names: [String], from buildDirectory: URL) throws -> URL {
        let folder = try TemporaryFolder.make(label)
        for name in names {
            let target = folder.appendingPathComponent("lib\(name).so")
            try FileManager.default.copyItem(at: buildDirectory.appendingPathComponent("lib\(name).so"), to: target)
            chmod(target.path, 0o755)
        }
        return folder
    }
}
