/*
 * mage_plugin.h — the SwiftMage plugin ABI, major version 1.
 *
 * A plugin is a shared library that exports one function, `mage_plugin_entry`. The host calls it once,
 * passing its service table, and gets back a static descriptor listing the block kinds and plain C
 * functions the plugin provides. Nothing else is looked up by name except the symbols of declared
 * functions. This header depends only on <stdint.h> and <stddef.h>; a C plugin needs nothing else.
 *
 * Evolution rules (the whole contract in four lines):
 *   1. Structs that begin with `struct_size` only ever grow at the end; a reader checks `struct_size`
 *      before touching a field added after 1.0 and reads nothing beyond it (the host treats a field
 *      outside a plugin's struct_size as zero/NULL). Fields are never reordered, retyped or removed.
 *   2. Adding a field or a service is a minor bump; anything else is a major bump, and the host refuses
 *      a plugin whose major differs from its own.
 *   3. Arrays of growable structs are arrays of pointers, so an element's size never sets a stride.
 *   4. Structs without `struct_size` (mage_table, mage_config_key, mage_function_decl) are frozen for
 *      major 1.
 *
 * Ownership, stated once: every pointer a plugin hands to the host in its descriptor is static (it stays
 * valid until the process exits). Every pointer the host hands to a plugin is borrowed for the duration
 * of the call that received it, unless the function's comment says otherwise. Strings are UTF-8 and
 * NUL-terminated. Errors are an int return code (0 = success) plus a message set with `set_error`.
 *
 * Full guide: docs/PLUGINS.md.
 */
#ifndef MAGE_PLUGIN_H
#define MAGE_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define MAGE_ABI_MAJOR 1
#define MAGE_ABI_MINOR 2

/* The name of the one symbol a plugin exports. */
#define MAGE_PLUGIN_ENTRY_SYMBOL "mage_plugin_entry"

/* ---------------------------------------------------------------------------------------------------
 * Arrow C Data Interface (https://arrow.apache.org/docs/format/CDataInterface.html), verbatim layout.
 * Tables cross the boundary as a struct array (format "+s") whose children are the columns.
 * Column formats the host reads and writes: "g" float64, "l" int64, "u" utf8, "b" boolean, each with an
 * optional validity bitmap (buffers[0], NULL when there are no nulls).
 * Producer owns the memory; the consumer calls `release` when done (a released struct has
 * release == NULL). To move a struct: copy it bitwise, then set the source's release to NULL.
 * ------------------------------------------------------------------------------------------------- */
#ifndef ARROW_C_DATA_INTERFACE
#define ARROW_C_DATA_INTERFACE

#define ARROW_FLAG_DICTIONARY_ORDERED 1
#define ARROW_FLAG_NULLABLE 2
#define ARROW_FLAG_MAP_KEYS_SORTED 4

struct ArrowSchema {
    const char *format;
    const char *name;
    const char *metadata;
    int64_t flags;
    int64_t n_children;
    struct ArrowSchema **children;
    struct ArrowSchema *dictionary;
    void (*release)(struct ArrowSchema *);
    void *private_data;
};

struct ArrowArray {
    int64_t length;
    int64_t null_count;
    int64_t offset;
    int64_t n_buffers;
    int64_t n_children;
    const void **buffers;
    struct ArrowArray **children;
    struct ArrowArray *dictionary;
    void (*release)(struct ArrowArray *);
    void *private_data;
};

#endif /* ARROW_C_DATA_INTERFACE */

/* One table: a schema and its data, always used together. */
typedef struct mage_table {
    struct ArrowSchema schema;
    struct ArrowArray array;
} mage_table;

/* ---------------------------------------------------------------------------------------------------
 * Vocabulary
 * ------------------------------------------------------------------------------------------------- */

/* Return codes. Any non-zero value fails the call; set_error says why. */
enum {
    MAGE_OK = 0,
    MAGE_ERROR = 1,             /* generic failure; the message says what */
    MAGE_ERROR_INVALID_INPUT = 2, /* bad configuration or input table */
    MAGE_ERROR_IO = 3,          /* a file, socket or database failed */
    MAGE_ERROR_UNSUPPORTED = 4  /* a type or feature this plugin does not handle */
};

/* Block types, as Mage names them. */
typedef enum mage_block_type {
    MAGE_BLOCK_DATA_LOADER = 1,
    MAGE_BLOCK_TRANSFORMER = 2,
    MAGE_BLOCK_DATA_EXPORTER = 3,
    MAGE_BLOCK_MODEL = 4
} mage_block_type;

