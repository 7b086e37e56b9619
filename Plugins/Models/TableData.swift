import Foundation
import PluginKit

/// The bridge between a block's input table and a `Dataset`: numeric feature columns in table order,
/// a 0/1 label, and (after preprocessing) the train/test split.
struct TableData {
    static let splitColumn = "split"
    static let preprocessorKey = "swiftmage.preprocessor"
    static let labelKey = "swiftmage.label"

    let dataset: Dataset
    /// 0 train, 1 test, when the table has a split column.
    let split: [Int64]?

    struct Problem: Error, CustomStringConvertible {
        let description: String
    }

    init(_ table: InputTable, label: String) throws {
        guard let labelColumn = table.column(named: label) else {
            throw Problem(description: "label column '\(label)' is missing (columns: \(table.columns.map(\.name).joined(separator: ", ")))")
        }
        guard let rawLabels = labelColumn.doubles() ?? labelColumn.bools()?.map(Double.init) else {
            throw Problem(description: "label column '\(label)' must be numeric or boolean, not text")
        }
        var labels: [Int] = []
        labels.reserveCapacity(rawLabels.count)
        for (row, value) in rawLabels.enumerated() {
            guard labelColumn.isValid(row), value == 0 || value == 1 else {
                throw Problem(description: "label column '\(label)' must hold 0 or 1; row \(row) holds \(labelColumn.isValid(row) ? String(value) : "null")")
            }
            labels.append(Int(value))
        }
        var names: [String] = []
        var columns: [[Double]] = []
        for column in table.columns where column.name != label && column.name != Self.splitColumn {
            guard var values = column.doubles() else {
                throw Problem(description: "feature column '\(column.name)' is \(column.format == "u" ? "text" : "boolean"); the model needs numeric features")
            }
            for row in 0..<values.count where !column.isValid(row) { values[row] = .nan }
            names.append(column.name)
            columns.append(values)
        }
        guard !names.isEmpty else { throw Problem(description: "the table has no feature columns besides '\(label)'") }
        guard table.rowCount > 0 else { throw Problem(description: "the table has no rows") }
        dataset = try Dataset(columns: columns, featureNames: names, labels: labels)
        split = table.column(named: Self.splitColumn)?.int64s()
    }
}
