/* libpq, PostgreSQL's C client library (Debian: libpq-dev), for the postgres_query data loader. */
#include <libpq-fe.h>
