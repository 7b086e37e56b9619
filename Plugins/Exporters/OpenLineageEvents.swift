import Foundation

/// One OpenLineage RunEvent (spec 2-0-2). Facets are JSON objects built by `OpenLineage.facet`.
public struct RunEvent: Encodable, Sendable {
    public var eventType: String
    public var eventTime: String
    public var producer: String
    public var schemaURL: String
    public var run: Run
    public var job: Job
    public var inputs: [InputDataset]
    public var outputs: [OutputDataset]

    public struct Run: Encodable, Sendable {
        public var runId: String
        public var facets: [String: JSONValue]
    }

    public struct Job: Encodable, Sendable {
        public var namespace: String
        public var name: String
        public var facets: [String: JSONValue]
    }

    public struct InputDataset: Encodable, Sendable {
        public var namespace: String
        public var name: String
        public var facets: [String: JSONValue]
        public var inputFacets: [String: JSONValue]
    }

    public struct OutputDataset: Encodable, Sendable {
        public var namespace: String
        public var name: String
        public var facets: [String: JSONValue]
        public var outputFacets: [String: JSONValue]
    }
}

public struct OpenLineageOptions: Sendable {
    /// The jobs' namespace (config `namespace`).
    public var namespace: String
    /// The code repository for SourceCodeLocationJobFacet (config `repository_url`); when nil the
    /// project's own folder is used, as `projectURL`.
    public var repositoryURL: String?
    /// `file://` URL of the project folder.
    public var projectURL: String?
    /// Running blocks of this kind are the exporter itself, which cannot report its own end: they get
    /// no events, and they do not keep the pipeline run from ending.
    public var exporterKind: String?

    public init(namespace: String = OpenLineage.defaultNamespace, repositoryURL: String? = nil,
                projectURL: String? = nil, exporterKind: String? = OpenLineageExport.kindName) {
        self.namespace = namespace
        self.repositoryURL = repositoryURL
        self.projectURL = projectURL
        self.exporterKind = exporterKind
    }
}

/// Renders a lineage document as OpenLineage RunEvents: the pipeline run is the parent job
/// (START … COMPLETE/FAIL/ABORT), each block that ran is a child job with its input and output datasets.
public enum OpenLineage {
    public static let defaultNamespace = "swiftmage"
    public static let producer = "urn:swiftmage:mage-exporters:\(ExportersPlugin.version)"
    public static let schemaURL = "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent"
    /// The namespace of every run id, itself name-based: v5(URL namespace, "urn:swiftmage:openlineage").
    public static let runNamespace = NameBasedUUID.v5(namespace: NameBasedUUID.urlNamespace, name: "urn:swiftmage:openlineage")

    // MARK: Ids

    /// v5(runNamespace, "<project>/<pipeline>/<run_id>/<created_at>"): stable across re-exports, distinct
    /// for two projects' run 7 (they were created at different times).
    public static func pipelineRunID(_ doc: LineageDocument) -> String {
        NameBasedUUID.v5(namespace: runNamespace, name: runName(doc)).uuidString.lowercased()
    }

    /// v5(runNamespace, "<project>/<pipeline>/<run_id>/<created_at>/<block>").
    public static func blockRunID(_ doc: LineageDocument, block: String) -> String {
        NameBasedUUID.v5(namespace: runNamespace, name: runName(doc) + "/" + block).uuidString.lowercased()
    }

    static func runName(_ doc: LineageDocument) -> String {
        let created = Int64(doc.pipeline.createdAt.date.timeIntervalSince1970.rounded(.down))
        return "\(doc.project)/\(doc.pipeline.uuid)/\(doc.pipeline.runID)/\(created)"
    }

    public static func datasetNamespace(_ doc: LineageDocument) -> String { "swiftmage://\(doc.project)" }
    public static func blockJobName(_ doc: LineageDocument, _ block: String) -> String { "\(doc.pipeline.uuid).\(block)" }

    // MARK: Events

