#ifndef KUBECTL_CERTS_COPENSSL_SHIM_H
#define KUBECTL_CERTS_COPENSSL_SHIM_H

#include <openssl/opensslv.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/rsa.h>
#include <openssl/rand.h>
#include <openssl/core_names.h>
#include <openssl/decoder.h>

// OPENSSL_free is a macro (it passes __FILE__ and __LINE__).
static inline void COpenSSL_free(void *pointer) {
    OPENSSL_free(pointer);
}

// BIO_get_mem_data is a macro over BIO_ctrl.
static inline long COpenSSL_BIO_get_mem_data(BIO *bio, char **data) {
    return BIO_get_mem_data(bio, data);
}

// XN_FLAG_RFC2253 is a macro built from other macros Swift cannot import.
static inline unsigned long COpenSSL_XN_FLAG_RFC2253(void) {
    return XN_FLAG_RFC2253;
}

// EVP_PKEY_KEYPAIR is a macro built from other macros.
static inline int COpenSSL_EVP_PKEY_KEYPAIR(void) {
    return EVP_PKEY_KEYPAIR;
}

// The typed stack functions are macros; these cover the two stacks used here.
static inline int COpenSSL_GENERAL_NAMES_count(const GENERAL_NAMES *names) {
    return sk_GENERAL_NAME_num(names);
}

static inline GENERAL_NAME *COpenSSL_GENERAL_NAMES_get(const GENERAL_NAMES *names, int index) {
    return sk_GENERAL_NAME_value(names, index);
}

static inline STACK_OF(X509) *COpenSSL_X509_stack_new(void) {
    return sk_X509_new_null();
}

static inline int COpenSSL_X509_stack_push(STACK_OF(X509) *stack, X509 *certificate) {
    return sk_X509_push(stack, certificate);
}

static inline void COpenSSL_X509_stack_free(STACK_OF(X509) *stack) {
    sk_X509_free(stack);
}

// X509_REQ_add_extensions takes a STACK_OF(X509_EXTENSION), whose functions are macros.
static inline int COpenSSL_X509_REQ_add_extension(X509_REQ *request, X509_EXTENSION *extension) {
    STACK_OF(X509_EXTENSION) *extensions = sk_X509_EXTENSION_new_null();
    if (extensions == NULL) return 0;
    sk_X509_EXTENSION_push(extensions, extension);
    int result = X509_REQ_add_extensions(request, extensions);
    sk_X509_EXTENSION_free(extensions);
    return result;
}

// GENERAL_NAME keeps its value in a union; these read the member for each type.
static inline const ASN1_STRING *COpenSSL_GENERAL_NAME_string(const GENERAL_NAME *name) {
    switch (name->type) {
    case GEN_DNS: return name->d.dNSName;
    case GEN_URI: return name->d.uniformResourceIdentifier;
    case GEN_EMAIL: return name->d.rfc822Name;
    case GEN_IPADD: return name->d.iPAddress;
    default: return NULL;
    }
}

#endif
