// Encryption at rest for the store: with a key (StoreOptions::
// encryption_key) every file RocksDB writes in the data directory (tables,
// write-ahead log, manifest, ingested batches) is AES-256-CTR encrypted
// (base/aes_ctr.h) under a random nonce of its own, kept in a 4 KiB header
// with the key's ID. Without the key the files are noise; `strings` finds
// no ID or name in them.
//
// The key lives in a key file outside the data directory (64 hexadecimal
// digits: `openssl rand -hex 32`), readable by its owner only. Whether a
// store is encrypted is fixed when it is created: opening an encrypted
// store without its key, with another key, or a plain store with a key is
// refused with a message that says which (CheckStoreEncryption).
#ifndef DIBAO_STORAGE_ENCRYPTION_H_
#define DIBAO_STORAGE_ENCRYPTION_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "rocksdb/env.h"

namespace dibao {

// The 32-byte key in the key file at `path`. INVALID_ARGUMENT when the
// file does not hold 64 hexadecimal digits or lies inside `data_dir`;
// PERMISSION_DENIED when others may read it; NOT_FOUND when missing.
absl::StatusOr<std::string> ReadEncryptionKey(const std::string& path,
                                              const std::string& data_dir);

// 16 hexadecimal digits naming `key` without revealing it (in messages and
// file headers).
std::string EncryptionKeyId(absl::string_view key);

// An Env over the default one that encrypts every file it writes and
// decrypts every file it reads under `key` (32 bytes).
absl::StatusOr<std::unique_ptr<rocksdb::Env>> NewEncryptingEnv(
    absl::string_view key);

// OK when the store in `dir` (none yet counts) is encrypted under `key`,
// or plain and `key` is empty; FAILED_PRECONDITION saying what is wrong
// otherwise.
absl::Status CheckStoreEncryption(const std::string& dir,
                                  absl::string_view key);

}  // namespace dibao

#endif  // DIBAO_STORAGE_ENCRYPTION_H_
