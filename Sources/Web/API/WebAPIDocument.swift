import Foundation
import HTTPTypes
import MageHost

/// The OpenAPI 3.1 document of the web server's API, served at `GET /api/openapi.json`. It is data,
/// written as JSON below; the code only adds the bearer requirement (and 401) to the operations the
/// server's token check guards. A test keeps its operations equal to the router's routes, and
/// schemathesis (`--checks all`, in `make test`) keeps the server true to it.
enum WebAPIDocument {
    /// The document for a server whose token check is `needsToken`.
    static func json(needsToken: (HTTPRequest.Method, String) -> Bool) -> ConfigValue {
        guard case .map(var document) = base, case .map(var paths) = document["paths"] else { return base }
        var secured = false
        for (path, item) in paths {
            guard case .map(var operations) = item else { continue }
            for (method, operation) in operations {
                guard let httpMethod = HTTPRequest.Method(method.uppercased()),
                      needsToken(httpMethod, path),
                      case .map(var fields) = operation, case .map(var responses) = fields["responses"] else { continue }
                responses["401"] = .map(["description": .string("no bearer token, or not MAGE_API_TOKEN"), "content": errorContent])
                fields["responses"] = .map(responses)
                fields["security"] = .list([.map(["bearer": .list([])])])
                operations[method] = .map(fields)
                secured = true
            }
            paths[path] = .map(operations)
        }
        document["paths"] = .map(paths)
        if secured, case .map(var components) = document["components"] {
            var schemes = components["securitySchemes"]?.objectValue ?? [:]
            schemes["bearer"] = .map(["type": .string("http"), "scheme": .string("bearer")])
            components["securitySchemes"] = .map(schemes)
            document["components"] = .map(components)
        }
        return .map(document)
    }

    static let errorContent: ConfigValue = .map(["application/json": .map(["schema": .map(["$ref": .string("#/components/schemas/Error")])])])

    /// Every operation as `METHOD /path/{param}`, as the router describes its routes, for the test.
    static var routes: Set<String> {
        guard case .map(let document) = base, case .map(let paths) = document["paths"] else { return [] }
        return Set(paths.flatMap { path, item -> [String] in
            guard case .map(let operations) = item else { return [] }
            return operations.keys.map { "\($0.uppercased()) \(path)" }
        })
    }

    static let base: ConfigValue = {
        do {
            return try JSONDecoder().decode(ConfigValue.self, from: Data(text.utf8))
        } catch {
            preconditionFailure("the web API's OpenAPI document is not valid JSON: \(error)")
        }
    }()

