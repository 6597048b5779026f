#ifndef KUBECTL_CERTS_CCURL_SHIM_H
#define KUBECTL_CERTS_CCURL_SHIM_H

#include <curl/curl.h>

// curl_easy_setopt, curl_easy_getinfo and curl_multi_setopt are variadic: Swift cannot call
// them, so each argument type gets a typed wrapper.

typedef size_t (*CCurlDataCallback)(char *data, size_t size, size_t count, void *context);

// curl_easy_setopt is variadic; this passes a long.
static inline CURLcode CCurl_easy_setopt_long(CURL *handle, CURLoption option, long value) {
    return curl_easy_setopt(handle, option, value);
}

// curl_easy_setopt is variadic; this passes a string or an opaque pointer.
static inline CURLcode CCurl_easy_setopt_pointer(CURL *handle, CURLoption option, const void *value) {
    return curl_easy_setopt(handle, option, value);
}

// curl_easy_setopt is variadic; this passes a 64-bit size.
static inline CURLcode CCurl_easy_setopt_off(CURL *handle, CURLoption option, curl_off_t value) {
    return curl_easy_setopt(handle, option, value);
}

// curl_easy_setopt is variadic; this passes a write/header callback.
static inline CURLcode CCurl_easy_setopt_callback(CURL *handle, CURLoption option, CCurlDataCallback callback) {
    return curl_easy_setopt(handle, option, callback);
}

// curl_easy_setopt is variadic; this passes a blob (curl copies the bytes).
static inline CURLcode CCurl_easy_setopt_blob(CURL *handle, CURLoption option, const void *data, size_t length) {
    struct curl_blob blob;
    blob.data = (void *)data;
    blob.len = length;
    blob.flags = CURL_BLOB_COPY;
    return curl_easy_setopt(handle, option, &blob);
}

// curl_easy_getinfo is variadic; this reads a long.
static inline CURLcode CCurl_easy_getinfo_long(CURL *handle, CURLINFO info, long *value) {
    return curl_easy_getinfo(handle, info, value);
}

// curl_easy_getinfo is variadic; this reads a string.
static inline CURLcode CCurl_easy_getinfo_string(CURL *handle, CURLINFO info, char **value) {
    return curl_easy_getinfo(handle, info, value);
}

// curl_easy_getinfo is variadic; this reads a pointer (CURLINFO_PRIVATE).
static inline CURLcode CCurl_easy_getinfo_pointer(CURL *handle, CURLINFO info, void **value) {
    return curl_easy_getinfo(handle, info, value);
}

// curl_easy_getinfo is variadic; this reads a 64-bit count (times in microseconds).
static inline CURLcode CCurl_easy_getinfo_off(CURL *handle, CURLINFO info, curl_off_t *value) {
    return curl_easy_getinfo(handle, info, value);
}

// curl_multi_setopt is variadic; this passes a long.
static inline CURLMcode CCurl_multi_setopt_long(CURLM *handle, CURLMoption option, long value) {
    return curl_multi_setopt(handle, option, value);
}

// CURLMsg holds its result in a union Swift does not name well.
static inline CURLcode CCurl_message_result(const CURLMsg *message) {
    return message->data.result;
}

// CURLVERSION_NOW is a macro Swift cannot import.
static inline curl_version_info_data *CCurl_version_info(void) {
    return curl_version_info(CURLVERSION_NOW);
}

#endif
