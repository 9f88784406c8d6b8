#include "storage/encryption.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "base/aes_ctr.h"
#include "base/sha256.h"
#include "rocksdb/env_encryption.h"

namespace dibao {
namespace {

// The header of every encrypted file: the marker, the key's ID (8 bytes)
// and the file's nonce (16 bytes), the rest zero up to kPrefixBytes. A page,
// so that the data behind it stays page-aligned.
constexpr char kMarker[] = "dibao-audit AES-256-CTR v1\n";
constexpr size_t kMarkerBytes = sizeof(kMarker) - 1;
constexpr size_t kKeyIdBytes = 8;
constexpr size_t kPrefixBytes = 4096;

std::string KeyIdBytes(absl::string_view key) {
  return Sha256::Of(absl::StrCat("dibao-audit key id\n", key))
      .substr(0, kKeyIdBytes);
}

// The key ID in a file's first bytes; empty when they are not our header.
std::string KeyIdInHeader(absl::string_view header) {
  if (header.size() < kMarkerBytes + kKeyIdBytes ||
      header.substr(0, kMarkerBytes) != kMarker) {
    return "";
  }
  return std::string(header.substr(kMarkerBytes, kKeyIdBytes));
}

class CtrStream : public rocksdb::BlockAccessCipherStream {
 public:
  explicit CtrStream(AesCtr cipher) : cipher_(std::move(cipher)) {}
  size_t BlockSize() override { return 16; }
  // The whole range at once, from its offset: no per-block calls.
  rocksdb::Status Encrypt(uint64_t offset, char* data, size_t n) override {
    return Apply(offset, data, n);
  }
  rocksdb::Status Decrypt(uint64_t offset, char* data, size_t n) override {
    return Apply(offset, data, n);
  }

 protected:
  void AllocateScratch(std::string&) override {}
  rocksdb::Status EncryptBlock(uint64_t index, char* data, char*) override {
    return Apply(index * 16, data, 16);
  }
  rocksdb::Status DecryptBlock(uint64_t index, char* data, char*) override {
    return Apply(index * 16, data, 16);
  }

 private:
  rocksdb::Status Apply(uint64_t offset, char* data, size_t n) {
    const absl::Status s = cipher_.Apply(offset, data, n);
    return s.ok() ? rocksdb::Status::OK()
                  : rocksdb::Status::IOError(std::string(s.message()));
  }
  const AesCtr cipher_;
};

class CtrProvider : public rocksdb::EncryptionProvider {
 public:
  explicit CtrProvider(std::string key)
      : key_(std::move(key)), key_id_(KeyIdBytes(key_)) {}

  const char* Name() const override { return "DibaoAes256Ctr"; }
  size_t GetPrefixLength() const override { return kPrefixBytes; }

  rocksdb::Status CreateNewPrefix(const std::string& fname, char* prefix,
                                  size_t length) const override {
    if (length < kMarkerBytes + kKeyIdBytes + AesCtr::kNonceBytes) {
      return rocksdb::Status::InvalidArgument("encryption header too short");
    }
    absl::StatusOr<std::string> nonce =
        AesCtr::RandomBytes(AesCtr::kNonceBytes);
    if (!nonce.ok()) {
      return rocksdb::Status::IOError(fname,
                                      std::string(nonce.status().message()));
    }
    std::memset(prefix, 0, length);
    std::memcpy(prefix, kMarker, kMarkerBytes);
    std::memcpy(prefix + kMarkerBytes, key_id_.data(), kKeyIdBytes);
    std::memcpy(prefix + kMarkerBytes + kKeyIdBytes, nonce->data(),
                nonce->size());
    return rocksdb::Status::OK();
  }

  rocksdb::Status AddCipher(const std::string&, const char*, size_t,
                            bool) override {
    return rocksdb::Status::NotSupported("one key, given at start");
  }

