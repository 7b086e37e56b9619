import Foundation

/// The run queue on PostgreSQL: a claim locks the row it takes and skips rows other claimers hold
/// (`FOR UPDATE SKIP LOCKED`); every guarded write is an `UPDATE … WHERE status = $ AND owner IS NOT
/// DISTINCT FROM $` whose count of changed rows says whether it happened.
extension PostgresStore {
    public func pipelineRunClaim(_ lease: Lease, at: Date) throws -> PipelineRun? {
        try query("""
            UPDATE pipeline_runs SET status = 'running', owner = $1, lease_expires_at = $2, started_at = COALESCE(started_at, $3)
            WHERE id = (SELECT id FROM pipeline_runs WHERE status = 'initial' AND NOT cancel_requested
                        ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED)
            RETURNING *
            """, [lease.owner, PostgresText.date(lease.until), PostgresText.date(at)]).first.map(Self.pipelineRun)
    }

    public func leaseRenew(_ lease: Lease) throws -> [LeaseHold] {
        try query("""
            UPDATE pipeline_runs SET lease_expires_at = $1 WHERE owner = $2 AND status = 'running' RETURNING id, cancel_requested
            """, [PostgresText.date(lease.until), lease.owner]).all
            .map { LeaseHold(runID: $0.int64("id"), cancelRequested: $0.bool("cancel_requested")) }
            .sorted { $0.runID < $1.runID }
    }

    public func pipelineRunTransition(_ t: RunTransition) throws -> Bool {
        do {
            return try transaction { c in
                let waiting = t.to == .initial
                let moved = try c.query("""
                    UPDATE pipeline_runs SET status = $1,
                        owner = CASE WHEN $2 THEN NULL ELSE owner END,
                        lease_expires_at = CASE WHEN $3 THEN NULL ELSE lease_expires_at END,
                        completed_at = CASE WHEN $4 THEN $5::timestamptz ELSE NULL END,
                        cancel_requested = CASE WHEN $2 THEN false ELSE cancel_requested END,
                        host_failures = host_failures + $6,
                        timed_out_at = CASE WHEN $11 THEN $5::timestamptz ELSE timed_out_at END
                    WHERE id = $7 AND status = $8 AND owner IS NOT DISTINCT FROM $9
                        AND ($10::timestamptz IS NULL OR lease_expires_at IS NULL OR lease_expires_at < $10::timestamptz)
                    """, [t.to.rawValue, PostgresText.bool(waiting), PostgresText.bool(waiting || t.to.isFinished),
                          PostgresText.bool(t.to.isFinished), PostgresText.date(t.at), t.hostFailure ? "1" : "0", String(t.runID),
                          t.from.rawValue, t.owner, PostgresText.date(t.leaseExpiredBefore), PostgresText.bool(t.timedOut)])
                guard moved.affected == 1 else { return false }
                for change in t.blocks {
                    let changed: PostgresRows
                    if change.to == .initial {
                        changed = try c.query("""
                            UPDATE block_runs SET status = 'initial', attempts = 0, started_at = NULL, completed_at = NULL,
                                error = NULL, output_path = NULL, next_attempt_at = NULL
                            WHERE pipeline_run_id = $1 AND block = $2 AND status = $3
                            """, [String(t.runID), change.block, change.from.rawValue])
                    } else {
                        changed = try c.query("""
                            UPDATE block_runs SET status = $1, error = COALESCE($2, error), next_attempt_at = NULL,
                                completed_at = CASE WHEN $3 THEN $4::timestamptz ELSE completed_at END
                            WHERE pipeline_run_id = $5 AND block = $6 AND status = $7
                            """, [change.to.rawValue, change.error, PostgresText.bool(change.to.isFinished), PostgresText.date(t.at),
                                  String(t.runID), change.block, change.from.rawValue])
                    }
                    // One block moved by someone else undoes the whole transition.
                    if changed.affected != 1 { throw BlockMoved() }
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
        return try query("""
            UPDATE block_runs SET status = $1,
                attempts = COALESCE($2::integer, attempts), started_at = COALESCE($3::timestamptz, started_at),
                completed_at = COALESCE($4::timestamptz, completed_at),
                error = CASE WHEN $1 = 'completed' THEN NULL ELSE COALESCE($5, error) END,
                log_path = COALESCE($6, log_path), output_path = COALESCE($7, output_path),
                facets = COALESCE($8, facets), next_attempt_at = $9
            WHERE pipeline_run_id = $10 AND block = $11 AND status = $12
                AND EXISTS (SELECT 1 FROM pipeline_runs WHERE id = $10 AND status = 'running' AND owner = $13)
            """, [u.status.rawValue, u.attempts.map(String.init), PostgresText.date(u.startedAt), PostgresText.date(u.completedAt),
                  u.error, u.logPath, u.outputPath, facets, PostgresText.date(u.nextAttemptAt), String(u.pipelineRunID), u.block,
                  from.rawValue, owner]).affected == 1
    }

    public func pipelineRunRequestCancel(id: Int64) throws -> Bool {
        try query("UPDATE pipeline_runs SET cancel_requested = true WHERE id = $1 AND status IN ('initial', 'running')",
                  [String(id)]).affected == 1
    }

    public func pipelineRunsLeaseExpired(at: Date, limit: Int) throws -> [PipelineRun] {
        try query("""
            SELECT * FROM pipeline_runs
            WHERE status = 'running' AND (owner IS NULL OR lease_expires_at IS NULL OR lease_expires_at < $1)
            ORDER BY id LIMIT $2
            """, [PostgresText.date(at), String(limit)]).all.map(Self.pipelineRun)
    }
}
