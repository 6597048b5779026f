#ifndef KUBECTL_CERTS_CLDNS_SHIM_H
#define KUBECTL_CERTS_CLDNS_SHIM_H

#include <ldns/ldns.h>

#endif
