// The console's user list and its passwords: salted, deliberately slow
// Argon2id hashes from libsodium (crypto_pwhash_str), so a copied user file
// does not give the passwords away.
//
// ConsoleUsers is immutable once loaded: SignIn() may be called from many
// threads at once. Each call costs one Argon2id verification (about 64 MiB
// and tens of milliseconds), also for an unknown user, so the answer's
// timing does not tell which IDs exist.
#ifndef DIBAO_CONSOLE_USERS_USERS_FILE_H_
#define DIBAO_CONSOLE_USERS_USERS_FILE_H_

#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "dibao/v1/console.pb.h"

namespace dibao {

// Shortest password accepted by HashPassword.
inline constexpr int kMinPasswordLength = 10;

// An Argon2id hash string of `password` with a fresh random salt.
// INVALID_ARGUMENT when the password is shorter than kMinPasswordLength
// characters (bytes of UTF-8).
absl::StatusOr<std::string> HashPassword(absl::string_view password);

// True when `password` matches `hash` (a HashPassword string).
bool PasswordMatches(absl::string_view hash, absl::string_view password);

// A user's ID is a principal ID (base/free_text.h: CheckPrincipalId): the
// same person is the same principal in the console and over gRPC.

// Checks a parsed list: IDs valid and unique, every hash a libsodium
// Argon2id string. Errors name the user: "user[2] (wang.li): ...".
absl::Status ValidateConsoleUsers(const v1::ConsoleUsers& users);

class ConsoleUsers {
 public:
  // Reads and validates a text-format dibao.v1.ConsoleUsers file. Errors
  // name the file, and the line or user at fault.
  static absl::StatusOr<ConsoleUsers> Load(const std::string& path);
  static absl::StatusOr<ConsoleUsers> FromProto(v1::ConsoleUsers users);

  // The user, when `id` names an enabled user whose password is `password`.
  // UNAUTHENTICATED otherwise, with the same message whatever was wrong.
  absl::StatusOr<v1::ConsoleUser> SignIn(absl::string_view id,
                                         absl::string_view password) const;

  int size() const { return static_cast<int>(by_id_.size()); }

 private:
  absl::flat_hash_map<std::string, v1::ConsoleUser> by_id_;
};

}  // namespace dibao

#endif  // DIBAO_CONSOLE_USERS_USERS_FILE_H_
