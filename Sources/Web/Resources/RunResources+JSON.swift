import Foundation
import MageHTTP
import MageHost

/// The run resources written by hand (a page of runs is the web API's hottest answer). Keys in sorted
/// order; a nil optional is left out, as the synthesized `Encodable` leaves it out. `RunResourceJSONTests`
/// holds this to what the encoder writes.
extension PipelineRunResource: JSONWritable {
    func write(to json: inout JSONWriter) {
        json.raw(#"{"block_run_statuses":{"#)
        for (i, status) in block_run_statuses.keys.sorted().enumerated() {
            if i > 0 { json.raw(UInt8(ascii: ",")) }
            json.string(status)
            json.raw(UInt8(ascii: ":"))
            json.integer(block_run_statuses[status]!)
        }
        json.raw("}")
        if let block_runs {
            json.raw(#","block_runs":["#)
            for (i, blockRun) in block_runs.enumerated() {
                if i > 0 { json.raw(UInt8(ascii: ",")) }
                blockRun.write(to: &json)
            }
            json.raw("]")
        }
        json.raw(#","block_runs_count":"#)
        json.integer(block_runs_count)
        json.raw(cancel_requested ? #","cancel_requested":true"# : #","cancel_requested":false"#)
        if let completed_at {
            json.raw(#","completed_at":"#)
            json.time(completed_at)
        }
        json.raw(#","completed_block_runs_count":"#)
        json.integer(completed_block_runs_count)
        json.raw(#","created_at":"#)
        json.time(created_at)
        if let execution_date {
            json.raw(#","execution_date":"#)
            json.time(execution_date)
        }
        json.raw(#","host_failures":"#)
        json.integer(host_failures)
        json.raw(#","id":"#)
        json.integer(id)
        if let owner {
            json.raw(#","owner":"#)
            json.string(owner)
        }
        if let pipeline_schedule_id {
            json.raw(#","pipeline_schedule_id":"#)
            json.integer(pipeline_schedule_id)
        }
        json.raw(#","pipeline_uuid":"#)
        json.string(pipeline_uuid)
        if let sla_missed_at {
            json.raw(#","sla_missed_at":"#)
            json.time(sla_missed_at)
        }
        if let started_at {
            json.raw(#","started_at":"#)
            json.time(started_at)
        }
        json.raw(#","status":"#)
        json.string(status)
        if let timed_out_at {
            json.raw(#","timed_out_at":"#)
            json.time(timed_out_at)
        }
        json.raw(#","variables":"#)
        json.value(.map(variables))
        json.raw("}")
    }
}

extension BlockRunResource: JSONWritable {
    func write(to json: inout JSONWriter) {
        json.raw(#"{"attempts":"#)
        json.integer(attempts)
        json.raw(#","block_uuid":"#)
        json.string(block_uuid)
        if let completed_at {
            json.raw(#","completed_at":"#)
            json.time(completed_at)
        }
        if let duration_seconds {
            json.raw(#","duration_seconds":"#)
            json.number(duration_seconds)
        }
        if let error {
            json.raw(#","error":"#)
            json.string(error)
        }
        json.raw(#","facets":{"#)
        for (i, name) in facets.keys.sorted().enumerated() {
            if i > 0 { json.raw(UInt8(ascii: ",")) }
            json.string(name)
            json.raw(UInt8(ascii: ":"))
            json.string(facets[name]!)
        }
        json.raw(#"},"id":"#)
        json.integer(id)
        if let next_attempt_at {
            json.raw(#","next_attempt_at":"#)
            json.time(next_attempt_at)
        }
        json.raw(#","pipeline_run_id":"#)
        json.integer(pipeline_run_id)
        if let started_at {
            json.raw(#","started_at":"#)
            json.time(started_at)
        }
        json.raw(#","status":"#)
        json.string(status)
        json.raw("}")
    }
}
