/*
 * c_features — a small, complete C plugin used by the host tests.
 *
 *   c_numbers       (data loader)  a generated table: id, x = start + i, y = 2x + 1, label = "row<i>"
 *   c_passthrough   (transformer)  re-emits a copy of its first input table
 *   ratio           (C function)   double(double,double): a / b, NaN when b == 0
 *   scaled_sum      (C function)   double(double,int64,double): (a + k) * c
 */
#include "mage_plugin.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The host's service table; valid until the process exits. */
static const mage_host_api *host;

static void fail(mage_context *ctx, const char *message) { host->set_error(ctx, message); }

/* --------------------------------------------------------------------------------------------------
 * c_numbers
 * ------------------------------------------------------------------------------------------------ */

#define LABEL_SIZE 24 /* "row" + up to 20 digits + NUL */

static int32_t numbers_run(mage_context *ctx, const mage_table *inputs, size_t n_inputs, mage_table *output) {
    (void)inputs;
    (void)n_inputs;
    int64_t rows = 5;
    double start = 1.0;
    if (!host->config_int(ctx, "rows", &rows)) rows = 5;
    if (!host->config_double(ctx, "start", &start)) start = 1.0;
    if (rows <= 0) {
        char message[96];
        snprintf(message, sizeof message, "rows must be positive, got %lld", (long long)rows);
        fail(ctx, message);
        return MAGE_ERROR_INVALID_INPUT;
    }
    if ((uint64_t)rows > SIZE_MAX / LABEL_SIZE) {
        fail(ctx, "c_numbers: rows is too large");
        return MAGE_ERROR_INVALID_INPUT;
    }

    size_t n = (size_t)rows;
    int64_t *ids = malloc(n * sizeof *ids);
    double *xs = malloc(n * sizeof *xs);
    double *ys = malloc(n * sizeof *ys);
    const char **labels = malloc(n * sizeof *labels);
    char *label_text = malloc(n * LABEL_SIZE);
    int32_t rc = MAGE_ERROR;
    mage_table_builder *b = NULL;
    if (!ids || !xs || !ys || !labels || !label_text) {
        fail(ctx, "c_numbers: out of memory");
        goto done;
    }
    for (size_t i = 0; i < n; i++) {
        ids[i] = (int64_t)i;
        xs[i] = start + (double)i;
        ys[i] = 2.0 * xs[i] + 1.0;
        snprintf(label_text + i * LABEL_SIZE, LABEL_SIZE, "row%zu", i);
        labels[i] = label_text + i * LABEL_SIZE;
    }

    b = host->table_builder_new();
    if (!b) {
        fail(ctx, "c_numbers: the host could not create a table builder");
        goto done;
    }
    if (host->builder_add_int64(b, "id", ids, NULL, rows) != MAGE_OK ||
        host->builder_add_float64(b, "x", xs, NULL, rows) != MAGE_OK ||
        host->builder_add_float64(b, "y", ys, NULL, rows) != MAGE_OK ||
        host->builder_add_utf8(b, "label", labels, rows) != MAGE_OK) {
        host->builder_free(b);
        fail(ctx, "c_numbers: the host refused a column");
        goto done;
    }
    rc = host->builder_finish(b, output); /* frees the builder, success or not */
    if (rc != MAGE_OK) fail(ctx, "c_numbers: the host could not finish the table");

done:
    free(ids);
    free(xs);
    free(ys);
    free(labels);
    free(label_text);
    return rc;
}

static const mage_config_key numbers_keys[] = {
    {"rows", MAGE_CONFIG_INT, 0, "number of rows to generate (default 5, must be positive)"},
    {"start", MAGE_CONFIG_DOUBLE, 0, "first value of x (default 1.0)"},
};

static const mage_block_kind numbers_kind = {
    .struct_size = sizeof(mage_block_kind),
    .name = "c_numbers",
    .block_type = MAGE_BLOCK_DATA_LOADER,
    .description = "Generates a table: id, x = start + id, y = 2x + 1, label = \"row<id>\".",
    .config_keys = numbers_keys,
    .n_config_keys = sizeof numbers_keys / sizeof numbers_keys[0],
    .run = numbers_run,
};

/* --------------------------------------------------------------------------------------------------
 * c_passthrough: reads the borrowed input through the Arrow C Data Interface and rebuilds it with the
 * host's builder. The input is never moved, modified or released.
 * ------------------------------------------------------------------------------------------------ */

