/* no_entry — a valid shared library that is not a plugin: it does not export mage_plugin_entry. */
#include "mage_plugin.h"

MAGE_EXPORT int not_a_plugin(void);
MAGE_EXPORT int not_a_plugin(void) { return 42; }
