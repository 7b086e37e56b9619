/* hiredis, Redis's C client library (Debian: libhiredis-dev), for coordination between processes and
 * hosts (the registry's reload announcements). */
#include <hiredis/hiredis.h>