    public static func events(for doc: LineageDocument, options: OpenLineageOptions = OpenLineageOptions()) -> [RunEvent] {
        let isExporter: (LineageDocument.Block) -> Bool = { $0.status == "running" && $0.kind == options.exporterKind }
        let others = doc.blocks.filter { !isExporter($0) }
        let pipelineRun = pipelineRunID(doc)
        let pipelineJob = RunEvent.Job(namespace: options.namespace, name: doc.pipeline.uuid,
                                       facets: jobFacets(doc, jobType: "PIPELINE", options: options))
        func event(_ type: String, _ time: Date, run: RunEvent.Run, job: RunEvent.Job,
                   inputs: [RunEvent.InputDataset] = [], outputs: [RunEvent.OutputDataset] = []) -> RunEvent {
            RunEvent(eventType: type, eventTime: Timestamp.format(time), producer: producer, schemaURL: schemaURL,
                     run: run, job: job, inputs: inputs, outputs: outputs)
        }

        var events = [event("START", doc.pipeline.createdAt.date, run: .init(runId: pipelineRun, facets: [:]), job: pipelineJob)]

        for block in others {
            // A block that never started (initial, queued, upstream_failed) has no run to report.
            guard let started = block.startedAt else { continue }
            let runID = blockRunID(doc, block: block.uuid)
            let job = RunEvent.Job(namespace: options.namespace, name: blockJobName(doc, block.uuid),
                                   facets: jobFacets(doc, jobType: "BLOCK", options: options))
            let parent = facet("ParentRunFacet", "1-2-0", [
                "run": .object(["runId": .string(pipelineRun)]),
                "job": .object(["namespace": .string(options.namespace), "name": .string(doc.pipeline.uuid)]),
                "root": .object([
                    "run": .object(["runId": .string(pipelineRun)]),
                    "job": .object(["namespace": .string(options.namespace), "name": .string(doc.pipeline.uuid)]),
                ]),
            ])
            let inputs = block.upstream.map { inputDataset(doc, upstream: $0) }
            events.append(event("START", started.date, run: .init(runId: runID, facets: ["parent": parent]), job: job,
                                inputs: inputs))
            // A running block (other than this exporter) has started but not ended: START only. Exporting
            // again later, with the same run id, adds its end.
            guard let terminal = terminalType(block.status), block.isFinished else { continue }
            var runFacets: [String: JSONValue] = ["parent": parent]
            if terminal != "COMPLETE", let error = block.error {
                runFacets["errorMessage"] = errorFacet(error)
            }
            events.append(event(terminal, block.endDate ?? started.date, run: .init(runId: runID, facets: runFacets),
                                job: job, inputs: inputs,
                                outputs: terminal == "COMPLETE" ? outputDatasets(doc, block: block) : []))
        }

        if let status = pipelineOutcome(doc, others: others), let terminal = terminalType(status) {
            let end = doc.pipeline.completedAt?.date
                ?? others.compactMap(\.endDate).max()
                ?? doc.pipeline.createdAt.date
            var facets: [String: JSONValue] = [:]
            if terminal != "COMPLETE" { facets["errorMessage"] = errorFacet(pipelineError(doc, status: status)) }
            events.append(event(terminal, max(end, doc.pipeline.createdAt.date), run: .init(runId: pipelineRun, facets: facets),
                                job: pipelineJob))
        }
        return events
    }

    /// The pipeline run's final status: the document's when the run is over; otherwise, when every block
    /// but the exporter has ended, the status the host will give it (any cancelled: cancelled; all
    /// completed: completed; else failed); nil while other blocks are still to run.
    static func pipelineOutcome(_ doc: LineageDocument, others: [LineageDocument.Block]) -> String? {
        if doc.pipeline.isFinished { return doc.pipeline.status }
        guard others.allSatisfy(\.isFinished) else { return nil }
        if others.contains(where: { $0.status == "cancelled" }) { return "cancelled" }
        return others.allSatisfy { $0.status == "completed" } ? "completed" : "failed"
    }

    static func terminalType(_ status: String) -> String? {
        switch status {
        case "completed": "COMPLETE"
        case "failed", "upstream_failed": "FAIL"
        case "cancelled": "ABORT"
        default: nil
        }
    }

    static func pipelineError(_ doc: LineageDocument, status: String) -> String {
        var parts = doc.blocks.filter { $0.status == "failed" }.map { "block '\($0.uuid)' failed: \($0.error ?? "no message")" }
        let skipped = doc.blocks.filter { $0.status == "upstream_failed" }.map { "'\($0.uuid)'" }
        if !skipped.isEmpty { parts.append("not run because an upstream block failed: \(skipped.joined(separator: ", "))") }
        if parts.isEmpty { parts.append(status == "cancelled" ? "the pipeline run was cancelled" : "the pipeline run failed") }
        return parts.joined(separator: "; ")
    }

    // MARK: Datasets

    static func inputDataset(_ doc: LineageDocument, upstream: String) -> RunEvent.InputDataset {
        var input = RunEvent.InputDataset(namespace: datasetNamespace(doc), name: "\(doc.pipeline.uuid)/\(upstream)",
                                          facets: [:], inputFacets: [:])
        if let data = doc.dataset(ofBlock: upstream) {
            input.facets = datasetFacets(data)
            input.inputFacets["dataQualityMetrics"] = qualityFacet(data)
        }
        return input
    }

