/* hang.c — Never returns: sleeps one second at a time, forever. */
#define _POSIX_C_SOURCE 200809L /* sleep() */
#include "mage_plugin.h"

#include <unistd.h>

static const mage_host_api *host;

static int32_t run(mage_context *ctx, const mage_table *inputs, size_t n_inputs, mage_table *output) {
    (void)inputs;
    (void)n_inputs;
    (void)output;
    (void)ctx;
    for (;;) sleep(1);
    return MAGE_ERROR; /* not reached */
}

static const mage_block_kind kind = {
    .struct_size = sizeof(mage_block_kind),
    .name = "hang_forever",
    .block_type = MAGE_BLOCK_TRANSFORMER,
    .description = "Never returns: sleeps one second at a time, forever.",
    .run = run,
};

static const mage_block_kind *const kinds[] = {&kind};

static const mage_plugin_descriptor descriptor = {
    .struct_size = sizeof(mage_plugin_descriptor),
    .abi_major = MAGE_ABI_MAJOR,
    .abi_minor = MAGE_ABI_MINOR,
    .name = "hang",
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