/* Types of configuration values; the host validates pipeline YAML against them before a run. */
typedef enum mage_config_type {
    MAGE_CONFIG_STRING = 1,
    MAGE_CONFIG_INT = 2,
    MAGE_CONFIG_DOUBLE = 3,  /* an integer is accepted too */
    MAGE_CONFIG_BOOL = 4,
    MAGE_CONFIG_STRING_LIST = 5,
    MAGE_CONFIG_JSON = 6     /* any value; read it with config_json */
} mage_config_type;

/* 1.2: flags OR'd into mage_config_key.type, beside the mage_config_type in its low byte. A host older
 * than 1.2 refuses such a key as an unknown type, so a plugin that needs the flag is never run unprotected.
 *   MAGE_CONFIG_SECRET: the value is a secret (a password, a connection string). The host never writes
 *     it down: it is masked as "********" in invocation.json, the store's run records, lineage documents,
 *     block logs and error messages, and it reaches the block process only in memory.
 *   MAGE_CONFIG_PATH: the value (a string) is a file path. The host resolves it against the project
 *     folder (`..` and symbolic links followed) and refuses one outside the project and the folders
 *     metadata.yaml lists under allowed_paths; the plugin receives the resolved absolute path. */
#define MAGE_CONFIG_TYPE_MASK 0xff
#define MAGE_CONFIG_SECRET 0x100
#define MAGE_CONFIG_PATH 0x200

/* Log levels. */
enum { MAGE_LOG_DEBUG = 0, MAGE_LOG_INFO = 1, MAGE_LOG_WARNING = 2, MAGE_LOG_ERROR = 3 };

/* Frozen for major 1. */
typedef struct mage_config_key {
    const char *name;
    int32_t type;        /* mage_config_type, OR'd with MAGE_CONFIG_SECRET / MAGE_CONFIG_PATH (1.2) */
    int32_t required;    /* non-zero: the pipeline must set it */
    const char *description;
} mage_config_key;

/* Opaque host objects. */
typedef struct mage_context mage_context;             /* one call's context; borrowed */
typedef struct mage_table_builder mage_table_builder; /* owned by the caller of table_builder_new */
typedef struct mage_function mage_function;           /* host-owned, valid until the process exits */

/* ---------------------------------------------------------------------------------------------------
 * The host's service table. Passed to mage_plugin_entry; the pointer stays valid until the process
 * exits, so a plugin may keep it. Every service may be called from any thread; one table builder
 * must not be used from two threads at once.
 * ------------------------------------------------------------------------------------------------- */
