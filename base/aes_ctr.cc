#include "base/aes_ctr.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <sys/random.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"

namespace dibao {
namespace {

// One context per thread, keyed with the last key it was given: a store
// has one key, and expanding it (the AES key schedule) on every call cost
// more than encrypting a 4 KiB block. Only the counter changes per call.
//
// Each context is also listed here while its thread lives: the store's
// background threads last until the process exits without ending, and a
// context only their thread-local storage points to would look leaked to
// the leak checker.
ABSL_CONST_INIT absl::Mutex live_mu(absl::kConstInit);
std::vector<EVP_CIPHER_CTX*>& LiveContexts() {
  static auto* live = new std::vector<EVP_CIPHER_CTX*>();
  return *live;
}

struct ThreadCipher {
  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  std::array<unsigned char, AesCtr::kKeyBytes> key{};
  bool keyed = false;
  ThreadCipher() {
    absl::MutexLock lock(&live_mu);
    LiveContexts().push_back(ctx);
  }
  ~ThreadCipher() {
    {
      absl::MutexLock lock(&live_mu);
      auto& live = LiveContexts();
      live.erase(std::remove(live.begin(), live.end(), ctx), live.end());
    }
    OPENSSL_cleanse(key.data(), key.size());
    EVP_CIPHER_CTX_free(ctx);
  }
};

}  // namespace

absl::StatusOr<AesCtr> AesCtr::Create(absl::string_view key,
                                      absl::string_view nonce) {
  if (key.size() != kKeyBytes) {
    return absl::InvalidArgumentError(absl::StrCat(
        "an AES-256 key is ", kKeyBytes, " bytes, not ", key.size()));
  }
  if (nonce.size() != kNonceBytes) {
    return absl::InvalidArgumentError(absl::StrCat(
        "a counter-mode nonce is ", kNonceBytes, " bytes, not ", nonce.size()));
  }
  AesCtr c;
  std::memcpy(c.key_.data(), key.data(), kKeyBytes);
  std::memcpy(c.nonce_.data(), nonce.data(), kNonceBytes);
  return c;
}

AesCtr::~AesCtr() { OPENSSL_cleanse(key_.data(), key_.size()); }

absl::Status AesCtr::Apply(uint64_t offset, char* data, size_t n) const {
  if (n == 0) return absl::OkStatus();
  // The counter block of the 16-byte block holding `offset`.
  unsigned char iv[kNonceBytes];
  std::memcpy(iv, nonce_.data(), kNonceBytes);
  uint64_t add = offset / 16;
  for (int i = kNonceBytes - 1; i >= 0 && add != 0; --i) {
    const unsigned sum = iv[i] + static_cast<unsigned>(add & 0xff);
    iv[i] = static_cast<unsigned char>(sum);
    add = (add >> 8) + (sum >> 8);
  }
  thread_local ThreadCipher cipher;
  EVP_CIPHER_CTX* ctx = cipher.ctx;
  if (ctx == nullptr) {
    return absl::InternalError("AES-256-CTR: no cipher context");
  }
  const bool same_key =
      cipher.keyed &&
      CRYPTO_memcmp(cipher.key.data(), key_.data(), key_.size()) == 0;
  const int init = same_key
                       ? EVP_EncryptInit_ex(ctx, nullptr, nullptr, nullptr, iv)
                       : EVP_EncryptInit_ex(ctx, EVP_aes_256_ctr(), nullptr,
                                            key_.data(), iv);
  if (init != 1) {
    cipher.keyed = false;
    return absl::InternalError("AES-256-CTR: cannot set up the cipher");
  }
  if (!same_key) {
    cipher.key = key_;
    cipher.keyed = true;
  }
  int out = 0;
  // Into the block: the keystream bytes before `offset` are spent.
  if (const int skip = static_cast<int>(offset % 16); skip > 0) {
    unsigned char scratch[16] = {};
    if (EVP_EncryptUpdate(ctx, scratch, &out, scratch, skip) != 1) {
      return absl::InternalError("AES-256-CTR: cannot encrypt");
    }
  }
  auto* bytes = reinterpret_cast<unsigned char*>(data);
  while (n > 0) {
    const int chunk = static_cast<int>(std::min<size_t>(n, INT_MAX / 2));
    if (EVP_EncryptUpdate(ctx, bytes, &out, bytes, chunk) != 1) {
      return absl::InternalError("AES-256-CTR: cannot encrypt");
    }
    bytes += chunk;
    n -= static_cast<size_t>(chunk);
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> AesCtr::RandomBytes(size_t n) {
  // The kernel's generator, not OpenSSL's: OpenSSL keeps one per thread,
  // and RocksDB's background threads (which make files, and so nonces)
  // never end to free theirs.
  std::string out(n, '\0');
  size_t done = 0;
  while (done < n) {
    const ssize_t got = ::getrandom(out.data() + done, n - done, 0);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) {
      return absl::InternalError(absl::StrCat("no randomness from the system: ",
                                              std::strerror(errno)));
    }
    done += static_cast<size_t>(got);
  }
  return out;
}

}  // namespace dibao
