// AES-256 in counter mode (OpenSSL): a keystream addressed by byte offset,
// so any stretch of a file is encrypted or decrypted on its own, which is
// what files read at random (RocksDB's tables) and files written in pieces
// (sort runs) need. Counter mode hides content; it does not detect
// tampering (the store's own checksums find damage).
//
// The counter block for byte `offset` is the 16-byte nonce plus
// offset / 16, as one big-endian 128-bit number (NIST SP 800-38A). A
// key and nonce pair must never encrypt two different texts: every file
// gets a nonce of its own.
//
// Thread-safe: Apply() keeps no state between calls.
#ifndef DIBAO_BASE_AES_CTR_H_
#define DIBAO_BASE_AES_CTR_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace dibao {

class AesCtr {
 public:
  static constexpr size_t kKeyBytes = 32;
  static constexpr size_t kNonceBytes = 16;

  // INVALID_ARGUMENT unless `key` is 32 bytes and `nonce` 16.
  static absl::StatusOr<AesCtr> Create(absl::string_view key,
                                       absl::string_view nonce);

  // XORs data[0, n) with the keystream from byte `offset` on: encryption
  // and decryption are the same call.
  absl::Status Apply(uint64_t offset, char* data, size_t n) const;

  // `n` bytes from the kernel's cryptographic random source (keys,
  // nonces). INTERNAL when it fails.
  static absl::StatusOr<std::string> RandomBytes(size_t n);

  AesCtr(const AesCtr& other) = default;
  AesCtr& operator=(const AesCtr& other) = default;
  ~AesCtr();

 private:
  AesCtr() = default;

  std::array<unsigned char, kKeyBytes> key_{};
  std::array<unsigned char, kNonceBytes> nonce_{};
};

}  // namespace dibao

#endif  // DIBAO_BASE_AES_CTR_H_
