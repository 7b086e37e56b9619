import Foundation

/// Fresh folders for tests, in the system's temporary folder, readable by other users (the PostgreSQL
/// tests hand some to the postgres user).
public enum TemporaryFolder {
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// A new, empty folder `<tmp>/<label>-XXXXXX`.
    public static func make(_ label: String = "mage-test") throws -> URL {
        var template = Array("\(NSTemporaryDirectory())/\(label)-XXXXXX".utf8CString)
        guard let path = mkdtemp(&template) else { throw Failure(description: "mkdtemp: \(String(cString: strerror(errno)))") }
        chmod(path, 0o755)
        return URL(fileURLWithPath: String(cString: path))
    }
}
