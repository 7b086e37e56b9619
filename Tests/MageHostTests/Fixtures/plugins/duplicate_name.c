/* duplicate_name — declares block kind c_numbers, like c_features; loading both must be refused. */
#include "mage_plugin.h"

static const mage_host_api *host;

/* One row with int64 column `from_duplicate` = 1, so a test can tell which plugin ran. */
static int32_t run(mage_context *ctx, const mage_table *inputs, size_t n_inputs, mage_table *output) {
    static const int64_t one[1] = {1};
    (void)inputs;
    (void)n_inputs;
    mage_table_builder *b = host->table_builder_new();
    if (!b) {
        host->set_error(ctx, "duplicate_name: no table builder");
        return MAGE_ERROR;
    }
    if (host->builder_add_int64(b, "from_duplicate", one, NULL, 1) != MAGE_OK) {
        host->builder_free(b);
        host->set_error(ctx, "duplicate_name: the host refused a column");
        return MAGE_ERROR;
    }
    return host->builder_finish(b, output);
}

static const mage_block_kind kind = {
    .struct_size = sizeof(mage_block_kind),
    .name = "c_numbers",
    .block_type = MAGE_BLOCK_DATA_LOADER,
    .description = "Same name as c_features' c_numbers.",
    .run = run,
};

static const mage_block_kind *const kinds[] = {&kind};

static const mage_plugin_descriptor descriptor = {
    .struct_size = sizeof(mage_plugin_descriptor),
    .abi_major = MAGE_ABI_MAJOR,
    .abi_minor = MAGE_ABI_MINOR,
    .name = "duplicate-name",
    .version = "1.0.0",
    .swift_module = NULL,
    .block_kinds = kinds,
    .n_block_kinds = 1,
    .functions = NULL,
    .n_functions = 0,
};

MAGE_EXPORT const mage_plugin_descriptor *mage_plugin_entry(const mage_host_api *h) {
    host = h;
    return &descriptor;
}
