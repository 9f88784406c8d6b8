// The one-shot digest uses OpenSSL's low-level SHA-256 functions, which
// OpenSSL 3 marks deprecated in favour of EVP: through EVP, a digest of a
// 200-byte feed record costs about three times the hashing itself (provider
// dispatch, context set-up), and it runs once per record.
#define OPENSSL_SUPPRESS_DEPRECATED
#include "base/sha256.h"

#include <openssl/evp.h>
#include <openssl/sha.h>

#include "absl/strings/escaping.h"

namespace dibao {
namespace {

// Fetched once. OpenSSL 3 looks the algorithm up by name on every implicit
// use (EVP_sha256() in an Init, or the SHA256() one-shot), which costs more
// than hashing a feed record of 200 bytes.
const EVP_MD* Sha256Md() {
  static const EVP_MD* md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  return md;
}

}  // namespace

Sha256::Sha256() : ctx_(EVP_MD_CTX_new()) {
  EVP_DigestInit_ex2(ctx_, Sha256Md(), nullptr);
}

Sha256::~Sha256() { EVP_MD_CTX_free(ctx_); }

void Sha256::Update(absl::string_view data) {
  EVP_DigestUpdate(ctx_, data.data(), data.size());
}

std::string Sha256::Finish() {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  EVP_DigestFinal_ex(ctx_, out, &n);
  return std::string(reinterpret_cast<const char*>(out), n);
}

std::string Sha256::Of(absl::string_view data) {
  Sha256 h;
  h.Update(data);
  return h.Finish();
}

void Sha256::Of(absl::string_view data, unsigned char out[32]) {
  SHA256_CTX ctx;
  SHA256_Init(&ctx);
  SHA256_Update(&ctx, data.data(), data.size());
  SHA256_Final(out, &ctx);
}

std::string Sha256::Hex(absl::string_view digest) {
  return absl::BytesToHexString(digest);
}

}  // namespace dibao