    /// The keys of a trigger as triggers.yaml writes them (but its name), shared by the schemas that create
    /// and update one.
    private static let triggerKeys = #"""
    "schedule_type": {"enum": ["time", "api", null]},
    "schedule_interval": {"type": ["string", "null"], "description": "@once @hourly @daily @weekly @monthly @yearly or a 5-field cron expression"},
    "interval": {"type": ["integer", "null"], "minimum": 1, "description": "seconds from start_time, instead of schedule_interval"},
    "start_time": {"type": ["string", "null"], "description": "2026-12-01 00:00:00 in the trigger's timezone, or ISO 8601 with a zone"},
    "timezone": {"type": ["string", "null"], "description": "IANA name, default UTC"},
    "status": {"enum": ["active", "inactive", null]}, "catch_up": {"enum": ["none", "last", "all", null]},
    "variables": {"type": ["object", "null"]}, "sla": {"type": ["number", "null"], "exclusiveMinimum": 0},
    "settings": {"oneOf": [{"$ref": "#/components/schemas/TriggerSettings"}, {"type": "null"}]}
    """#

    private static let text = #"""
    {
      "openapi": "3.1.0",
      "info": {"title": "SwiftMage web API", "version": "1.0.0",
               "description": "Mage's REST API over a SwiftMage project: lists are {<plural>: [...], metadata: {count, next}}, records {<singular>: {...}}, errors {status_code, error, errors} with their real status."},
      "paths": {
        "/api/statuses": {"get": {"summary": "This process's roles, the store, the plugins and the runs in flight (no token needed)",
          "responses": {"200": {"$ref": "#/components/responses/Statuses"}}}},
        "/api/pipelines": {"get": {"summary": "The project's pipelines, valid or not",
          "parameters": [{"$ref": "#/components/parameters/limit"}, {"$ref": "#/components/parameters/offset"}],
          "responses": {"200": {"$ref": "#/components/responses/Pipelines"}, "400": {"$ref": "#/components/responses/Error"}}}},
        "/api/pipelines/{uuid}": {"get": {"summary": "One pipeline: its blocks, the DAG both ways, the last run's status of each block",
          "parameters": [{"$ref": "#/components/parameters/pipelineUUID"}],
          "responses": {"200": {"$ref": "#/components/responses/Pipeline"}, "400": {"$ref": "#/components/responses/Error"},
                        "404": {"$ref": "#/components/responses/Error"}}}},
        "/api/pipelines/{uuid}/logs": {"get": {"summary": "The last 64 KiB of each block run's log, by run and block",
          "parameters": [{"$ref": "#/components/parameters/pipelineUUID"},
                         {"name": "pipeline_run_id[]", "in": "query", "style": "form", "explode": true,
                          "description": "Runs of this pipeline (default: its newest)",
                          "schema": {"type": "array", "items": {"$ref": "#/components/schemas/ID"}}},
                         {"name": "block_uuid[]", "in": "query", "style": "form", "explode": true,
                          "schema": {"type": "array", "items": {"$ref": "#/components/schemas/Name"}}},
                         {"$ref": "#/components/parameters/limit"}, {"$ref": "#/components/parameters/offset"}],
          "responses": {"200": {"$ref": "#/components/responses/Logs"}, "400": {"$ref": "#/components/responses/Error"},
                        "404": {"$ref": "#/components/responses/Error"}}}},
        "/api/pipeline_runs": {"get": {"summary": "Pipeline runs, newest first",
          "parameters": [{"name": "pipeline_uuid", "in": "query", "schema": {"$ref": "#/components/schemas/Name"}},
                         {"name": "status[]", "in": "query", "style": "form", "explode": true,
                          "schema": {"type": "array", "items": {"$ref": "#/components/schemas/PipelineRunStatus"}}},
                         {"$ref": "#/components/parameters/limit"}, {"$ref": "#/components/parameters/offset"}],
          "responses": {"200": {"$ref": "#/components/responses/PipelineRuns"}, "400": {"$ref": "#/components/responses/Error"}}}},
        "/api/pipelines/{uuid}/pipeline_runs": {"post": {"summary": "Queue a run of the pipeline (initial) for a dispatcher; variables are checked against the pipeline's",
          "parameters": [{"$ref": "#/components/parameters/pipelineUUID"}],
          "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/PipelineRunCreate"}}}},
          "responses": {"201": {"$ref": "#/components/responses/PipelineRun"}, "400": {"$ref": "#/components/responses/Error"},
                        "404": {"$ref": "#/components/responses/Error"}, "409": {"$ref": "#/components/responses/Error"},
                        "413": {"$ref": "#/components/responses/Error"}, "415": {"$ref": "#/components/responses/Error"},
                        "422": {"$ref": "#/components/responses/Error"}}}},
        "/api/pipeline_runs/{id}": {"get": {"summary": "One run with its block runs",
          "parameters": [{"$ref": "#/components/parameters/id"}],
          "responses": {"200": {"$ref": "#/components/responses/PipelineRun"}, "400": {"$ref": "#/components/responses/Error"},
                        "404": {"$ref": "#/components/responses/Error"}}},
          "put": {"summary": "Cancel the run ({status: cancelled}) or run its failed blocks again ({pipeline_run_action: retry_blocks})",
          "parameters": [{"$ref": "#/components/parameters/id"}],
          "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/PipelineRunUpdate"}}}},
          "responses": {"200": {"$ref": "#/components/responses/PipelineRun"}, "400": {"$ref": "#/components/responses/Error"},
                        "404": {"$ref": "#/components/responses/Error"}, "409": {"$ref": "#/components/responses/Error"},
                        "413": {"$ref": "#/components/responses/Error"}, "415": {"$ref": "#/components/responses/Error"},
                        "422": {"$ref": "#/components/responses/Error"}}}},
        "/api/block_runs": {"get": {"summary": "The block runs of one run",
          "parameters": [{"name": "pipeline_run_id", "in": "query", "required": true, "schema": {"$ref": "#/components/schemas/ID"}}],
          "responses": {"200": {"$ref": "#/components/responses/BlockRuns"}, "400": {"$ref": "#/components/responses/Error"},
                        "404": {"$ref": "#/components/responses/Error"}}}},
        "/api/block_runs/{id}/logs/stream": {"get": {"summary": "Server-Sent Events: the block run's log so far, then live until it ends",
          "parameters": [{"$ref": "#/components/parameters/id"},
                         {"name": "Last-Event-ID", "in": "header", "description": "The id of the last event received: a byte offset",
                          "schema": {"type": "integer", "minimum": 0, "maximum": 9223372036854775807}}],
          "responses": {"200": {"description": "log, status and end events", "content": {"text/event-stream": {"schema": {
                          "type": "object", "required": ["event", "data"],
                          "properties": {"event": {"enum": ["log", "status", "end"]}, "data": {"type": "string"}, "id": {"type": "string"}}}}}},
                        "400": {"$ref": "#/components/responses/Error"}, "404": {"$ref": "#/components/responses/Error"}}}},
        "/api/datasets": {"get": {"summary": "Dataset versions, newest first",
          "parameters": [{"name": "pipeline_run_id", "in": "query", "schema": {"$ref": "#/components/schemas/ID"}},
                         {"$ref": "#/components/parameters/limit"}],
          "responses": {"200": {"$ref": "#/components/responses/Datasets"}, "400": {"$ref": "#/components/responses/Error"}}}},
        "/api/plugins": {"get": {"summary": "The plugin search path, the libraries loaded and the ones refused, with why",
          "responses": {"200": {"$ref": "#/components/responses/Plugins"}}}},
        "/api/models": {"get": {"summary": "Registered model versions, newest first, with the one latest.json names",
          "parameters": [{"$ref": "#/components/parameters/limit"}, {"$ref": "#/components/parameters/offset"}],
          "responses": {"200": {"$ref": "#/components/responses/Models"}, "400": {"$ref": "#/components/responses/Error"}}}},
        "/api/models/{version}": {"get": {"summary": "One version with its hyperparameters, feature importance and lineage",
          "parameters": [{"$ref": "#/components/parameters/version"}],
          "responses": {"200": {"$ref": "#/components/responses/Model"}, "400": {"$ref": "#/components/responses/Error"},
                        "404": {"$ref": "#/components/responses/Error"}}}},
        "/api/models/{version}/promote": {"post": {"summary": "Point latest.json at this version",
          "parameters": [{"$ref": "#/components/parameters/version"}],
          "responses": {"200": {"$ref": "#/components/responses/Model"}, "400": {"$ref": "#/components/responses/Error"},
                        "404": {"$ref": "#/components/responses/Error"}, "500": {"$ref": "#/components/responses/Error"}}}},
        "/api/models/rollback": {"post": {"summary": "Point latest.json back at the version before it",
          "responses": {"200": {"$ref": "#/components/responses/Model"}, "409": {"$ref": "#/components/responses/Error"},
                        "500": {"$ref": "#/components/responses/Error"}}}},
        "/api/lineage": {"get": {"summary": "The lineage graph of the newest model versions: data version → run → model version → deployment",
          "parameters": [{"$ref": "#/components/parameters/limit"}],
          "responses": {"200": {"$ref": "#/components/responses/Lineage"}, "400": {"$ref": "#/components/responses/Error"}}}},
        "/api/pipeline_schedules": {"get": {"summary": "Triggers (Mage's pipeline schedules) by pipeline, then name: those of triggers.yaml and those made through the API",
          "parameters": [{"name": "pipeline_uuid", "in": "query", "schema": {"$ref": "#/components/schemas/Name"}},
                         {"$ref": "#/components/parameters/limit"}, {"$ref": "#/components/parameters/offset"}],
          "responses": {"200": {"$ref": "#/components/responses/PipelineSchedules"}, "400": {"$ref": "#/components/responses/Error"}}},
          "post": {"summary": "Create a trigger of the pipeline named by pipeline_uuid; its keys are triggers.yaml's, validated as a file entry is",
          "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/PipelineScheduleCreateWithPipeline"}}}},
          "responses": {"201": {"$ref": "#/components/responses/PipelineSchedule"}, "400": {"$ref": "#/components/responses/Error"}, "404": {"$ref": "#/components/responses/Error"}, "409": {"$ref": "#/components/responses/Error"}, "413": {"$ref": "#/components/responses/Error"}, "415": {"$ref": "#/components/responses/Error"}, "422": {"$ref": "#/components/responses/Error"}}}},
        "/api/pipelines/{uuid}/pipeline_schedules": {"get": {"summary": "The pipeline's triggers",
          "parameters": [{"$ref": "#/components/parameters/pipelineUUID"}, {"$ref": "#/components/parameters/limit"}, {"$ref": "#/components/parameters/offset"}],
          "responses": {"200": {"$ref": "#/components/responses/PipelineSchedules"}, "400": {"$ref": "#/components/responses/Error"}, "404": {"$ref": "#/components/responses/Error"}}},
          "post": {"summary": "Create a trigger of the pipeline; an api trigger's answer carries its token, this once",
          "parameters": [{"$ref": "#/components/parameters/pipelineUUID"}],
          "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/PipelineScheduleCreate"}}}},
          "responses": {"201": {"$ref": "#/components/responses/PipelineSchedule"}, "400": {"$ref": "#/components/responses/Error"}, "404": {"$ref": "#/components/responses/Error"}, "409": {"$ref": "#/components/responses/Error"}, "413": {"$ref": "#/components/responses/Error"}, "415": {"$ref": "#/components/responses/Error"}, "422": {"$ref": "#/components/responses/Error"}}}},
        "/api/pipeline_schedules/{id}": {"get": {"summary": "One trigger with its next run time, last run and runs in flight",
          "parameters": [{"$ref": "#/components/parameters/id"}],
          "responses": {"200": {"$ref": "#/components/responses/PipelineSchedule"}, "400": {"$ref": "#/components/responses/Error"}, "404": {"$ref": "#/components/responses/Error"}}},
          "put": {"summary": "Merge the keys given into the trigger's definition (null removes one) and validate it again; {status: active|inactive} enables or disables it. An edit of a triggers.yaml trigger holds until its entry in the file changes",
          "parameters": [{"$ref": "#/components/parameters/id"}],
          "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/PipelineScheduleUpdate"}}}},
          "responses": {"200": {"$ref": "#/components/responses/PipelineSchedule"}, "400": {"$ref": "#/components/responses/Error"}, "404": {"$ref": "#/components/responses/Error"}, "409": {"$ref": "#/components/responses/Error"}, "413": {"$ref": "#/components/responses/Error"}, "415": {"$ref": "#/components/responses/Error"}, "422": {"$ref": "#/components/responses/Error"}}},
          "delete": {"summary": "Delete the trigger (its runs stay); a triggers.yaml trigger comes back at the next sync unless removed from the file",
          "parameters": [{"$ref": "#/components/parameters/id"}],
          "responses": {"200": {"$ref": "#/components/responses/PipelineSchedule"}, "400": {"$ref": "#/components/responses/Error"}, "404": {"$ref": "#/components/responses/Error"}}}},
        "/api/pipeline_schedules/{id}/token": {"post": {"summary": "Give an api trigger a new token, shown in this answer only; the old one stops working",
          "parameters": [{"$ref": "#/components/parameters/id"}],
          "responses": {"200": {"$ref": "#/components/responses/PipelineSchedule"}, "400": {"$ref": "#/components/responses/Error"}, "404": {"$ref": "#/components/responses/Error"}, "409": {"$ref": "#/components/responses/Error"}}}},
        "/api/pipeline_schedules/{id}/api_trigger": {"post": {"summary": "Run an active api trigger (initial, for a dispatcher) with the trigger's token as the bearer token; the body's variables overlay the trigger's",
          "parameters": [{"$ref": "#/components/parameters/id"}],
          "security": [{"triggerToken": []}],
          "requestBody": {"required": false, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/PipelineRunCreate"}}}},
          "responses": {"201": {"$ref": "#/components/responses/PipelineRun"}, "400": {"$ref": "#/components/responses/Error"}, "401": {"$ref": "#/components/responses/Error"}, "404": {"$ref": "#/components/responses/Error"}, "409": {"$ref": "#/components/responses/Error"}, "413": {"$ref": "#/components/responses/Error"}, "415": {"$ref": "#/components/responses/Error"}, "422": {"$ref": "#/components/responses/Error"}}}},
        "/api/pipeline_schedules/{id}/pipeline_runs/{token}": {"post": {"summary": "Mage's older form of api_trigger: the trigger's token in the path (masked in logs)",
          "parameters": [{"$ref": "#/components/parameters/id"},
                         {"name": "token", "in": "path", "required": true, "schema": {"type": "string", "minLength": 1}}],
          "requestBody": {"required": false, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/PipelineRunCreate"}}}},
          "responses": {"201": {"$ref": "#/components/responses/PipelineRun"}, "400": {"$ref": "#/components/responses/Error"}, "401": {"$ref": "#/components/responses/Error"}, "404": {"$ref": "#/components/responses/Error"}, "409": {"$ref": "#/components/responses/Error"}, "413": {"$ref": "#/components/responses/Error"}, "415": {"$ref": "#/components/responses/Error"}, "422": {"$ref": "#/components/responses/Error"}}}},
        "/api/openapi.json": {"get": {"summary": "This document",
          "responses": {"200": {"description": "OpenAPI 3.1", "content": {"application/json": {"schema": {"type": "object"}}}}}}}
      },
      "components": {
        "securitySchemes": {"triggerToken": {"type": "http", "scheme": "bearer", "description": "an api trigger's own token (POST /api/pipeline_schedules/{id}/token makes one)"}},
        "parameters": {
          "limit": {"name": "_limit", "in": "query", "description": "Page size (default 40)", "schema": {"type": "integer", "minimum": 1, "maximum": 1000}},
          "offset": {"name": "_offset", "in": "query", "schema": {"type": "integer", "minimum": 0, "maximum": 2147483647}},
          "pipelineUUID": {"name": "uuid", "in": "path", "required": true, "schema": {"$ref": "#/components/schemas/Name"}},
          "id": {"name": "id", "in": "path", "required": true, "schema": {"$ref": "#/components/schemas/ID"}},
          "version": {"name": "version", "in": "path", "required": true, "schema": {"$ref": "#/components/schemas/Name"}}
        },
        "schemas": {
          "Error": {"type": "object", "required": ["status_code", "error"],
                    "properties": {"status_code": {"type": "integer"}, "error": {"type": "string"}, "errors": {"type": "array"}}},
          "Name": {"type": "string", "description": "1 to 128 letters, digits, '_', '-' or '.', not '.' or '..'",
                   "pattern": "^([A-Za-z0-9_-][A-Za-z0-9_.-]{0,127}|\\.[A-Za-z0-9_-][A-Za-z0-9_.-]{0,126}|\\.\\.[A-Za-z0-9_.-]{1,126})$"},
          "ID": {"type": "integer", "minimum": 1, "maximum": 9223372036854775807},
          "PipelineRunStatus": {"enum": ["initial", "running", "completed", "failed", "cancelled"]},
          "BlockRunStatus": {"enum": ["initial", "queued", "running", "completed", "failed", "cancelled", "upstream_failed"]},
          "ListMetadata": {"type": "object", "required": ["count", "next"], "properties": {"count": {"type": "integer"}, "next": {"type": "boolean"}}},
          "Pipeline": {"type": "object", "required": ["uuid", "name", "file", "blocks", "errors"],
                       "properties": {"uuid": {"type": "string"}, "name": {"type": "string"}, "file": {"type": "string"},
                                      "blocks": {"type": "array", "items": {"$ref": "#/components/schemas/Block"}},
                                      "errors": {"type": "array"}, "last_run_id": {"type": "integer"}}},
          "Block": {"type": "object", "required": ["uuid", "name", "type", "plugin", "upstream_blocks", "downstream_blocks", "configuration", "isolation"],
                    "properties": {"uuid": {"type": "string"}, "name": {"type": "string"}, "type": {"type": "string"}, "plugin": {"type": "string"},
                                   "status": {"$ref": "#/components/schemas/BlockRunStatus"},
                                   "upstream_blocks": {"type": "array", "items": {"type": "string"}},
                                   "downstream_blocks": {"type": "array", "items": {"type": "string"}},
                                   "configuration": {"type": "object"}, "retry_config": {"type": "object"},
                                   "timeout": {"type": "number"}, "isolation": {"type": "string"}}},
          "PipelineRun": {"type": "object", "required": ["id", "pipeline_uuid", "status", "variables", "created_at", "block_runs_count", "completed_block_runs_count", "block_run_statuses"],
                          "properties": {"id": {"type": "integer"}, "pipeline_uuid": {"type": "string"},
                                         "pipeline_schedule_id": {"type": "integer", "description": "the trigger that created it"},
                                         "execution_date": {"type": "string", "description": "the tick its trigger ran it for; absent for runs asked through the API"},
                                         "sla_missed_at": {"type": "string"}, "timed_out_at": {"type": "string"},
                                         "status": {"$ref": "#/components/schemas/PipelineRunStatus"}, "variables": {"type": "object"},
                                         "created_at": {"type": "string"}, "started_at": {"type": "string"}, "completed_at": {"type": "string"},
                                         "owner": {"type": "string"}, "cancel_requested": {"type": "boolean"}, "host_failures": {"type": "integer"},
                                         "block_runs_count": {"type": "integer"}, "completed_block_runs_count": {"type": "integer"},
                                         "block_run_statuses": {"type": "object", "additionalProperties": {"type": "integer"}},
                                         "block_runs": {"type": "array", "items": {"$ref": "#/components/schemas/BlockRun"}}}},
          "PipelineRunCreate": {"type": "object", "required": ["pipeline_run"], "additionalProperties": false,
                                "properties": {"pipeline_run": {"type": "object", "additionalProperties": false,
                                  "properties": {"variables": {"type": "object", "description": "name → value; each declared by the pipeline, of its default's kind"}}}}},
          "PipelineRunUpdate": {"type": "object", "required": ["pipeline_run"], "additionalProperties": false,
                                "properties": {"pipeline_run": {"oneOf": [
                                  {"type": "object", "required": ["status"], "additionalProperties": false, "properties": {"status": {"const": "cancelled"}}},
                                  {"type": "object", "required": ["pipeline_run_action"], "additionalProperties": false,
                                   "properties": {"pipeline_run_action": {"const": "retry_blocks"}}}]}}},
          "TriggerSettings": {"type": "object", "additionalProperties": false,
                              "properties": {"skip_if_previous_running": {"type": ["boolean", "null"]}, "allow_blocks_to_fail": {"type": ["boolean", "null"]},
                                             "create_initial_pipeline_run": {"type": ["boolean", "null"]},
                                             "pipeline_run_limit": {"type": ["integer", "null"], "minimum": 1},
                                             "timeout": {"type": ["number", "null"], "exclusiveMinimum": 0},
                                             "timeout_status": {"enum": ["failed", "cancelled", null]}}},
          "PipelineScheduleCreate": {"type": "object", "required": ["pipeline_schedule"], "additionalProperties": false,
                                     "properties": {"pipeline_schedule": {"type": "object", "required": ["name"], "additionalProperties": false,
                                       "description": "triggers.yaml's keys (null is a key left out): a time trigger has schedule_interval or interval",
                                       "properties": {"name": {"type": "string", "minLength": 1}, \#(triggerKeys)}}}},
          "PipelineScheduleCreateWithPipeline": {"type": "object", "required": ["pipeline_schedule"], "additionalProperties": false,
                                     "properties": {"pipeline_schedule": {"type": "object", "required": ["name", "pipeline_uuid"], "additionalProperties": false,
                                       "properties": {"pipeline_uuid": {"$ref": "#/components/schemas/Name"}, "name": {"type": "string", "minLength": 1}, \#(triggerKeys)}}}},
          "PipelineScheduleUpdate": {"type": "object", "required": ["pipeline_schedule"], "additionalProperties": false,
                                     "properties": {"pipeline_schedule": {"type": "object", "additionalProperties": false,
                                       "description": "the keys to change; null removes one",
                                       "properties": {"name": {"type": "string", "minLength": 1}, \#(triggerKeys)}}}},
          "PipelineSchedule": {"type": "object", "required": ["id", "name", "pipeline_uuid", "schedule_type", "status", "origin", "variables", "pipeline_runs_in_progress", "created_at", "updated_at", "errors"],
                               "properties": {"id": {"type": "integer"}, "name": {"type": "string"}, "pipeline_uuid": {"type": "string"},
                                              "schedule_type": {"enum": ["time", "api"]}, "schedule_interval": {"type": "string"}, "interval": {"type": "integer"},
                                              "start_time": {"type": "string"}, "timezone": {"type": "string"}, "status": {"enum": ["active", "inactive"]},
                                              "catch_up": {"enum": ["none", "last", "all"]}, "variables": {"type": "object"}, "sla": {"type": "number"},
                                              "settings": {"type": "object"}, "origin": {"enum": ["file", "api"]},
                                              "next_run_time": {"type": "string", "description": "ISO 8601 in the trigger's timezone"},
                                              "last_pipeline_run_id": {"type": "integer"}, "last_pipeline_run_status": {"$ref": "#/components/schemas/PipelineRunStatus"},
                                              "pipeline_runs_in_progress": {"type": "integer"},
                                              "token": {"type": "string", "description": "masked (••••abcd), but in the answer that made it"},
                                              "created_at": {"type": "string"}, "updated_at": {"type": "string"},
                                              "errors": {"type": "array", "items": {"type": "string"}}}},
          "BlockRun": {"type": "object", "required": ["id", "pipeline_run_id", "block_uuid", "status", "attempts", "facets"],
                       "properties": {"id": {"type": "integer"}, "pipeline_run_id": {"type": "integer"}, "block_uuid": {"type": "string"},
                                      "status": {"$ref": "#/components/schemas/BlockRunStatus"}, "attempts": {"type": "integer"},
                                      "started_at": {"type": "string"}, "completed_at": {"type": "string"},
                                      "duration_seconds": {"type": "number"}, "error": {"type": "string"}, "facets": {"type": "object"},
                                      "next_attempt_at": {"type": "string"}}},
          "Model": {"type": "object", "required": ["version", "path", "model_type", "block_kind", "status", "latest", "metrics", "created_at", "pipeline_run_id", "block"],
                    "properties": {"version": {"type": "string"}, "path": {"type": "string"}, "model_type": {"type": "string"},
                                   "block_kind": {"type": "string"}, "status": {"enum": ["registered", "deployed"]}, "latest": {"type": "boolean"},
                                   "metrics": {"type": "object"}, "created_at": {"type": "string"}, "deployed_at": {"type": "string"},
                                   "pipeline_run_id": {"type": "integer"}, "block": {"type": "string"}}}
        },
        "responses": {
          "Error": {"description": "refused: the error names the problem", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
          "Statuses": {"description": "one status", "content": {"application/json": {"schema": {"type": "object", "required": ["statuses", "metadata"],
            "properties": {"statuses": {"type": "array", "items": {"type": "object", "required": ["project_uuid", "instance_type", "roles", "store", "active_runs"]}},
                           "metadata": {"$ref": "#/components/schemas/ListMetadata"}}}}}},
          "Pipelines": {"description": "a page of pipelines", "content": {"application/json": {"schema": {"type": "object", "required": ["pipelines", "metadata"],
            "properties": {"pipelines": {"type": "array", "items": {"$ref": "#/components/schemas/Pipeline"}}, "metadata": {"$ref": "#/components/schemas/ListMetadata"}}}}}},
          "Pipeline": {"description": "one pipeline", "content": {"application/json": {"schema": {"type": "object", "required": ["pipeline"],
            "properties": {"pipeline": {"$ref": "#/components/schemas/Pipeline"}}}}}},
          "Logs": {"description": "block run logs", "content": {"application/json": {"schema": {"type": "object", "required": ["logs", "metadata"],
            "properties": {"logs": {"type": "array", "items": {"type": "object", "required": ["block_run_logs", "pipeline_run_logs", "total_block_run_log_count", "total_pipeline_run_log_count"]}},
                           "metadata": {"$ref": "#/components/schemas/ListMetadata"}}}}}},
          "PipelineRuns": {"description": "a page of runs", "content": {"application/json": {"schema": {"type": "object", "required": ["pipeline_runs", "metadata"],
            "properties": {"pipeline_runs": {"type": "array", "items": {"$ref": "#/components/schemas/PipelineRun"}}, "metadata": {"$ref": "#/components/schemas/ListMetadata"}}}}}},
          "PipelineRun": {"description": "one run", "content": {"application/json": {"schema": {"type": "object", "required": ["pipeline_run"],
            "properties": {"pipeline_run": {"$ref": "#/components/schemas/PipelineRun"}}}}}},
          "PipelineSchedules": {"description": "a page of triggers", "content": {"application/json": {"schema": {"type": "object", "required": ["pipeline_schedules", "metadata"],
            "properties": {"pipeline_schedules": {"type": "array", "items": {"$ref": "#/components/schemas/PipelineSchedule"}}, "metadata": {"$ref": "#/components/schemas/ListMetadata"}}}}}},
          "PipelineSchedule": {"description": "one trigger", "content": {"application/json": {"schema": {"type": "object", "required": ["pipeline_schedule"],
            "properties": {"pipeline_schedule": {"$ref": "#/components/schemas/PipelineSchedule"}}}}}},
          "BlockRuns": {"description": "the block runs of one run", "content": {"application/json": {"schema": {"type": "object", "required": ["block_runs", "metadata"],
            "properties": {"block_runs": {"type": "array", "items": {"$ref": "#/components/schemas/BlockRun"}}, "metadata": {"$ref": "#/components/schemas/ListMetadata"}}}}}},
          "Datasets": {"description": "dataset versions", "content": {"application/json": {"schema": {"type": "object", "required": ["datasets", "metadata"],
            "properties": {"datasets": {"type": "array", "items": {"type": "object"}}, "metadata": {"$ref": "#/components/schemas/ListMetadata"}}}}}},
          "Plugins": {"description": "the plugins", "content": {"application/json": {"schema": {"type": "object", "required": ["plugins"],
            "properties": {"plugins": {"type": "object", "required": ["search_path", "libraries", "refused"]}}}}}},
          "Models": {"description": "a page of model versions", "content": {"application/json": {"schema": {"type": "object", "required": ["models", "metadata"],
            "properties": {"models": {"type": "array", "items": {"$ref": "#/components/schemas/Model"}}, "metadata": {"$ref": "#/components/schemas/ListMetadata"}}}}}},
          "Lineage": {"description": "nodes and edges", "content": {"application/json": {"schema": {"type": "object", "required": ["lineage"],
            "properties": {"lineage": {"type": "object", "required": ["nodes", "edges"],
              "properties": {"nodes": {"type": "array", "items": {"type": "object", "required": ["id", "type", "label", "details"],
                                                                 "properties": {"type": {"enum": ["dataset", "pipeline_run", "model", "deployment", "pointer"]}}}},
                             "edges": {"type": "array", "items": {"type": "object", "required": ["from", "to", "relation"],
                                                                 "properties": {"relation": {"enum": ["used_by", "trained", "deployed", "latest"]}}}}}}}}}}},
          "Model": {"description": "one model version", "content": {"application/json": {"schema": {"type": "object", "required": ["model"],
            "properties": {"model": {"$ref": "#/components/schemas/Model"}}}}}}
        }
      }
    }
    """#
}
