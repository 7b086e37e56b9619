/* select_columns_clash — a project library that declares a block kind the built-in transformers
 * declare too, so the built-in library loaded after it is refused as a duplicate. */
#include "mage_plugin.h"

static int32_t run(mage_context *ctx, const mage_table *inputs, size_t n_inputs, mage_table *output) {
    (void)ctx, (void)inputs, (void)n_inputs, (void)output;
    return MAGE_OK;
}

static const mage_block_kind kind = {
    .struct_size = sizeof(mage_block_kind),
    .name = "select_columns",
    .block_type = MAGE_BLOCK_TRANSFORMER,
    .description = "the project's own select_columns",
    .run = run,
};

static const mage_block_kind *const kinds[] = {&kind};

static const mage_plugin_descriptor descriptor = {
    .struct_size = sizeof(mage_plugin_descriptor),
    .abi_major = MAGE_ABI_MAJOR,
    .abi_minor = MAGE_ABI_MINOR,
    .name = "select-columns-clash",
    .version = "1.0.0",
    .block_kinds = kinds,
    .n_block_kinds = 1,
};

MAGE_EXPORT const mage_plugin_descriptor *mage_plugin_entry(const mage_host_api *h) {
    (void)h;
    return &descriptor;
}
