import Foundation
import GRDB

/// The run queue on SQLite. Every write is one transaction on the database's single writer, so a guarded
/// `UPDATE … WHERE status = ? AND owner IS ?` and the count of rows it changed are the compare-and-set.
extension SQLiteStore {
    public func pipelineRunClaim(_ lease: Lease, at: Date) throws -> PipelineRun? {
        try pool.write { db in
            guard let id = try Int64.fetchOne(db, sql: """
                SELECT id FROM pipeline_runs WHERE status = 'initial' AND cancel_requested = 0 ORDER BY id LIMIT 1
                """) else { return nil }
            try db.execute(sql: """
                UPDATE pipeline_runs SET status = 'running', owner = ?, lease_expires_at = ?,
                    started_at = COALESCE(started_at, ?)
                WHERE id = ? AND status = 'initial'
                """, arguments: [lease.owner, lease.until, at, id])
            guard db.changesCount == 1 else { return nil }
            return try Row.fetchOne(db, sql: "SELECT \(Self.runColumns) FROM pipeline_runs WHERE id = ?", arguments: [id]).map(Self.pipelineRun)
        }
    }

    public func leaseRenew(_ lease: Lease) throws -> [LeaseHold] {
        try pool.write { db in
            try db.execute(sql: "UPDATE pipeline_runs SET lease_expires_at = ? WHERE owner = ? AND status = 'running'",
                           arguments: [lease.until, lease.owner])
            return try Row.fetchAll(db, sql: """
                SELECT id, cancel_requested FROM pipeline_runs WHERE owner = ? AND status = 'running' ORDER BY id
                """, arguments: [lease.owner]).map { LeaseHold(runID: $0["id"], cancelRequested: $0["cancel_requested"]) }
        }
    }

    public func pipelineRunTransition(_ t: RunTransition) throws -> Bool {
        do {
            return try pool.write { db in
                // Back to initial: unowned and waiting again. Finished: the lease ends, the owner stays as history.
                let waiting = t.to == .initial
                try db.execute(sql: """
                    UPDATE pipeline_runs SET status = ?,
                        owner = CASE WHEN ? THEN NULL ELSE owner END,
                        lease_expires_at = CASE WHEN ? THEN NULL ELSE lease_expires_at END,
                        completed_at = CASE WHEN ? THEN ? ELSE NULL END,
                        cancel_requested = CASE WHEN ? THEN 0 ELSE cancel_requested END,
                        host_failures = host_failures + ?,
                        timed_out_at = CASE WHEN ? THEN ? ELSE timed_out_at END
                    WHERE id = ? AND status = ? AND owner IS ?
                        AND (? IS NULL OR lease_expires_at IS NULL OR lease_expires_at < ?)
                    """, arguments: [t.to.rawValue, waiting, waiting || t.to.isFinished, t.to.isFinished, t.at, waiting,
                                     t.hostFailure ? 1 : 0, t.timedOut, t.at, t.runID, t.from.rawValue, t.owner,
                                     t.leaseExpiredBefore, t.leaseExpiredBefore])
                guard db.changesCount == 1 else { return false }
                for change in t.blocks {
                    if change.to == .initial {
                        try db.execute(sql: """
                            UPDATE block_runs SET status = 'initial', attempts = 0, started_at = NULL, completed_at = NULL,
                                error = NULL, output_path = NULL, next_attempt_at = NULL
                            WHERE pipeline_run_id = ? AND block = ? AND status = ?
                            """, arguments: [t.runID, change.block, change.from.rawValue])
                    } else {
                        try db.execute(sql: """
                            UPDATE block_runs SET status = ?, error = COALESCE(?, error), next_attempt_at = NULL,
                                completed_at = CASE WHEN ? THEN ? ELSE completed_at END
                            WHERE pipeline_run_id = ? AND block = ? AND status = ?
                            """, arguments: [change.to.rawValue, change.error, change.to.isFinished, t.at, t.runID, change.block,
                                             change.from.rawValue])
                    }
                    // One block moved by someone else undoes the whole transition.
                    if db.changesCount != 1 { throw BlockMoved() }
                }
                return true
            }
        } catch is BlockMoved {
            return false
        }
    }

    private struct BlockMoved: Error {}

    public func blockRunTransition(_ u: BlockRunUpdate, from: BlockRunStatus, owner: String) throws -> Bool {
        let facets = try u.facets.map { String(decoding: try JSON.encode($0, pretty: false), as: UTF8.self) }
        return try pool.write { db in
            try db.execute(sql: """
                UPDATE block_runs SET status = ?,
                    attempts = COALESCE(?, attempts), started_at = COALESCE(?, started_at),
                    completed_at = COALESCE(?, completed_at),
                    error = CASE WHEN ? = 'completed' THEN NULL ELSE COALESCE(?, error) END,
                    log_path = COALESCE(?, log_path), output_path = COALESCE(?, output_path),
                    facets = COALESCE(?, facets), next_attempt_at = ?
                WHERE pipeline_run_id = ? AND block = ? AND status = ?
                    AND EXISTS (SELECT 1 FROM pipeline_runs WHERE id = ? AND status = 'running' AND owner = ?)
                """, arguments: [u.status.rawValue, u.attempts, u.startedAt, u.completedAt, u.status.rawValue, u.error, u.logPath,
                                 u.outputPath, facets, u.nextAttemptAt, u.pipelineRunID, u.block, from.rawValue,
                                 u.pipelineRunID, owner])
            return db.changesCount == 1
        }
    }

    public func pipelineRunRequestCancel(id: Int64) throws -> Bool {
        try pool.write { db in
            try db.execute(sql: """
                UPDATE pipeline_runs SET cancel_requested = 1 WHERE id = ? AND status IN ('initial', 'running')
                """, arguments: [id])
            return db.changesCount == 1
        }
    }

    public func pipelineRunsLeaseExpired(at: Date, limit: Int) throws -> [PipelineRun] {
        try pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT \(Self.runColumns) FROM pipeline_runs
                WHERE status = 'running' AND (owner IS NULL OR lease_expires_at IS NULL OR lease_expires_at < ?)
                ORDER BY id LIMIT ?
                """, arguments: [at, limit]).map(Self.pipelineRun)
        }
    }
}
