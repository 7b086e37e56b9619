/* Compile-time guards on the ABI: the layout of the v1 structs is part of the contract, so a change that
 * moves a field breaks the build here instead of breaking plugins in the field. (x86_64 / aarch64 LP64.) */
#include "mage_plugin.h"

#define MAGE_ASSERT_OFFSET(type, field, expected) \
    _Static_assert(offsetof(type, field) == (expected), #type "." #field " moved: that breaks ABI v1")

MAGE_ASSERT_OFFSET(struct ArrowSchema, release, 56);
MAGE_ASSERT_OFFSET(struct ArrowArray, release, 64);
MAGE_ASSERT_OFFSET(mage_host_api, log, 8);
MAGE_ASSERT_OFFSET(mage_host_api, function_call, 8 + 8 * 20);
/* 1.1 appended after the 1.0 table, which ends at 176 bytes. */
MAGE_ASSERT_OFFSET(mage_host_api, builder_set_metadata, 176);
MAGE_ASSERT_OFFSET(mage_host_api, deploy_model, 176 + 8 * 3);
MAGE_ASSERT_OFFSET(mage_block_kind, run, 48);
MAGE_ASSERT_OFFSET(mage_block_kind, free_model, 80);
/* 1.2 appended one slot to each: the host table ends at 208 bytes, the 1.1 block kind at 88. */
MAGE_ASSERT_OFFSET(mage_host_api, declare_model_signature, 208);
MAGE_ASSERT_OFFSET(mage_block_kind, label_key, 88);
MAGE_ASSERT_OFFSET(mage_plugin_descriptor, block_kinds, 32);
MAGE_ASSERT_OFFSET(mage_plugin_descriptor, n_functions, 56);
/* 1.2 flags live above the type's low byte; they must never collide with a mage_config_type. */
_Static_assert((MAGE_CONFIG_SECRET & MAGE_CONFIG_TYPE_MASK) == 0 && (MAGE_CONFIG_PATH & MAGE_CONFIG_TYPE_MASK) == 0,
               "configuration key flags overlap the type");
_Static_assert(sizeof(mage_config_key) == 24, "mage_config_key is frozen for ABI v1");
_Static_assert(sizeof(mage_function_decl) == 32, "mage_function_decl is frozen for ABI v1");
