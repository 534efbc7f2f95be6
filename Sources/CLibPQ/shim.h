#ifndef COMMENTDESK_CLIBPQ_SHIM_H
#define COMMENTDESK_CLIBPQ_SHIM_H

/* libpq-fe.h lives in /usr/include/postgresql on Debian and Ubuntu. pkg-config adds that directory; where
   pkg-config is missing, the second form still finds it. */
#if __has_include(<libpq-fe.h>)
#include <libpq-fe.h>
#elif __has_include(<postgresql/libpq-fe.h>)
#include <postgresql/libpq-fe.h>
#else
#error "libpq-fe.h not found: install libpq-dev (Debian/Ubuntu) or libpq (Homebrew)"
#endif

/* The PG_DIAG_* field codes are character macros, which Swift does not import. */
static const int CD_PG_DIAG_SEVERITY = PG_DIAG_SEVERITY;
static const int CD_PG_DIAG_SQLSTATE = PG_DIAG_SQLSTATE;
static const int CD_PG_DIAG_MESSAGE_PRIMARY = PG_DIAG_MESSAGE_PRIMARY;
static const int CD_PG_DIAG_MESSAGE_DETAIL = PG_DIAG_MESSAGE_DETAIL;
static const int CD_PG_DIAG_MESSAGE_HINT = PG_DIAG_MESSAGE_HINT;
static const int CD_PG_DIAG_SCHEMA_NAME = PG_DIAG_SCHEMA_NAME;
static const int CD_PG_DIAG_TABLE_NAME = PG_DIAG_TABLE_NAME;
static const int CD_PG_DIAG_COLUMN_NAME = PG_DIAG_COLUMN_NAME;
static const int CD_PG_DIAG_CONSTRAINT_NAME = PG_DIAG_CONSTRAINT_NAME;

#endif
