/// What `mage plugins list` reports for each library file it looked at.
public struct PluginLibrary: Sendable, Codable, Equatable {
    public var path: String
    public var sha256: String?
    public var name: String
    public var version: String
    public var abiVersion: String
    public var swiftModule: String?
    public var blockKinds: [String]
    public var functions: [String]
}

public struct RefusedLibrary: Sendable, Codable, Equatable {
    public var path: String
    public var reason: String
}