    /// A loader's or transformer's output table, and the model versions registered from a model block.
    static func outputDatasets(_ doc: LineageDocument, block: LineageDocument.Block) -> [RunEvent.OutputDataset] {
        var outputs: [RunEvent.OutputDataset] = []
        if block.type == "data_loader" || block.type == "transformer" {
            var output = RunEvent.OutputDataset(namespace: datasetNamespace(doc), name: "\(doc.pipeline.uuid)/\(block.uuid)",
                                                facets: [:], outputFacets: [:])
            if let data = doc.dataset(ofBlock: block.uuid) {
                output.facets = datasetFacets(data)
                if let rows = data.rowCount {
                    output.outputFacets["outputStatistics"] = facet("OutputStatisticsOutputDatasetFacet", "1-0-2",
                                                                    ["rowCount": .int(Int64(rows))])
                }
            }
            outputs.append(output)
        }
        for model in doc.models where model.block == block.uuid {
            outputs.append(RunEvent.OutputDataset(
                namespace: datasetNamespace(doc), name: "\(doc.pipeline.uuid)/\(block.uuid)/model",
                facets: ["version": facet("DatasetVersionDatasetFacet", "1-0-1", ["datasetVersion": .string(model.version)])],
                outputFacets: [:]))
        }
        return outputs
    }

    static func datasetFacets(_ data: LineageDocument.Dataset) -> [String: JSONValue] {
        var facets = ["version": facet("DatasetVersionDatasetFacet", "1-0-1", ["datasetVersion": .string(data.hash)])]
        if let schema = data.schema {
            facets["schema"] = facet("SchemaDatasetFacet", "1-2-0", ["fields": .array(schema.map {
                .object(["name": .string($0.name), "type": .string($0.type)])
            })])
        }
        return facets
    }

    /// What the document says for certain: the row count, and for columns that cannot hold nulls a null
    /// count of 0 and a value count equal to the rows. Nothing is guessed for nullable columns.
    static func qualityFacet(_ data: LineageDocument.Dataset) -> JSONValue {
        var columns: [String: JSONValue] = [:]
        for column in data.schema ?? [] where column.nullable == false {
            var metrics: [String: JSONValue] = ["nullCount": .int(0)]
            if let rows = data.rowCount { metrics["count"] = .int(Int64(rows)) }
            columns[column.name] = .object(metrics)
        }
        var fields: [String: JSONValue] = ["columnMetrics": .object(columns)]
        if let rows = data.rowCount { fields["rowCount"] = .int(Int64(rows)) }
        return facet("DataQualityMetricsInputDatasetFacet", "1-0-3", fields)
    }

    // MARK: Facets

    static func jobFacets(_ doc: LineageDocument, jobType: String, options: OpenLineageOptions) -> [String: JSONValue] {
        var facets: [String: JSONValue] = [
            "jobType": facet("JobTypeJobFacet", "2-0-4", [
                "processingType": .string("BATCH"), "integration": .string("SWIFTMAGE"), "jobType": .string(jobType),
            ]),
        ]
        if let git = doc.code.git, let url = options.repositoryURL ?? options.projectURL {
            var location: [String: JSONValue] = ["type": .string("git"), "url": .string(url), "version": .string(git.commit)]
            if options.repositoryURL != nil { location["repoUrl"] = .string(url) }
            if let branch = git.branch { location["branch"] = .string(branch) }
            facets["sourceCodeLocation"] = facet("SourceCodeLocationJobFacet", "1-1-0", location)
        }
        return facets
    }

    static func errorFacet(_ message: String) -> JSONValue {
        facet("ErrorMessageRunFacet", "1-0-1", ["message": .string(message), "programmingLanguage": .string("SWIFT")])
    }

    /// A standard facet: its fields plus `_producer` and `_schemaURL`
    /// (`https://openlineage.io/spec/facets/<version>/<Name>.json#/$defs/<Name>`).
    public static func facet(_ name: String, _ version: String, _ fields: [String: JSONValue]) -> JSONValue {
        var object = fields
        object["_producer"] = .string(producer)
        object["_schemaURL"] = .string("https://openlineage.io/spec/facets/\(version)/\(name).json#/$defs/\(name)")
        return .object(object)
    }

    // MARK: Output

    /// One compact JSON object per event, keys sorted: the NDJSON lines, and the HTTP bodies.
    public static func lines(_ events: [RunEvent]) throws -> [String] {
        try events.map { String(decoding: try JSONCoding.encode($0, pretty: false), as: UTF8.self) }
    }

    public static func ndjson(_ lines: [String]) -> Data {
        Data(lines.map { $0 + "\n" }.joined().utf8)
    }
}
