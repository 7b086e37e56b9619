import Foundation
import PluginAPI
import PluginKit

/// Synthetic telecom customers with a churn label that depends on the features the way churn does:
/// unhappy, short-contract, high-bill customers who call support leave. About 26% churn; learnable but
/// noisy, so a good model's AUC is well above 0.8 and below 1.
enum ChurnSynthetic {
    static let maxRows: Int64 = 50_000_000

    static let spec = BlockKindSpec(
        name: "churn_synthetic", type: MAGE_BLOCK_DATA_LOADER,
        description: "synthetic customer records with 10 features and a churn label",
        configKeys: [
            ConfigKeySpec("rows", MAGE_CONFIG_INT, "number of customers (default 1000)"),
            ConfigKeySpec("seed", MAGE_CONFIG_INT, "random seed; the same seed gives the same data (default 42)"),
        ],
        run: { ctx, _, _, output in ChurnSynthetic.run(BlockCall(ctx), output) })

    static let features = [
        "account_age", "monthly_charges", "total_charges", "num_services", "customer_service_calls",
        "contract_length", "payment_method_score", "usage_frequency", "support_tickets", "satisfaction_score",
    ]

    static func run(_ call: BlockCall, _ output: UnsafeMutablePointer<mage_table>?) -> Int32 {
        let rows = call.int("rows") ?? 1000
        let seed = call.int("seed") ?? 42
        guard rows > 0 else { return call.fail("rows must be positive, got \(rows)") }
        guard rows <= maxRows else { return call.fail("rows must be at most \(maxRows), got \(rows)") }
        let table = generate(rows: Int(rows), seed: UInt64(bitPattern: seed))
        let out = OutputTable()
        for (name, values) in zip(features, table.features) { out.add(name, doubles: values) }
        out.add("churn", int64s: table.churn)
        if let problem = out.problem { return call.fail(problem, code: Int32(MAGE_ERROR)) }
        let rate = Double(table.churn.reduce(0, +)) / Double(rows)
        call.log("generated \(rows) customers (seed \(seed)), churn rate \(Double(Int(rate * 10000)) / 100)%")
        return out.finish(into: output)
    }

    static func generate(rows: Int, seed: UInt64) -> (features: [[Double]], churn: [Int64]) {
        var g = SeededGenerator(seed: seed)
        var features = Array(repeating: [Double](repeating: 0, count: rows), count: 10)
        var churn = [Int64](repeating: 0, count: rows)
        let contracts: [Double] = [1, 12, 24]
        for i in 0..<rows {
            let accountAge = Double(Int(g.uniform(1, 73)))
            let monthly = min(max(70 + 25 * g.normal(), 18), 130)
            let total = accountAge * monthly * g.uniform(0.9, 1.1)
            let services = Double(Int(g.uniform(1, 9)))
            let calls = g.poisson(2)
            let contract = contracts[Int(g.unit() * 3)]
            let payment = g.unit()
            let usage = g.unit()
            let tickets = g.poisson(1.5)
            let satisfaction = min(max(0.75 - 0.07 * calls + 0.25 * g.normal(), 0), 1)
            let signal = 0.45 * (calls - 2) - 2.6 * (satisfaction - 0.55) - 0.05 * (contract - 12)
                - 0.025 * (accountAge - 36) + 0.02 * (monthly - 70) + 0.3 * (tickets - 1.5)
                - 1.2 * (usage - 0.5) - 0.8 * (payment - 0.5)
            let logit = -1.8 + 2.0 * signal + 0.3 * g.normal()
            let probability = 1 / (1 + exp(-logit))
            churn[i] = g.unit() < probability ? 1 : 0
            let row = [accountAge, monthly, total, services, calls, contract, payment, usage, tickets, satisfaction]
            for f in 0..<10 { features[f][i] = row[f] }
        }
        return (features, churn)
    }
}
