#include "matcher/sha256.h"

#include <openssl/evp.h>

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
  // One context per thread, re-initialised per call: no allocation and no
  // algorithm lookup per record.
  struct Ctx {
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    ~Ctx() { EVP_MD_CTX_free(ctx); }
  };
  thread_local Ctx local;
  unsigned int n = 0;
  EVP_DigestInit_ex2(local.ctx, Sha256Md(), nullptr);
  EVP_DigestUpdate(local.ctx, data.data(), data.size());
  EVP_DigestFinal_ex(local.ctx, out, &n);
}

std::string Sha256::Hex(absl::string_view digest) {
  return absl::BytesToHexString(digest);
}

}  // namespace dibao
