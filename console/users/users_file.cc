#include "console/users/users_file.h"

#include <sodium.h>

#include <string>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "base/free_text.h"
#include "base/status_macros.h"
#include "base/text_proto.h"

namespace dibao {
namespace {

// libsodium's "interactive" limits: about 64 MiB and tens of milliseconds
// per hash on one core, its recommendation for online sign-in.
constexpr unsigned long long kOpsLimit = crypto_pwhash_OPSLIMIT_INTERACTIVE;
constexpr size_t kMemLimit = crypto_pwhash_MEMLIMIT_INTERACTIVE;

bool SodiumReady() {
  // sodium_init() is thread-safe and idempotent; 1 means "already done".
  static const bool ready = sodium_init() >= 0;
  return ready;
}

bool IsArgon2Hash(const std::string& hash) {
  return SodiumReady() && hash.rfind("$argon2id$", 0) == 0 &&
         crypto_pwhash_str_needs_rehash(hash.c_str(), kOpsLimit, kMemLimit) !=
             -1;
}

// A hash no password is known for: an unknown user's sign-in verifies
// against it, so it takes as long as a known user's.
const std::string& DecoyHash() {
  static const std::string* decoy = [] {
    unsigned char secret[32];
    randombytes_buf(secret, sizeof secret);
    char out[crypto_pwhash_STRBYTES];
    if (crypto_pwhash_str(out, reinterpret_cast<const char*>(secret),
                          sizeof secret, kOpsLimit, kMemLimit) != 0) {
      return new std::string();
    }
    return new std::string(out);
  }();
  return *decoy;
}

}  // namespace

absl::StatusOr<std::string> HashPassword(absl::string_view password) {
  if (password.size() < static_cast<size_t>(kMinPasswordLength)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "the password must have at least ", kMinPasswordLength, " characters"));
  }
  if (!SodiumReady()) return absl::InternalError("libsodium did not start");
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str(out, password.data(), password.size(), kOpsLimit,
                        kMemLimit) != 0) {
    return absl::ResourceExhaustedError(
        "not enough memory to hash the password");
  }
  return std::string(out);
}

bool PasswordMatches(absl::string_view hash, absl::string_view password) {
  if (!SodiumReady() || hash.empty()) return false;
  const std::string terminated(hash);  // libsodium wants a C string
  return crypto_pwhash_str_verify(terminated.c_str(), password.data(),
                                  password.size()) == 0;
}

absl::Status ValidateConsoleUsers(const v1::ConsoleUsers& users) {
  absl::flat_hash_map<std::string, int> seen;
  for (int i = 0; i < users.user_size(); ++i) {
    const v1::ConsoleUser& u = users.user(i);
    const std::string who = absl::StrCat("user[", i, "] (", u.id(), ")");
    if (absl::Status s = CheckPrincipalId(u.id()); !s.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(who, ": ", s.message()));
    }
    if (auto [it, fresh] = seen.emplace(u.id(), i); !fresh) {
      return absl::InvalidArgumentError(
          absl::StrCat(who, ": the same id as user[", it->second, "]"));
    }
    if (!IsArgon2Hash(u.password_hash())) {
      return absl::InvalidArgumentError(absl::StrCat(
          who,
          ": password_hash is not an Argon2id hash string (write it with "
          "`dibaoctl user add`)"));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<ConsoleUsers> ConsoleUsers::Load(const std::string& path) {
  v1::ConsoleUsers users;
  RETURN_IF_ERROR(ReadTextProto(path, &users));
  auto loaded = FromProto(std::move(users));
  if (!loaded.ok()) {
    return absl::Status(loaded.status().code(),
                        absl::StrCat(path, ": ", loaded.status().message()));
  }
  return loaded;
}

absl::StatusOr<ConsoleUsers> ConsoleUsers::FromProto(v1::ConsoleUsers users) {
  RETURN_IF_ERROR(ValidateConsoleUsers(users));
  ConsoleUsers out;
  for (v1::ConsoleUser& u : *users.mutable_user()) {
    std::string id = u.id();
    out.by_id_.emplace(std::move(id), std::move(u));
  }
  return out;
}

absl::StatusOr<v1::ConsoleUser> ConsoleUsers::SignIn(
    absl::string_view id, absl::string_view password) const {
  auto it = by_id_.find(id);
  const bool known = it != by_id_.end();
  // Verify even for an unknown or disabled user: same cost, same answer.
  const bool matches = PasswordMatches(
      known ? it->second.password_hash() : DecoyHash(), password);
  if (!known || !matches || it->second.disabled()) {
    return absl::UnauthenticatedError("wrong user ID or password");
  }
  return it->second;
}

}  // namespace dibao
