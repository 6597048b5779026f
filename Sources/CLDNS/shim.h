#ifndef KUBECTL_CERTS_CLDNS_SHIM_H
#define KUBECTL_CERTS_CLDNS_SHIM_H

// ldns/common.h falls back to `signed char` for bool unless stdbool.h came first; include it
// so libldns's bool parameters and results import as Swift Bool, matching the library's ABI.
#include <stdbool.h>
#include <ldns/ldns.h>

#endif