typedef struct mage_host_api {
    uint32_t struct_size;
    uint16_t abi_major;
    uint16_t abi_minor;

    /* --- 1.0 --- */

    /* Appends a line to the block's log. */
    void (*log)(mage_context *ctx, int32_t level, const char *message);
    /* Records why the current call failed; the last message wins. The host copies it. */
    void (*set_error)(mage_context *ctx, const char *message);

    /* Configuration of the block being run, validated against its declared keys. Each getter returns
     * 1 and writes *out when the key is set, 0 when it is not. Returned strings are borrowed for the
     * call. config_json renders any value (or NULL when unset) as JSON text. */
    int32_t (*config_string)(mage_context *ctx, const char *key, const char **out);
    int32_t (*config_int)(mage_context *ctx, const char *key, int64_t *out);
    int32_t (*config_double)(mage_context *ctx, const char *key, double *out);
    int32_t (*config_bool)(mage_context *ctx, const char *key, int32_t *out);
    int32_t (*config_list_count)(mage_context *ctx, const char *key, size_t *out);
    int32_t (*config_list_item)(mage_context *ctx, const char *key, size_t index, const char **out);
    const char *(*config_json)(mage_context *ctx, const char *key);

    /* A directory the block owns for this run (created by the host), for model artifacts and files. */
    const char *(*artifact_dir)(mage_context *ctx);
    /* Attaches a lineage facet (a JSON object) to the block's run record. Returns MAGE_OK, or an error
     * code when the JSON does not parse. */
    int32_t (*report_facet)(mage_context *ctx, const char *name, const char *json);

    /* Table building: the host allocates Arrow memory so plugins need no Arrow code of their own.
     * Column values are copied; `valid` is NULL (no nulls) or one byte per row, non-zero = present.
     * utf8 entries that are NULL are nulls. All columns must have the same length. */
    mage_table_builder *(*table_builder_new)(void);
    int32_t (*builder_add_float64)(mage_table_builder *b, const char *name, const double *values,
                                   const uint8_t *valid, int64_t length);
    int32_t (*builder_add_int64)(mage_table_builder *b, const char *name, const int64_t *values,
                                 const uint8_t *valid, int64_t length);
    int32_t (*builder_add_bool)(mage_table_builder *b, const char *name, const uint8_t *values,
                                const uint8_t *valid, int64_t length);
    int32_t (*builder_add_utf8)(mage_table_builder *b, const char *name, const char *const *values,
                                int64_t length);
    /* Moves the table into *out (the receiver releases it) and frees the builder, success or not.
     * Fails, moving nothing, when any add was refused (lengths differ, a name repeats). */
    int32_t (*builder_finish)(mage_table_builder *b, mage_table *out);
    /* Frees a builder that will not be finished. */
    void (*builder_free)(mage_table_builder *b);

    /* Plain C functions declared by any loaded plugin (mage_function_decl), called through libffi.
     * function_find returns NULL and sets an error when no loaded plugin declares `name`.
     * function_call takes function_arity(fn) arguments as doubles, converts each to its declared
     * parameter type (int64/int32 truncate toward zero, bool is non-zero), calls the function and
     * returns its result as a double. The call interface is prepared once, when the plugin loads. */
    const mage_function *(*function_find)(mage_context *ctx, const char *name);
    size_t (*function_arity)(const mage_function *fn);
    int32_t (*function_call)(const mage_function *fn, const double *args, double *result);

    /* --- 1.1 --- (check struct_size >= offsetof(mage_host_api, <slot>) + sizeof(void *) before use) */

    /* Attaches a key/value pair to the table's schema metadata (Arrow's metadata field), e.g. the
     * fitted parameters of a preprocessing step that downstream blocks must apply. Both strings are
     * copied; a repeated key replaces the earlier value. */
    int32_t (*builder_set_metadata)(mage_table_builder *b, const char *key, const char *value);
    /* The run's lineage so far as a JSON document (format "swiftmage.lineage.v1", see
     * docs/LINEAGE.md): pipeline run, code (git, plugins), dataset versions, blocks with timings and
     * facets, model versions. Borrowed for the call; NULL on failure with the error set. */
    const char *(*lineage_json)(mage_context *ctx);
    /* Registers the model trained by an upstream model block of this run (`model_block`, or NULL for
     * the nearest one) in the project's model registry and points the registry's latest at it,
     * atomically. *version receives the new version id, borrowed for the call. */
    int32_t (*register_model)(mage_context *ctx, const char *model_block, const char **version);
    /* Marks a registered version (NULL: the one registered in this run) as deployed. */
    int32_t (*deploy_model)(mage_context *ctx, const char *version);

    /* --- 1.2 --- */

    /* Models, during train only: declares what the model serves on. `label` is the input column the
     * model learned (its distinct values become the classes, sorted); `features` are the input columns
     * predict takes, in the order of each row (NULL with n_features 0: every input column but the
     * label, in table order). Each must be a numeric or boolean column of the training table. When
     * train succeeds the host writes `signature.json` into the artifact directory from this and the
     * training table's schema; see "The model contract" below. The last call wins. Returns MAGE_OK, or
     * MAGE_ERROR_INVALID_INPUT with the error set when a name is not a usable column. */
    int32_t (*declare_model_signature)(mage_context *ctx, const char *label, const char *const *features,
                                       size_t n_features);
} mage_host_api;

/* ---------------------------------------------------------------------------------------------------
 * What a plugin provides
 * ------------------------------------------------------------------------------------------------- */

/* Loaders, transformers and exporters. `inputs` are the upstream blocks' tables in the order of the
 * block's upstream_blocks, borrowed for the call (do not release them); an upstream that produced no
 * table arrives as a table with no columns. The host passes *output zeroed. On success a block that
 * produces a table moves it into *output; one that produces none leaves output->array.release NULL.
 * On failure leave *output empty; the host releases anything left there all the same. */
typedef int32_t (*mage_block_run_fn)(mage_context *ctx, const mage_table *inputs, size_t n_inputs,
                                     mage_table *output);

