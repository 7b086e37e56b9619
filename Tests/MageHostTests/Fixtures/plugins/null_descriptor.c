/* null_descriptor — the entry point returns NULL ("cannot run with this host"); the host must refuse it. */
#include "mage_plugin.h"

MAGE_EXPORT const mage_plugin_descriptor *mage_plugin_entry(const mage_host_api *h) {
    (void)h;
    return NULL;
}
