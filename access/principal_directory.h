// The principals file, read and checked: who may call, with which role,
// for which agency or jurisdiction, and which certificates are revoked.
//
// Immutable once made, so calls on many threads share one; a reload makes
// a new one (services/gatekeeper.h swaps them).
#ifndef DIBAO_ACCESS_PRINCIPAL_DIRECTORY_H_
#define DIBAO_ACCESS_PRINCIPAL_DIRECTORY_H_

#include <memory>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "dibao/v1/access.pb.h"

namespace dibao {

// A certificate serial number as the directory keeps it: hex digits in
// upper case, without colons or leading zeros ("0A:1b" -> "A1B").
std::string NormalizeSerial(absl::string_view serial);

class PrincipalDirectory {
 public:
  // Reads and checks a text-format dibao.v1.Principals file. Errors name
  // the file and the line, or the principal and what is wrong with it.
  static absl::StatusOr<std::shared_ptr<const PrincipalDirectory>> Load(
      const std::string& path);
  // Checks `principals`; `sha256` (hex) names the file it came from.
  static absl::StatusOr<std::shared_ptr<const PrincipalDirectory>> FromProto(
      v1::Principals principals, std::string sha256);
  // Nobody: every call is refused.
  static std::shared_ptr<const PrincipalDirectory> Empty();

  // The principal named `id`, or nullptr.
  const v1::Principal* Find(absl::string_view id) const;
  // True when a certificate with this serial (NormalizeSerial form) was
  // revoked for principal `id`.
  bool Revoked(absl::string_view id, absl::string_view serial) const;

  int size() const { return static_cast<int>(by_id_.size()); }
  const std::string& sha256() const { return sha256_; }

 private:
  PrincipalDirectory() = default;

  absl::flat_hash_map<std::string, v1::Principal> by_id_;
  // "id/serial".
  absl::flat_hash_set<std::string> revoked_;
  std::string sha256_;
};

// Checks one principal; errors start with "principal[i] (id): ".
absl::Status ValidatePrincipals(const v1::Principals& principals);

}  // namespace dibao

#endif  // DIBAO_ACCESS_PRINCIPAL_DIRECTORY_H_
