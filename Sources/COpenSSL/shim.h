#ifndef COPENSSL_SHIM_H
#define COPENSSL_SHIM_H
#include <openssl/ssl.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>
#include <openssl/hmac.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

/* Swift cannot import function-like macros or macros built from casts; re-expose what we need. */
static inline int copenssl_set_sni(SSL *ssl, const char *hostname) {
    return (int)SSL_set_tlsext_host_name(ssl, hostname);
}
static inline int copenssl_ctx_set_min_proto(SSL_CTX *ctx, int version) {
    return (int)SSL_CTX_set_min_proto_version(ctx, version);
}
static inline uint64_t copenssl_op_no_compression(void) { return SSL_OP_NO_COMPRESSION; }
static inline uint64_t copenssl_op_no_renegotiation(void) { return SSL_OP_NO_RENEGOTIATION; }
static inline long copenssl_ctx_set_mode_auto_retry(SSL_CTX *ctx) {
    return SSL_CTX_set_mode(ctx, SSL_MODE_AUTO_RETRY);
}

/* Added for the TLS module. */
/* XN_FLAG_RFC2253 is an OR of casts ((unsigned long)...), which Swift does not import. */
static inline unsigned long copenssl_xn_flag_rfc2253(void) { return XN_FLAG_RFC2253; }
/* SSL_CTX_set_mode is a macro over SSL_CTX_ctrl. */
static inline long copenssl_ctx_set_mode_release_buffers(SSL_CTX *ctx) {
    return SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS);
}
/* Added for the web configuration's max_version. */
static inline int copenssl_ctx_set_max_proto(SSL_CTX *ctx, int version) {
    return (int)SSL_CTX_set_max_proto_version(ctx, version);
}
#endif
