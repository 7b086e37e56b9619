/*
 * sleep_first — sleeps on its first run, for testing what happens to a run whose host process dies.
 *
 * If `marker_file` does not exist, creates it and sleeps `seconds`; then (and on every later run, at once)
 * succeeds with a one-row table: int64 column `slept` = 1 if this run slept, else 0.
 */
#define _POSIX_C_SOURCE 200809L
#include "mage_plugin.h"

#include <stdio.h>
#include <time.h>
#include <unistd.h>

static const mage_host_api *host;

static int32_t run(mage_context *ctx, const mage_table *inputs, size_t n_inputs, mage_table *output) {
    (void)inputs;
    (void)n_inputs;
    const char *path = NULL;
    double seconds = 0;
    if (!host->config_string(ctx, "marker_file", &path) || !host->config_double(ctx, "seconds", &seconds)) {
        host->set_error(ctx, "sleep_first: marker_file and seconds are required");
        return MAGE_ERROR_INVALID_INPUT;
    }
    int64_t slept = 0;
    if (access(path, F_OK) != 0) {
        FILE *f = fopen(path, "w");
        if (!f || fclose(f) != 0) {
            host->set_error(ctx, "sleep_first: cannot create the marker file");
            return MAGE_ERROR_IO;
        }
        host->log(ctx, MAGE_LOG_INFO, "sleeping");
        struct timespec wait = {(time_t)seconds, (long)((seconds - (double)(time_t)seconds) * 1e9)};
        while (nanosleep(&wait, &wait) != 0) {}
        slept = 1;
    }
    mage_table_builder *b = host->table_builder_new();
    if (!b) {
        host->set_error(ctx, "sleep_first: no table builder");
        return MAGE_ERROR;
    }
    if (host->builder_add_int64(b, "slept", &slept, NULL, 1) != MAGE_OK) {
        host->builder_free(b);
        host->set_error(ctx, "sleep_first: the host refused column slept");
        return MAGE_ERROR;
    }
    return host->builder_finish(b, output);
}

static const mage_config_key keys[] = {
    {"marker_file", MAGE_CONFIG_STRING, 1, "created by the first run, which sleeps"},
    {"seconds", MAGE_CONFIG_DOUBLE, 1, "how long the first run sleeps"},
};

static const mage_block_kind kind = {
    .struct_size = sizeof(mage_block_kind),
    .name = "sleep_first",
    .block_type = MAGE_BLOCK_TRANSFORMER,
    .description = "Sleeps on its first run (marked by marker_file), then succeeds.",
    .config_keys = keys,
    .n_config_keys = 2,
    .run = run,
};

static const mage_block_kind *const kinds[] = {&kind};

static const mage_plugin_descriptor descriptor = {
    .struct_size = sizeof(mage_plugin_descriptor),
    .abi_major = MAGE_ABI_MAJOR,
    .abi_minor = MAGE_ABI_MINOR,
    .name = "sleep_first",
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
