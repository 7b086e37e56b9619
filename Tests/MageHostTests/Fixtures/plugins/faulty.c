/*
 * faulty — blocks that misbehave the ways a real plugin can, to prove each fails only its own block:
 * crash_segv writes through NULL, crash_abort calls abort(), crash_trap executes a trap instruction
 * and hang_forever never returns (until the host's timeout kills it).
 */
#include "mage_plugin.h"

#include <stdlib.h>
#include <unistd.h>

static int32_t segv(mage_context *ctx, const mage_table *inputs, size_t n_inputs, mage_table *output) {
    (void)ctx; (void)inputs; (void)n_inputs; (void)output;
    volatile int *volatile nowhere = NULL;
    *nowhere = 42;
    return MAGE_OK;
}

static int32_t aborting(mage_context *ctx, const mage_table *inputs, size_t n_inputs, mage_table *output) {
    (void)ctx; (void)inputs; (void)n_inputs; (void)output;
    abort();
}

static int32_t trap(mage_context *ctx, const mage_table *inputs, size_t n_inputs, mage_table *output) {
    (void)ctx; (void)inputs; (void)n_inputs; (void)output;
    __builtin_trap();
}

static int32_t hang(mage_context *ctx, const mage_table *inputs, size_t n_inputs, mage_table *output) {
    (void)ctx; (void)inputs; (void)n_inputs; (void)output;
    for (;;) sleep(1);
    return MAGE_ERROR; /* not reached */
}

#define FAULTY_KIND(variable, kind_name, function, text) \
    static const mage_block_kind variable = { \
        .struct_size = sizeof(mage_block_kind), .name = kind_name, .block_type = MAGE_BLOCK_TRANSFORMER, \
        .description = text, .run = function, \
    }

FAULTY_KIND(segv_kind, "crash_segv", segv, "writes through a NULL pointer");
FAULTY_KIND(abort_kind, "crash_abort", aborting, "calls abort()");
FAULTY_KIND(trap_kind, "crash_trap", trap, "executes a trap instruction");
FAULTY_KIND(hang_kind, "hang_forever", hang, "never returns");

static const mage_block_kind *const kinds[] = {&segv_kind, &abort_kind, &trap_kind, &hang_kind};

static const mage_plugin_descriptor descriptor = {
    .struct_size = sizeof(mage_plugin_descriptor),
    .abi_major = MAGE_ABI_MAJOR,
    .abi_minor = MAGE_ABI_MINOR,
    .name = "faulty",
    .version = "1.0.0",
    .block_kinds = kinds,
    .n_block_kinds = sizeof kinds / sizeof kinds[0],
};

MAGE_EXPORT const mage_plugin_descriptor *mage_plugin_entry(const mage_host_api *host) {
    (void)host;
    return &descriptor;
}
