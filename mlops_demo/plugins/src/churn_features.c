/* Feature functions for the churn pipelines: plain C, no ABI boilerplate beyond the declarations.
 * The host binds each by symbol and signature and calls it through libffi from `derived_column`. */
#include "mage_plugin.h"

double churn_charge_per_month(double total_charges, double account_age) {
    return account_age > 0 ? total_charges / account_age : total_charges;
}

double churn_calls_per_service(double calls, double services) {
    return services > 0 ? calls / services : calls;
}

static const mage_function_decl functions[] = {
    {"charge_per_month", "churn_charge_per_month", "double(double,double)",
     "total charges divided by account age in months"},
    {"calls_per_service", "churn_calls_per_service", "double(double,double)",
     "customer service calls per subscribed service"},
};

static const mage_plugin_descriptor descriptor = {
    .struct_size = sizeof(mage_plugin_descriptor),
    .abi_major = MAGE_ABI_MAJOR,
    .abi_minor = MAGE_ABI_MINOR,
    .name = "churn-features",
    .version = "1.0.0",
    .swift_module = NULL,
    .block_kinds = NULL,
    .n_block_kinds = 0,
    .functions = functions,
    .n_functions = sizeof functions / sizeof functions[0],
};

MAGE_EXPORT const mage_plugin_descriptor *mage_plugin_entry(const mage_host_api *host) {
    return host->abi_major == MAGE_ABI_MAJOR ? &descriptor : NULL;
}