/* The model contract. A model block's four functions, and what the host does around them:
 *
 *   train    receives the upstream block's output table exactly as that block produced it (for a
 *            pipeline with a preprocessing block, the preprocessed values), the block configuration as
 *            JSON (`params_json`) and `artifact_dir`, an empty directory the host created. It writes
 *            every file the model needs into `artifact_dir` and calls declare_model_signature (1.2).
 *            After a successful train the host writes `artifact_dir/signature.json`:
 *              {"features": [{"name": ..., "type": "float64"|"int64"|"bool"}, ...],
 *               "label": ..., "classes": [...]}
 *            features and their types from the training table's schema, in predict's order; classes are
 *            the label column's distinct values, sorted. Without a declaration the host takes the label
 *            from the block configuration key named by the kind's `label_key` (1.2; when it is set)
 *            and every other input column as a feature. A declared signature replaces any
 *            signature.json train wrote; without one, a signature.json train wrote itself in this format
 *            (as 1.1 plugins had to) is kept, and without either the model cannot be registered.
 *   load     opens an artifact directory (a registered version's folder: the artifact files plus the
 *            host's signature.json, metadata.json, lineage.json), returning an opaque handle, the number
 *            of features predict takes per row and the number of classes it returns per row.
 *   predict  receives RAW values: rows as a client sends them to the prediction service, one double per
 *            signature feature in signature order (the service requires a number for every feature, so
 *            no value is missing; a bool feature arrives as 0 or 1), row-major n_rows x n_features. It applies every transformation train's input had
 *            been through (the model stores it in its artifact, e.g. from the table's schema metadata),
 *            and writes n_rows x n_classes class probabilities into `probabilities`, in the order of the
 *            signature's classes. It must be safe to call from many threads at once on one handle.
 *   free_model releases a handle from load.
 *
 * Registration (register_model, `mage models register`) refuses a model the host cannot serve: before
 * latest moves it loads the new version through load and predicts one row of zeros, and fails naming
 * what is missing (no or invalid signature.json, load failed with the plugin's message, feature or class
 * counts that disagree with the signature, predict failed or left a probability unwritten or not
 * finite). ctx may be used for errors in train, load and predict. */
typedef int32_t (*mage_model_train_fn)(mage_context *ctx, const mage_table *input, const char *params_json,
                                       const char *artifact_dir);
typedef int32_t (*mage_model_load_fn)(mage_context *ctx, const char *artifact_dir, void **handle,
                                      size_t *n_features, size_t *n_classes);
typedef int32_t (*mage_model_predict_fn)(mage_context *ctx, void *handle, const double *rows, size_t n_rows,
                                         double *probabilities);
typedef void (*mage_model_free_fn)(void *handle);

typedef struct mage_block_kind {
    uint32_t struct_size;           /* sizeof(mage_block_kind) as the plugin was compiled */
    const char *name;               /* unique across all loaded plugins, e.g. "csv_file" */
    int32_t block_type;             /* mage_block_type */
    const char *description;
    const mage_config_key *config_keys;
    size_t n_config_keys;
    mage_block_run_fn run;          /* required unless block_type is MAGE_BLOCK_MODEL */
    mage_model_train_fn train;      /* the four model functions: required for MAGE_BLOCK_MODEL */
    mage_model_load_fn load;
    mage_model_predict_fn predict;
    mage_model_free_fn free_model;

    /* --- 1.2 --- (the host reads a field only when struct_size covers it; an absent field is NULL) */

    /* Models: the configuration key that names the label column (e.g. "label"), used for the signature
     * when train declares none. NULL: train must call declare_model_signature. */
    const char *label_key;
} mage_block_kind;

/* A plain exported C function, bound by the host at run time and called through libffi.
 * signature: "RET(ARG,ARG,...)" with types among double, float, int64, int32, bool,
 * e.g. "double(double,double)". Frozen for major 1. */
typedef struct mage_function_decl {
    const char *name;        /* the name pipelines use; unique across loaded plugins */
    const char *symbol;      /* the exported symbol, resolved with dlsym */
    const char *signature;
    const char *description;
} mage_function_decl;

typedef struct mage_plugin_descriptor {
    uint32_t struct_size;    /* sizeof(mage_plugin_descriptor) as the plugin was compiled */
    uint16_t abi_major;      /* MAGE_ABI_MAJOR as the plugin was compiled */
    uint16_t abi_minor;
    const char *name;        /* e.g. "mage-data-loaders" */
    const char *version;     /* the plugin's own version, e.g. "1.2.0" */
    const char *swift_module;/* the Swift module it was built from, or NULL for C */
    const mage_block_kind *const *block_kinds;
    size_t n_block_kinds;
    const mage_function_decl *functions;
    size_t n_functions;
} mage_plugin_descriptor;

/* The entry point. Called once per process with the host's table; returns a static descriptor, or
 * NULL when the plugin cannot run with this host (it may check host->abi_minor and struct_size). */
typedef const mage_plugin_descriptor *(*mage_plugin_entry_fn)(const mage_host_api *host);

/* Put this before your entry point's definition to export it with default visibility:
 *   MAGE_EXPORT const mage_plugin_descriptor *mage_plugin_entry(const mage_host_api *host) { ... } */
#if defined(_WIN32)
#define MAGE_EXPORT __declspec(dllexport)
#else
#define MAGE_EXPORT __attribute__((visibility("default")))
#endif

#ifdef __cplusplus
}
#endif

#endif /* MAGE_PLUGIN_H */
