/* c_registry — exporters over the ABI 1.1 run services: register the upstream model (at once, or after
 * sleeping `seconds`), deploy it, and write the run's lineage document to a file. */
#define _POSIX_C_SOURCE 200809L /* nanosleep */
#include "mage_plugin.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

static const mage_host_api *host;

static int has_run_services(void) {
    return host->struct_size >= offsetof(mage_host_api, deploy_model) + sizeof(void *);
}

static int32_t register_run(mage_context *ctx, const mage_table *inputs, size_t n, mage_table *output) {
    (void)inputs; (void)n; (void)output;
    const char *version = NULL;
    if (host->register_model(ctx, NULL, &version) != MAGE_OK) return MAGE_ERROR;
    char line[256];
    snprintf(line, sizeof line, "registered %s", version);
    host->log(ctx, MAGE_LOG_INFO, line);
    return MAGE_OK;
}

static int32_t slow_register_run(mage_context *ctx, const mage_table *inputs, size_t n, mage_table *output) {
    double seconds = 1.0;
    host->config_double(ctx, "seconds", &seconds);
    struct timespec wait = {(time_t)seconds, (long)((seconds - (double)(time_t)seconds) * 1e9)};
    while (nanosleep(&wait, &wait) != 0) {}
    return register_run(ctx, inputs, n, output);
}

static int32_t deploy_run(mage_context *ctx, const mage_table *inputs, size_t n, mage_table *output) {
    (void)inputs; (void)n; (void)output;
    return host->deploy_model(ctx, NULL) == MAGE_OK ? MAGE_OK : MAGE_ERROR;
}

static int32_t lineage_run(mage_context *ctx, const mage_table *inputs, size_t n, mage_table *output) {
    (void)inputs; (void)n; (void)output;
    const char *path = NULL;
    if (!host->config_string(ctx, "path", &path)) {
        host->set_error(ctx, "c_lineage: path is required");
        return MAGE_ERROR_INVALID_INPUT;
    }
    const char *json = host->lineage_json(ctx);
    if (!json) return MAGE_ERROR;
    FILE *f = fopen(path, "w");
    if (!f || fputs(json, f) < 0 || fclose(f) != 0) {
        host->set_error(ctx, "c_lineage: cannot write the file");
        return MAGE_ERROR_IO;
    }
    return MAGE_OK;
}

static const mage_config_key slow_keys[] = {{"seconds", MAGE_CONFIG_DOUBLE, 0, "how long to sleep first"}};
static const mage_config_key lineage_keys[] = {{"path", MAGE_CONFIG_STRING, 1, "where to write the document"}};

static const mage_block_kind register_kind = {
    .struct_size = sizeof(mage_block_kind), .name = "c_register", .block_type = MAGE_BLOCK_DATA_EXPORTER,
    .description = "registers the upstream model", .run = register_run,
};
static const mage_block_kind slow_register_kind = {
    .struct_size = sizeof(mage_block_kind), .name = "c_slow_register", .block_type = MAGE_BLOCK_DATA_EXPORTER,
    .description = "sleeps, then registers the upstream model", .config_keys = slow_keys, .n_config_keys = 1,
    .run = slow_register_run,
};
static const mage_block_kind deploy_kind = {
    .struct_size = sizeof(mage_block_kind), .name = "c_deploy", .block_type = MAGE_BLOCK_DATA_EXPORTER,
    .description = "deploys the model registered in this run", .run = deploy_run,
};
static const mage_block_kind lineage_kind = {
    .struct_size = sizeof(mage_block_kind), .name = "c_lineage", .block_type = MAGE_BLOCK_DATA_EXPORTER,
    .description = "writes the run's lineage document", .config_keys = lineage_keys, .n_config_keys = 1,
    .run = lineage_run,
};

static const mage_block_kind *const kinds[] = {&register_kind, &slow_register_kind, &deploy_kind, &lineage_kind};

static const mage_plugin_descriptor descriptor = {
    .struct_size = sizeof(mage_plugin_descriptor),
    .abi_major = MAGE_ABI_MAJOR,
    .abi_minor = MAGE_ABI_MINOR,
    .name = "c-registry",
    .version = "1.0.0",
    .block_kinds = kinds,
    .n_block_kinds = sizeof kinds / sizeof kinds[0],
};

MAGE_EXPORT const mage_plugin_descriptor *mage_plugin_entry(const mage_host_api *h) {
    host = h;
    return has_run_services() ? &descriptor : NULL;
}
