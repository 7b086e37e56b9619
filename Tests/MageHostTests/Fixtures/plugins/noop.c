/* noop — near-empty blocks and a trivial C function, for measuring host overhead in benchmarks. */
#include "mage_plugin.h"

static const mage_host_api *host;

/* One row, one float64 column `v`. */
static int32_t noop_loader_run(mage_context *ctx, const mage_table *inputs, size_t n_inputs, mage_table *output) {
    static const double v[1] = {1.0};
    (void)inputs;
    (void)n_inputs;
    mage_table_builder *b = host->table_builder_new();
    if (!b) {
        host->set_error(ctx, "noop_loader: no table builder");
        return MAGE_ERROR;
    }
    if (host->builder_add_float64(b, "v", v, NULL, 1) != MAGE_OK) {
        host->builder_free(b);
        host->set_error(ctx, "noop_loader: the host refused column v");
        return MAGE_ERROR;
    }
    return host->builder_finish(b, output);
}

/* Produces no table: output->array.release stays NULL. */
static int32_t noop_transform_run(mage_context *ctx, const mage_table *inputs, size_t n_inputs,
                                  mage_table *output) {
    (void)ctx;
    (void)inputs;
    (void)n_inputs;
    (void)output;
    return MAGE_OK;
}

MAGE_EXPORT double noop_add(double a, double b);
MAGE_EXPORT double noop_add(double a, double b) { return a + b; }

static const mage_block_kind loader_kind = {
    .struct_size = sizeof(mage_block_kind),
    .name = "noop_loader",
    .block_type = MAGE_BLOCK_DATA_LOADER,
    .description = "Emits one row with a float64 column v = 1.0.",
    .run = noop_loader_run,
};

static const mage_block_kind transform_kind = {
    .struct_size = sizeof(mage_block_kind),
    .name = "noop_transform",
    .block_type = MAGE_BLOCK_TRANSFORMER,
    .description = "Does nothing and produces no table.",
    .run = noop_transform_run,
};

static const mage_block_kind *const kinds[] = {&loader_kind, &transform_kind};

static const mage_function_decl functions[] = {
    {"add", "noop_add", "double(double,double)", "a + b"},
};

static const mage_plugin_descriptor descriptor = {
    .struct_size = sizeof(mage_plugin_descriptor),
    .abi_major = MAGE_ABI_MAJOR,
    .abi_minor = MAGE_ABI_MINOR,
    .name = "noop",
    .version = "1.0.0",
    .swift_module = NULL,
    .block_kinds = kinds,
    .n_block_kinds = 2,
    .functions = functions,
    .n_functions = 1,
};

MAGE_EXPORT const mage_plugin_descriptor *mage_plugin_entry(const mage_host_api *h) {
    host = h;
    return &descriptor;
}
