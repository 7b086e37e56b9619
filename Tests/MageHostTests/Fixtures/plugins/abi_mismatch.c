/* abi_mismatch — a well-formed descriptor that claims ABI major 99; the host must refuse it. */
#include "mage_plugin.h"

static int32_t run(mage_context *ctx, const mage_table *inputs, size_t n_inputs, mage_table *output) {
    (void)ctx;
    (void)inputs;
    (void)n_inputs;
    (void)output;
    return MAGE_OK;
}

static const mage_block_kind kind = {
    .struct_size = sizeof(mage_block_kind),
    .name = "future_block",
    .block_type = MAGE_BLOCK_TRANSFORMER,
    .description = "Built for a future ABI.",
    .run = run,
};

static const mage_block_kind *const kinds[] = {&kind};

static const mage_plugin_descriptor descriptor = {
    .struct_size = sizeof(mage_plugin_descriptor),
    .abi_major = 99,
    .abi_minor = 0,
    .name = "abi-mismatch",
    .version = "1.0.0",
    .swift_module = NULL,
    .block_kinds = kinds,
    .n_block_kinds = 1,
    .functions = NULL,
    .n_functions = 0,
};

MAGE_EXPORT const mage_plugin_descriptor *mage_plugin_entry(const mage_host_api *h) {
    (void)h;
    return &descriptor;
}
