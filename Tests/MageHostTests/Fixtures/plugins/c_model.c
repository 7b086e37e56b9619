/* c_model — the smallest honest model: predicts the training label rate for every row. Exercises the
 * model functions of the ABI (train/load/predict/free), the signature it declares for serving and the
 * facets the registry reads. */
#include "mage_plugin.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const mage_host_api *host;

typedef struct { double rate; size_t n_features; } base_rate_model;

static int32_t train(mage_context *ctx, const mage_table *input, const char *params_json, const char *artifact_dir) {
    (void)params_json;
    const struct ArrowSchema *schema = &input->schema;
    const struct ArrowArray *array = &input->array;
    int64_t label = -1;
    for (int64_t i = 0; i < schema->n_children; i++) {
        const char *name = schema->children[i]->name;
        if ((strcmp(name, "churn") == 0 || strcmp(name, "label") == 0) && strcmp(schema->children[i]->format, "l") == 0) label = i;
    }
    if (label < 0 || array->length == 0) {
        host->set_error(ctx, "c_model: needs a non-empty int64 column 'churn' or 'label'");
        return MAGE_ERROR_INVALID_INPUT;
    }
    const struct ArrowArray *column = array->children[label];
    const int64_t *values = (const int64_t *)column->buffers[1] + column->offset + array->offset;
    int64_t positives = 0;
    for (int64_t r = 0; r < array->length; r++) positives += values[r] == 1;
    double rate = (double)positives / (double)array->length;

    char path[4096];
    snprintf(path, sizeof path, "%s/model.txt", artifact_dir);
    FILE *f = fopen(path, "w");
    if (!f) {
        host->set_error(ctx, "c_model: cannot write model.txt");
        return MAGE_ERROR_IO;
    }
    fprintf(f, "%.17g %lld\n", rate, (long long)(schema->n_children - 1));
    fclose(f);

    char json[256];
    snprintf(json, sizeof json, "{\"accuracy\": %.6f, \"roc_auc\": 0.5}", rate > 0.5 ? rate : 1 - rate);
    host->report_facet(ctx, "metrics", json);
    host->report_facet(ctx, "model", "{\"model_type\": \"BaseRate\", \"hyperparameters\": {}}");
    host->report_facet(ctx, "feature_importance", "{\"x\": 0.75, \"y\": 0.25}");
    /* What it serves on: the label, and every other column as a feature (predict reads none of them). */
    return host->declare_model_signature(ctx, schema->children[label]->name, NULL, 0);
}

static int32_t load(mage_context *ctx, const char *artifact_dir, void **handle, size_t *n_features, size_t *n_classes) {
    char path[4096];
    snprintf(path, sizeof path, "%s/model.txt", artifact_dir);
    FILE *f = fopen(path, "r");
    base_rate_model *m = calloc(1, sizeof *m);
    long long width = 0;
    if (!f || !m || fscanf(f, "%lf %lld", &m->rate, &width) != 2 || width < 0) {
        if (f) fclose(f);
        free(m);
        host->set_error(ctx, "c_model: model.txt is missing or malformed");
        return MAGE_ERROR_IO;
    }
    fclose(f);
    m->n_features = (size_t)width;
    *handle = m;
    *n_features = m->n_features;
    *n_classes = 2;
    return MAGE_OK;
}

static int32_t predict(mage_context *ctx, void *handle, const double *rows, size_t n_rows, double *probabilities) {
    (void)ctx;
    (void)rows;
    const base_rate_model *m = handle;
    for (size_t r = 0; r < n_rows; r++) {
        probabilities[2 * r] = 1 - m->rate;
        probabilities[2 * r + 1] = m->rate;
    }
    return MAGE_OK;
}

static void free_model(void *handle) { free(handle); }

static const mage_block_kind kind = {
    .struct_size = sizeof(mage_block_kind),
    .name = "c_base_rate",
    .block_type = MAGE_BLOCK_MODEL,
    .description = "predicts the training label rate",
    .train = train,
    .load = load,
    .predict = predict,
    .free_model = free_model,
};

static const mage_block_kind *const kinds[] = {&kind};

static const mage_plugin_descriptor descriptor = {
    .struct_size = sizeof(mage_plugin_descriptor),
    .abi_major = MAGE_ABI_MAJOR,
    .abi_minor = MAGE_ABI_MINOR,
    .name = "c-model",
    .version = "1.0.0",
    .block_kinds = kinds,
    .n_block_kinds = 1,
};

MAGE_EXPORT const mage_plugin_descriptor *mage_plugin_entry(const mage_host_api *h) {
    host = h;
    return &descriptor;
}
