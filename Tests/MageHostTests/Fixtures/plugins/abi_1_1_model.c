/* abi_1_1_model — a model plugin as it was built against the 1.1 header: its block kind is the 1.1
 * struct (88 bytes, no label_key), declared here by hand, and it writes signature.json itself as 1.1
 * plugins had to. The kind sits at the very end of a readable page followed by an inaccessible one, so
 * a host that reads past struct_size crashes instead of reading garbage silently. */
#define _DEFAULT_SOURCE
#include "mage_plugin.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* mage_block_kind as ABI 1.1 defined it. */
typedef struct block_kind_1_1 {
    uint32_t struct_size;
    const char *name;
    int32_t block_type;
    const char *description;
    const mage_config_key *config_keys;
    size_t n_config_keys;
    mage_block_run_fn run;
    mage_model_train_fn train;
    mage_model_load_fn load;
    mage_model_predict_fn predict;
    mage_model_free_fn free_model;
} block_kind_1_1;

_Static_assert(sizeof(block_kind_1_1) == 88, "the 1.1 block kind is 88 bytes");

static const mage_host_api *host;

static int32_t train(mage_context *ctx, const mage_table *input, const char *params_json, const char *artifact_dir) {
    (void)params_json;
    char path[4096];
    snprintf(path, sizeof path, "%s/model.txt", artifact_dir);
    FILE *f = fopen(path, "w");
    if (!f) return MAGE_ERROR_IO;
    fprintf(f, "%lld\n", (long long)(input->schema.n_children - 1));
    fclose(f);
    snprintf(path, sizeof path, "%s/signature.json", artifact_dir);
    f = fopen(path, "w");
    if (!f) return MAGE_ERROR_IO;
    fputs("{\"features\": [", f);
    int first = 1;
    for (int64_t i = 0; i < input->schema.n_children; i++) {
        const char *name = input->schema.children[i]->name;
        if (strcmp(name, "churn") == 0) continue;
        fprintf(f, "%s{\"name\": \"%s\", \"type\": \"float64\"}", first ? "" : ", ", name);
        first = 0;
    }
    fputs("], \"label\": \"churn\", \"classes\": [0, 1]}\n", f);
    fclose(f);
    host->report_facet(ctx, "model", "{\"model_type\": \"Half\", \"hyperparameters\": {}}");
    return MAGE_OK;
}

static int32_t load(mage_context *ctx, const char *artifact_dir, void **handle, size_t *n_features, size_t *n_classes) {
    char path[4096];
    snprintf(path, sizeof path, "%s/model.txt", artifact_dir);
    FILE *f = fopen(path, "r");
    long long width = 0;
    if (!f || fscanf(f, "%lld", &width) != 1) {
        if (f) fclose(f);
        host->set_error(ctx, "abi_1_1_model: model.txt is missing");
        return MAGE_ERROR_IO;
    }
    fclose(f);
    *handle = malloc(1);
    *n_features = (size_t)width;
    *n_classes = 2;
    return MAGE_OK;
}

static int32_t predict(mage_context *ctx, void *handle, const double *rows, size_t n_rows, double *probabilities) {
    (void)ctx, (void)handle, (void)rows;
    for (size_t i = 0; i < 2 * n_rows; i++) probabilities[i] = 0.5;
    return MAGE_OK;
}

static void free_model(void *handle) { free(handle); }

static const mage_block_kind *kinds[1];

static const mage_plugin_descriptor descriptor = {
    .struct_size = sizeof(mage_plugin_descriptor),
    .abi_major = 1,
    .abi_minor = 1,
    .name = "abi-1-1-model",
    .version = "1.1.0",
    .block_kinds = kinds,
    .n_block_kinds = 1,
};

MAGE_EXPORT const mage_plugin_descriptor *mage_plugin_entry(const mage_host_api *h) {
    host = h;
    if (!kinds[0]) {
        long page = sysconf(_SC_PAGESIZE);
        char *pages = mmap(NULL, 2 * (size_t)page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (pages == MAP_FAILED || mprotect(pages + page, (size_t)page, PROT_NONE) != 0) return NULL;
        block_kind_1_1 *kind = (block_kind_1_1 *)(pages + page - sizeof(block_kind_1_1));
        *kind = (block_kind_1_1){
            .struct_size = sizeof(block_kind_1_1),
            .name = "c_abi_1_1_model",
            .block_type = MAGE_BLOCK_MODEL,
            .description = "a model built against the 1.1 header",
            .train = train,
            .load = load,
            .predict = predict,
            .free_model = free_model,
        };
        kinds[0] = (const mage_block_kind *)kind;
    }
    return &descriptor;
}
