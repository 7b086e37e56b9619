/* Claims to be built from the Swift module "MageTransformers" while declaring a block kind of its own,
 * so loading it beside the real MageTransformers plugin must be refused as a duplicate Swift module. */
#include "mage_plugin.h"

static int32_t run(mage_context *ctx, const mage_table *inputs, size_t n_inputs, mage_table *output) {
    (void)ctx; (void)inputs; (void)n_inputs; (void)output;
    return MAGE_OK;
}

static const mage_block_kind clash = {
    .struct_size = sizeof(mage_block_kind),
    .name = "module_clash",
    .block_type = MAGE_BLOCK_TRANSFORMER,
    .description = "never loads beside MageTransformers",
    .run = run,
};

static const mage_block_kind *const kinds[] = {&clash};

static const mage_plugin_descriptor descriptor = {
    .struct_size = sizeof(mage_plugin_descriptor),
    .abi_major = MAGE_ABI_MAJOR,
    .abi_minor = MAGE_ABI_MINOR,
    .name = "swift-module-clash",
    .version = "1.0.0",
    .swift_module = "MageTransformers",
    .block_kinds = kinds,
    .n_block_kinds = 1,
};

MAGE_EXPORT const mage_plugin_descriptor *mage_plugin_entry(const mage_host_api *host) {
    (void)host;
    return &descriptor;
}
