#include <ffi.h>

/* libffi's type descriptors are mutable globals; these accessors hand Swift their addresses without
 * touching global mutable state from Swift code. */
static inline ffi_type *mage_ffi_type_double(void) { return &ffi_type_double; }
static inline ffi_type *mage_ffi_type_float(void) { return &ffi_type_float; }
static inline ffi_type *mage_ffi_type_sint64(void) { return &ffi_type_sint64; }
static inline ffi_type *mage_ffi_type_sint32(void) { return &ffi_type_sint32; }
static inline ffi_type *mage_ffi_type_uint8(void) { return &ffi_type_uint8; }
