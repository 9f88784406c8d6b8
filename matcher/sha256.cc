#include "matcher/sha256.h"

#include <openssl/evp.h>

#include "absl/strings/escaping.h"

namespace dibao {

Sha256::Sha256() : ctx_(EVP_MD_CTX_new()) {
  EVP_DigestInit_ex(ctx_, EVP_sha256(), nullptr);
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
  unsigned int n = 0;
  EVP_Digest(data.data(), data.size(), out, &n, EVP_sha256(), nullptr);
}

std::string Sha256::Hex(absl::string_view digest) {
  return absl::BytesToHexString(digest);
}

}  // namespace dibao