static int bit_is_set(const uint8_t *bitmap, int64_t index) {
    return (bitmap[index >> 3] >> (index & 7)) & 1;
}

/* Copies one column. `parent_offset` and `length` come from the struct array, whose offset applies to
 * its children; `parent_valid` is the struct array's own validity bitmap (usually NULL). */
static int32_t copy_column(mage_context *ctx, mage_table_builder *b, const struct ArrowSchema *schema,
                           const struct ArrowArray *array, int64_t parent_offset, int64_t length,
                           const uint8_t *parent_valid) {
    static const double no_doubles[1];
    static const int64_t no_ints[1];
    static const uint8_t no_bytes[1];
    static const char *const no_strings[1];
    const char *name = schema->name ? schema->name : "";
    const char *format = schema->format ? schema->format : "";
    char message[256];

    int kind = 0; /* number of buffers the format needs: g, l, b -> 2; u -> 3 */
    if (strcmp(format, "g") == 0 || strcmp(format, "l") == 0 || strcmp(format, "b") == 0) kind = 2;
    else if (strcmp(format, "u") == 0) kind = 3;
    if (kind == 0) {
        snprintf(message, sizeof message,
                 "c_passthrough: column '%s' has Arrow format '%s'; supported formats are g, l, u and b",
                 name, format);
        fail(ctx, message);
        return MAGE_ERROR_UNSUPPORTED;
    }
    if (array->offset < 0 || array->length < parent_offset + length || array->n_buffers < kind ||
        (length > 0 && (array->buffers[1] == NULL || (kind == 3 && array->buffers[2] == NULL)))) {
        snprintf(message, sizeof message, "c_passthrough: column '%s' is malformed or shorter than the table",
                 name);
        fail(ctx, message);
        return MAGE_ERROR_INVALID_INPUT;
    }

    size_t n = length > 0 ? (size_t)length : 1;   /* never malloc(0) */
    int64_t base = array->offset + parent_offset; /* index of row 0 in this child's buffers */
    const uint8_t *validity = array->buffers[0];
    int32_t rc = MAGE_ERROR;
    uint8_t *valid = NULL;
    uint8_t *bools = NULL;
    const char **strings = NULL;
    char **copies = NULL;

    if (validity || parent_valid) {
        if (!(valid = malloc(n))) goto oom;
        for (int64_t i = 0; i < length; i++) {
            int present = validity ? bit_is_set(validity, base + i) : 1;
            /* a null row of the struct itself makes every column null on that row */
            if (parent_valid && !bit_is_set(parent_valid, parent_offset + i)) present = 0;
            valid[i] = (uint8_t)present;
        }
    }

    if (format[0] == 'g') {
        const double *values = length > 0 ? (const double *)array->buffers[1] + base : no_doubles;
        rc = host->builder_add_float64(b, name, values, valid, length);
    } else if (format[0] == 'l') {
        const int64_t *values = length > 0 ? (const int64_t *)array->buffers[1] + base : no_ints;
        rc = host->builder_add_int64(b, name, values, valid, length);
    } else if (format[0] == 'b') {
        const uint8_t *bits = array->buffers[1];
        if (!(bools = malloc(n))) goto oom;
        for (int64_t i = 0; i < length; i++) bools[i] = (uint8_t)bit_is_set(bits, base + i);
        rc = host->builder_add_bool(b, name, length > 0 ? bools : no_bytes, valid, length);
    } else { /* "u": int32 offsets at buffers[1], bytes at buffers[2] */
        const int32_t *offsets = array->buffers[1];
        const char *data = array->buffers[2];
        if (!(strings = malloc(n * sizeof *strings)) || !(copies = calloc(n, sizeof *copies))) goto oom;
        for (int64_t i = 0; i < length; i++) {
            strings[i] = NULL; /* a NULL entry is a null */
            if (valid && !valid[i]) continue;
            int32_t begin = offsets[base + i], end = offsets[base + i + 1];
            size_t size = end > begin ? (size_t)(end - begin) : 0;
            if (!(copies[i] = malloc(size + 1))) goto oom; /* the builder takes NUL-terminated strings */
            if (size) memcpy(copies[i], data + begin, size);
            copies[i][size] = '\0';
            strings[i] = copies[i];
        }
        rc = host->builder_add_utf8(b, name, length > 0 ? strings : no_strings, length);
    }
    if (rc != MAGE_OK) {
        snprintf(message, sizeof message, "c_passthrough: the host refused column '%s'", name);
        fail(ctx, message);
    }
    goto done;

oom:
    fail(ctx, "c_passthrough: out of memory");
    rc = MAGE_ERROR;
done:
    if (copies)
        for (int64_t i = 0; i < length; i++) free(copies[i]);
    free(copies);
    free(strings);
    free(bools);
    free(valid);
    return rc;
}

