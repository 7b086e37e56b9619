/* small_struct — a descriptor whose struct_size (8) is smaller than the 1.0 layout; the host must refuse
 * it without reading past those 8 bytes. The rest of the struct is filled in, so reading it anyway
 * would not crash: only the size check catches this. */
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
    .name = "tiny",
    .block_type = MAGE_BLOCK_TRANSFORMER,
    .description = "Declared by a descriptor that is too small.",
    .run = run,
};

static const mage_block_kind *const kinds[] = {&kind};

static const mage_plugin_descriptor descriptor = {
    .struct_size = 8,
    .abi_major = MAGE_ABI_MAJOR,
    .abi_minor = MAGE_ABI_MINOR,
    .name = "small-struct",
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
