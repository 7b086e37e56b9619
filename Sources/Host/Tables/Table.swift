/// A columnar table as the host holds it: the values that cross the plugin boundary as Arrow arrays.
public struct Table: Sendable, Equatable {
    public var columns: [Column]
    /// Arrow schema metadata: key/value pairs that travel with the table (e.g. fitted preprocessing).
    public var metadata: [String: String]

    public init(columns: [Column], metadata: [String: String] = [:]) {
        self.columns = columns
        self.metadata = metadata
    }

    public var rowCount: Int { columns.first?.count ?? 0 }

    public func column(named name: String) -> Column? {
        columns.first { $0.name == name }
    }
}

public struct Column: Sendable, Equatable {
    public var name: String
    public var values: ColumnValues
    /// nil when every value is present; otherwise one flag per row.
    public var validity: [Bool]?

    public init(name: String, values: ColumnValues, validity: [Bool]? = nil) {
        self.name = name
        self.values = values
        self.validity = validity
    }

    public var count: Int { values.count }

    public func isNull(_ row: Int) -> Bool { validity.map { !$0[row] } ?? false }
}

public enum ColumnValues: Sendable, Equatable {
    case float64([Double])
    case int64([Int64])
    case bool([Bool])
    case utf8([String])

    public var count: Int {
        switch self {
        case .float64(let v): v.count
        case .int64(let v): v.count
        case .bool(let v): v.count
        case .utf8(let v): v.count
        }
    }

    public var type: ColumnType {
        switch self {
        case .float64: .float64
        case .int64: .int64
        case .bool: .bool
        case .utf8: .utf8
        }
    }
}

/// Column types, named as in the persisted schema and mapped to Arrow format strings.
public enum ColumnType: String, Sendable, Codable, CaseIterable {
    case float64, int64, bool, utf8

    public var arrowFormat: String {
        switch self {
        case .float64: "g"
        case .int64: "l"
        case .bool: "b"
        case .utf8: "u"
        }
    }

    public init?(arrowFormat: String) {
        guard let type = Self.allCases.first(where: { $0.arrowFormat == arrowFormat }) else { return nil }
        self = type
    }
}
