/* c_unservable — models that train but that the host cannot serve, one way each, and one it can serve
 * from its kind's label_key alone. Each trains like c_model (the rate of an int64 label column, one
 * feature per other column) so only the named defect differs. */
#include "mage_plugin.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const mage_host_api *host;

typedef struct { double rate; size_t n_features; } rate_model;

/* The label: the `label_column` configuration value, else "churn". */
static int32_t fit(mage_context *ctx, const mage_table *input, const char *artifact_dir, const char **label_name) {
    const char *wanted = "churn";
    host->config_string(ctx, "label_column", &wanted);
    const struct ArrowSchema *schema = &input->schema;
    int64_t label = -1;
    for (int64_t i = 0; i < schema->n_children; i++)
        if (strcmp(schema->children[i]->name, wanted) == 0 && strcmp(schema->children[i]->format, "l") == 0) label = i;
    if (label < 0 || input->array.length == 0) {
        host->set_error(ctx, "c_unservable: needs a non-empty int64 label column");
        return MAGE_ERROR_INVALID_INPUT;
    }
    const struct ArrowArray *column = input->array.children[label];
    const int64_t *values = (const int64_t *)column->buffers[1] + column->offset;
    int64_t positives = 0;
    for (int64_t r = 0; r < input->array.length; r++) positives += values[r] == 1;
    char path[4096];
    snprintf(path, sizeof path, "%s/model.txt", artifact_dir);
    FILE *f = fopen(path, "w");
    if (!f) {
        host->set_error(ctx, "c_unservable: cannot write model.txt");
        return MAGE_ERROR_IO;
    }
    fprintf(f, "%.17g %lld\n", (double)positives / (double)input->array.length, (long long)(schema->n_children - 1));
    fclose(f);
    *label_name = schema->children[label]->name;
    return MAGE_OK;
}

static int32_t train_declaring(mage_context *ctx, const mage_table *input, const char *params_json, const char *artifact_dir) {
    (void)params_json;
    const char *label = NULL;
    int32_t code = fit(ctx, input, artifact_dir, &label);
    return code != MAGE_OK ? code : host->declare_model_signature(ctx, label, NULL, 0);
}

static int32_t train_unknown_feature(mage_context *ctx, const mage_table *input, const char *params_json,
                                     const char *artifact_dir) {
    (void)params_json;
    const char *label = NULL;
    int32_t code = fit(ctx, input, artifact_dir, &label);
    static const char *const features[] = {"account_age", "tenure"};
    return code != MAGE_OK ? code : host->declare_model_signature(ctx, label, features, 2);
}

static int32_t train_silent(mage_context *ctx, const mage_table *input, const char *params_json, const char *artifact_dir) {
    (void)params_json;
    const char *label = NULL;
    int32_t code = fit(ctx, input, artifact_dir, &label);
    /* Importances that are whole numbers, as JSON writes them: 3 and 1. */
    if (code == MAGE_OK) host->report_facet(ctx, "feature_importance", "{\"account_age\": 3, \"monthly_charges\": 1}");
    return code;
}

static int32_t load(mage_context *ctx, const char *artifact_dir, void **handle, size_t *n_features, size_t *n_classes) {
    char path[4096];
    snprintf(path, sizeof path, "%s/model.txt", artifact_dir);
    FILE *f = fopen(path, "r");
    rate_model *m = calloc(1, sizeof *m);
    long long width = 0;
    if (!f || !m || fscanf(f, "%lf %lld", &m->rate, &width) != 2 || width < 0) {
        if (f) fclose(f);
        free(m);
        host->set_error(ctx, "c_unservable: model.txt is missing or malformed");
        return MAGE_ERROR_IO;
    }
    fclose(f);
    m->n_features = (size_t)width;
    *handle = m;
    *n_features = m->n_features;
    *n_classes = 2;
    return MAGE_OK;
}

static int32_t load_fails(mage_context *ctx, const char *artifact_dir, void **handle, size_t *n_features, size_t *n_classes) {
    (void)artifact_dir, (void)handle, (void)n_features, (void)n_classes;
    host->set_error(ctx, "c_unservable: model.txt was written by a newer version of this plugin");
    return MAGE_ERROR_IO;
}

static int32_t load_too_wide(mage_context *ctx, const char *artifact_dir, void **handle, size_t *n_features, size_t *n_classes) {
    int32_t code = load(ctx, artifact_dir, handle, n_features, n_classes);
    if (code == MAGE_OK) *n_features += 1;
    return code;
}

static int32_t predict(mage_context *ctx, void *handle, const double *rows, size_t n_rows, double *probabilities) {
    (void)ctx, (void)rows;
    const rate_model *m = handle;
    for (size_t r = 0; r < n_rows; r++) {
        probabilities[2 * r] = 1 - m->rate;
        probabilities[2 * r + 1] = m->rate;
    }
    return MAGE_OK;
}

static int32_t predict_fails(mage_context *ctx, void *handle, const double *rows, size_t n_rows, double *probabilities) {
    (void)handle, (void)rows, (void)n_rows, (void)probabilities;
    host->set_error(ctx, "c_unservable: predict has no trees to walk");
    return MAGE_ERROR;
}

/* Writes one probability per row where the kind declares two. */
static int32_t predict_one_output(mage_context *ctx, void *handle, const double *rows, size_t n_rows, double *probabilities) {
    (void)ctx, (void)rows;
    const rate_model *m = handle;
    for (size_t r = 0; r < n_rows; r++) probabilities[r] = m->rate;
    return MAGE_OK;
}

static void free_model(void *handle) { free(handle); }

static const mage_config_key keys[] = {{"label_column", MAGE_CONFIG_STRING, 0, "label column (default churn)"}};

#define MODEL(id, kind_name, train_fn, load_fn, predict_fn, label) \
    static const mage_block_kind id = { \
        .struct_size = sizeof(mage_block_kind), .name = kind_name, .block_type = MAGE_BLOCK_MODEL, \
        .description = kind_name, .config_keys = keys, .n_config_keys = 1, .train = train_fn, .load = load_fn, \
        .predict = predict_fn, .free_model = free_model, .label_key = label, \
    }

MODEL(no_signature, "c_no_signature", train_silent, load, predict, NULL);
MODEL(load_failing, "c_load_fails", train_declaring, load_fails, predict, NULL);
MODEL(too_wide, "c_load_too_wide", train_declaring, load_too_wide, predict, NULL);
MODEL(predict_failing, "c_predict_fails", train_declaring, load, predict_fails, NULL);
MODEL(one_output, "c_predict_one_output", train_declaring, load, predict_one_output, NULL);
MODEL(by_label_key, "c_label_key", train_silent, load, predict, "label_column");
MODEL(unknown_feature, "c_declares_unknown_feature", train_unknown_feature, load, predict, NULL);

static const mage_block_kind *const kinds[] = {
    &no_signature, &load_failing, &too_wide, &predict_failing, &one_output, &by_label_key, &unknown_feature,
};

static const mage_plugin_descriptor descriptor = {
    .struct_size = sizeof(mage_plugin_descriptor),
    .abi_major = MAGE_ABI_MAJOR,
    .abi_minor = MAGE_ABI_MINOR,
    .name = "c-unservable",
    .version = "1.0.0",
    .block_kinds = kinds,
    .n_block_kinds = sizeof kinds / sizeof kinds[0],
};

MAGE_EXPORT const mage_plugin_descriptor *mage_plugin_entry(const mage_host_api *h) {
    host = h;
    return &descriptor;
}
