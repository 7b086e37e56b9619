import Foundation

/// `mage init`: a project folder a person can run at once and then edit.
public enum ProjectScaffold {
    public static func create(at root: URL) throws {
        let fm = FileManager.default
        if fm.fileExists(atPath: root.appendingPathComponent("metadata.yaml").path) {
            throw MageError.usage("\(root.path) already holds a project (metadata.yaml exists)")
        }
        let name = root.lastPathComponent
        let example = root.appendingPathComponent("pipelines/example_pipeline")
        for folder in [root, root.appendingPathComponent("plugins"), example] {
            try fm.createDirectory(at: folder, withIntermediateDirectories: true,
                                   attributes: [.posixPermissions: 0o755])
        }
        try write("""
            project_uuid: \(name)
            # Blocks that may run at once.
            executor_count: 20

            """, to: root.appendingPathComponent("metadata.yaml"))
        try write("""
            .mage_data/
            datasets/
            model_registry/
            deployment/
            lineage/

            """, to: root.appendingPathComponent(".gitignore"))
        try write("""
            uuid: example_pipeline
            name: example pipeline
            type: python
            blocks:
            - uuid: load_customers
              name: load customers
              type: data_loader
              plugin: churn_synthetic
              upstream_blocks: []
              downstream_blocks: [keep_features]
              configuration:
                rows: 200
                seed: 42
              retry_config:
                retries: 1
                delay: 1
            - uuid: keep_features
              name: keep features
              type: transformer
              plugin: select_columns
              upstream_blocks: [load_customers]
              downstream_blocks: []
              configuration:
                columns: [account_age, monthly_charges, churn]
              timeout: 60

            """, to: example.appendingPathComponent("metadata.yaml"))
    }

    private static func write(_ text: String, to url: URL) throws {
        try AtomicFile.write(Data(text.utf8), to: url)
    }
}