  rocksdb::Status CreateCipherStream(
      const std::string& fname, const rocksdb::EnvOptions&,
      rocksdb::Slice& prefix,
      std::unique_ptr<rocksdb::BlockAccessCipherStream>* result) override {
    const absl::string_view header(prefix.data(), prefix.size());
    const std::string id = KeyIdInHeader(header);
    if (id.empty()) {
      return rocksdb::Status::Corruption(
          fname, "not encrypted by dibao-audit (no encryption header)");
    }
    if (id != key_id_) {
      return rocksdb::Status::InvalidArgument(
          fname,
          absl::StrCat("encrypted with key ", absl::BytesToHexString(id),
                       ", not with key ", absl::BytesToHexString(key_id_)));
    }
    absl::StatusOr<AesCtr> cipher = AesCtr::Create(
        key_, header.substr(kMarkerBytes + kKeyIdBytes, AesCtr::kNonceBytes));
    if (!cipher.ok()) {
      return rocksdb::Status::InvalidArgument(
          std::string(cipher.status().message()));
    }
    *result = std::make_unique<CtrStream>(*std::move(cipher));
    return rocksdb::Status::OK();
  }

 private:
  const std::string key_;
  const std::string key_id_;
};

}  // namespace

absl::StatusOr<std::string> ReadEncryptionKey(const std::string& path,
                                              const std::string& data_dir) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) {
    return absl::NotFoundError(absl::StrCat(
        "encryption key file ", path, ": ", std::strerror(errno),
        " (make one with: openssl rand -hex 32 > FILE; chmod 600 FILE)"));
  }
  if ((st.st_mode & 077) != 0) {
    return absl::PermissionDeniedError(absl::StrCat(
        "encryption key file ", path, " may be read by others (mode ",
        absl::StrFormat("%04o", st.st_mode & 0777), "): chmod 600 ", path));
  }
  std::error_code ec;
  const std::filesystem::path key_path =
      std::filesystem::weakly_canonical(path, ec);
  const std::filesystem::path dir =
      std::filesystem::weakly_canonical(data_dir, ec);
  if (!dir.empty()) {
    const std::string k = key_path.string(), d = dir.string() + "/";
    if (k.compare(0, d.size(), d) == 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("encryption key file ", path,
                       " lies inside the data directory ", data_dir,
                       ": keep it elsewhere (data and key together protect "
                       "nothing)"));
    }
  }
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  const std::string hex(absl::StripAsciiWhitespace(text.str()));
  bool all_hex = hex.size() == 2 * AesCtr::kKeyBytes;
  for (char c : hex) all_hex = all_hex && absl::ascii_isxdigit(c);
  if (!in || !all_hex) {
    return absl::InvalidArgumentError(absl::StrCat(
        "encryption key file ", path, " must hold ", 2 * AesCtr::kKeyBytes,
        " hexadecimal digits (openssl rand -hex 32)"));
  }
  return absl::HexStringToBytes(hex);
}

std::string EncryptionKeyId(absl::string_view key) {
  return absl::BytesToHexString(KeyIdBytes(key));
}

absl::StatusOr<std::unique_ptr<rocksdb::Env>> NewEncryptingEnv(
    absl::string_view key) {
  if (key.size() != AesCtr::kKeyBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("an encryption key is ", AesCtr::kKeyBytes, " bytes"));
  }
  auto provider = std::make_shared<CtrProvider>(std::string(key));
  return std::unique_ptr<rocksdb::Env>(
      rocksdb::NewEncryptedEnv(rocksdb::Env::Default(), provider));
}

absl::Status CheckStoreEncryption(const std::string& dir,
                                  absl::string_view key) {
  // CURRENT is the first file RocksDB reads: its header says it all.
  std::ifstream in(dir + "/CURRENT", std::ios::binary);
  if (!in) return absl::OkStatus();  // no store yet
  std::string header(kMarkerBytes + kKeyIdBytes, '\0');
  in.read(header.data(), static_cast<std::streamsize>(header.size()));
  header.resize(static_cast<size_t>(in.gcount()));
  const std::string id = KeyIdInHeader(header);
  if (id.empty() && key.empty()) return absl::OkStatus();
  if (id.empty()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "data directory ", dir,
        " was written without encryption: an encryption key applies to a "
        "new data directory (docs/operating.md, encryption at rest)"));
  }
  if (key.empty()) {
    return absl::FailedPreconditionError(
        absl::StrCat("data directory ", dir, " is encrypted (key ",
                     absl::BytesToHexString(id),
                     "): start with its key file (--encryption_key_file, "
                     "store.encryption_key_file)"));
  }
  if (id != KeyIdBytes(key)) {
    return absl::FailedPreconditionError(absl::StrCat(
        "data directory ", dir, " is encrypted with key ",
        absl::BytesToHexString(id), ", and the key file holds key ",
        EncryptionKeyId(key), ": use the key the directory was made with"));
  }
  return absl::OkStatus();
}

}  // namespace dibao
