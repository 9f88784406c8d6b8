// SHA-256 (OpenSSL), for batch digests and fact fingerprints.
#ifndef DIBAO_BASE_SHA256_H_
#define DIBAO_BASE_SHA256_H_

#include <string>

#include "absl/strings/string_view.h"

typedef struct evp_md_ctx_st EVP_MD_CTX;

namespace dibao {

// Incremental hashing. Not thread-safe.
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  void Update(absl::string_view data);
  // The 32-byte digest; the object may not be updated afterwards.
  std::string Finish();

  static std::string Of(absl::string_view data);
  // One-shot digest into `out` (32 bytes), without allocating.
  static void Of(absl::string_view data, unsigned char out[32]);
  static std::string Hex(absl::string_view digest);

 private:
  EVP_MD_CTX* ctx_;
};

}  // namespace dibao

#endif  // DIBAO_BASE_SHA256_H_
