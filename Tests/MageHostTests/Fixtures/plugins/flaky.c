/*
 * flaky — fails until its Nth attempt, for testing retries.
 *
 * Each run adds one to the integer stored in `counter_file` (a missing file counts as 0). While the new
 * count is below `succeed_on` the run fails with "flaky: attempt N fails"; from then on it succeeds with a
 * one-row table: int64 column `attempts` = N.
 */
#include "mage_plugin.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static const mage_host_api *host;

static int32_t run(mage_context *ctx, const mage_table *inputs, size_t n_inputs, mage_table *output) {
    (void)inputs;
    (void)n_inputs;
    const char *path = NULL;
    int64_t succeed_on = 0;
    char message[512];
    if (!host->config_string(ctx, "counter_file", &path) || !host->config_int(ctx, "succeed_on", &succeed_on)) {
        host->set_error(ctx, "flaky: counter_file and succeed_on are required");
        return MAGE_ERROR_INVALID_INPUT;
    }

    long long count = 0;
    FILE *f = fopen(path, "r");
    if (f) {
        if (fscanf(f, "%lld", &count) != 1) count = 0;
        fclose(f);
    } else if (errno != ENOENT) {
        snprintf(message, sizeof message, "flaky: cannot read %s: %s", path, strerror(errno));
        host->set_error(ctx, message);
        return MAGE_ERROR_IO;
    }
    count += 1;
    f = fopen(path, "w");
    if (!f || fprintf(f, "%lld\n", count) < 0 || fclose(f) != 0) {
        snprintf(message, sizeof message, "flaky: cannot write %s", path);
        host->set_error(ctx, message);
        return MAGE_ERROR_IO;
    }

    if (count < succeed_on) {
        snprintf(message, sizeof message, "flaky: attempt %lld fails", count);
        host->set_error(ctx, message);
        return MAGE_ERROR;
    }
    int64_t attempts = (int64_t)count;
    mage_table_builder *b = host->table_builder_new();
    if (!b) {
        host->set_error(ctx, "flaky: no table builder");
        return MAGE_ERROR;
    }
    if (host->builder_add_int64(b, "attempts", &attempts, NULL, 1) != MAGE_OK) {
        host->builder_free(b);
        host->set_error(ctx, "flaky: the host refused column attempts");
        return MAGE_ERROR;
    }
    return host->builder_finish(b, output);
}

static const mage_config_key keys[] = {
    {"counter_file", MAGE_CONFIG_STRING, 1, "file holding the attempt count (created at 0 when missing)"},
    {"succeed_on", MAGE_CONFIG_INT, 1, "the first attempt that succeeds (1 = always succeed)"},
};

static const mage_block_kind kind = {
    .struct_size = sizeof(mage_block_kind),
    .name = "flaky",
    .block_type = MAGE_BLOCK_TRANSFORMER,
    .description = "Fails until attempt succeed_on, counting attempts in counter_file.",
    .config_keys = keys,
    .n_config_keys = 2,
    .run = run,
};

static const mage_block_kind *const kinds[] = {&kind};

static const mage_plugin_descriptor descriptor = {
    .struct_size = sizeof(mage_plugin_descriptor),
    .abi_major = MAGE_ABI_MAJOR,
    .abi_minor = MAGE_ABI_MINOR,
    .name = "flaky",
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