static int32_t passthrough_run(mage_context *ctx, const mage_table *inputs, size_t n_inputs, mage_table *output) {
    if (n_inputs == 0 || inputs == NULL) {
        fail(ctx, "c_passthrough needs one input table: set upstream_blocks to the block to copy");
        return MAGE_ERROR_INVALID_INPUT;
    }
    const struct ArrowSchema *schema = &inputs[0].schema;
    const struct ArrowArray *array = &inputs[0].array;
    if (schema->release == NULL || array->release == NULL) {
        fail(ctx, "c_passthrough: the input table has already been released");
        return MAGE_ERROR_INVALID_INPUT;
    }
    if (schema->format == NULL || strcmp(schema->format, "+s") != 0 || schema->n_children != array->n_children) {
        fail(ctx, "c_passthrough: the input is not an Arrow struct array (format \"+s\") with matching children");
        return MAGE_ERROR_INVALID_INPUT;
    }

    const uint8_t *parent_valid = array->n_buffers > 0 ? array->buffers[0] : NULL;
    mage_table_builder *b = host->table_builder_new();
    if (!b) {
        fail(ctx, "c_passthrough: the host could not create a table builder");
        return MAGE_ERROR;
    }
    for (int64_t c = 0; c < schema->n_children; c++) {
        int32_t rc = copy_column(ctx, b, schema->children[c], array->children[c], array->offset, array->length,
                                 parent_valid);
        if (rc != MAGE_OK) {
            host->builder_free(b);
            return rc;
        }
    }
    int32_t rc = host->builder_finish(b, output);
    if (rc != MAGE_OK) fail(ctx, "c_passthrough: the host could not finish the table");
    return rc;
}

static const mage_block_kind passthrough_kind = {
    .struct_size = sizeof(mage_block_kind),
    .name = "c_passthrough",
    .block_type = MAGE_BLOCK_TRANSFORMER,
    .description = "Re-emits a copy of its first input table (float64, int64, utf8 and bool columns).",
    .config_keys = NULL,
    .n_config_keys = 0,
    .run = passthrough_run,
};

/* --------------------------------------------------------------------------------------------------
 * Plain C functions, bound by the host through libffi.
 * ------------------------------------------------------------------------------------------------ */

MAGE_EXPORT double c_features_ratio(double a, double b);
MAGE_EXPORT double c_features_scaled_sum(double a, int64_t k, double c);

MAGE_EXPORT double c_features_ratio(double a, double b) { return b == 0.0 ? NAN : a / b; }

MAGE_EXPORT double c_features_scaled_sum(double a, int64_t k, double c) { return (a + (double)k) * c; }

static const mage_function_decl functions[] = {
    {"ratio", "c_features_ratio", "double(double,double)", "a / b; NaN when b is 0"},
    {"scaled_sum", "c_features_scaled_sum", "double(double,int64,double)", "(a + k) * c"},
};

/* --------------------------------------------------------------------------------------------------
 * Descriptor and entry point
 * ------------------------------------------------------------------------------------------------ */

static const mage_block_kind *const kinds[] = {&numbers_kind, &passthrough_kind};

static const mage_plugin_descriptor descriptor = {
    .struct_size = sizeof(mage_plugin_descriptor),
    .abi_major = MAGE_ABI_MAJOR,
    .abi_minor = MAGE_ABI_MINOR,
    .name = "c-features",
    .version = "1.0.0",
    .swift_module = NULL,
    .block_kinds = kinds,
    .n_block_kinds = sizeof kinds / sizeof kinds[0],
    .functions = functions,
    .n_functions = sizeof functions / sizeof functions[0],
};

MAGE_EXPORT const mage_plugin_descriptor *mage_plugin_entry(const mage_host_api *h) {
    /* Every 1.0 service is used, so the host must be major 1 and provide at least the 1.0 table. */
    if (h == NULL || h->abi_major != MAGE_ABI_MAJOR || h->struct_size < sizeof(mage_host_api)) return NULL;
    host = h;
    return &descriptor;
}
