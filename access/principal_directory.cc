#include "access/principal_directory.h"

#include <fstream>
#include <sstream>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "access/roles.h"
#include "base/free_text.h"
#include "base/sha256.h"
#include "base/text_proto.h"

namespace dibao {
namespace {

bool IsDistrictCode(absl::string_view code) {
  if (code.size() != 6) return false;
  for (char c : code) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

// A jurisdiction is a district, a street in it, or a community in that
// street. The role says which step of the procedure a principal takes, the
// jurisdiction where: a community worker usually names communities, but a
// small district's one worker may cover all of it.
absl::Status CheckJurisdiction(const v1::Jurisdiction& j) {
  if (!IsDistrictCode(j.district_code())) {
    return absl::InvalidArgumentError(
        "district_code must be the district's 6-digit code");
  }
  if (j.street().empty() && !j.community().empty()) {
    return absl::InvalidArgumentError("a community is named with its street");
  }
  return absl::OkStatus();
}

absl::Status CheckPrincipal(const v1::Principal& p) {
  if (absl::Status s = CheckPrincipalId(p.id()); !s.ok()) return s;
  if (p.role() == v1::ROLE_UNSPECIFIED || !v1::Role_IsValid(p.role())) {
    return absl::InvalidArgumentError("role: missing or unknown");
  }
  if (p.role() == v1::ROLE_AGENCY) {
    if (p.agency() == v1::AGENCY_UNSPECIFIED) {
      return absl::InvalidArgumentError(
          "an agency principal names its agency (agency: AGENCY_LABOUR, ...)");
    }
  } else if (p.agency() != v1::AGENCY_UNSPECIFIED) {
    return absl::InvalidArgumentError(absl::StrCat(
        "agency: only for ROLE_AGENCY, not a ", RoleName(p.role())));
  }
  if (IsCaseworkRole(p.role())) {
    if (p.jurisdiction().empty()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "a ", RoleName(p.role()), " needs at least one jurisdiction"));
    }
    for (int i = 0; i < p.jurisdiction_size(); ++i) {
      if (absl::Status s = CheckJurisdiction(p.jurisdiction(i)); !s.ok()) {
        return absl::InvalidArgumentError(
            absl::StrCat("jurisdiction[", i, "]: ", s.message()));
      }
    }
  } else if (!p.jurisdiction().empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "jurisdiction: only for casework roles, not an ", RoleName(p.role())));
  }
  for (const std::string& serial : p.revoked_serial()) {
    const std::string n = NormalizeSerial(serial);
    if (n.empty() ||
        n.find_first_not_of("0123456789ABCDEF") != std::string::npos) {
      return absl::InvalidArgumentError(absl::StrCat(
          "revoked_serial \"", serial,
          "\": not a serial number in hex (openssl x509 -serial prints it)"));
    }
  }
  return absl::OkStatus();
}

}  // namespace

std::string NormalizeSerial(absl::string_view serial) {
  std::string out(serial.size(), '\0');
  size_t n = 0;
  for (char c : serial) {
    if (c == ':' || (n == 0 && c == '0')) continue;
    out[n++] = absl::ascii_toupper(static_cast<unsigned char>(c));
  }
  if (n == 0 && !serial.empty() &&
      serial.find_first_not_of("0:") == absl::string_view::npos) {
    out[n++] = '0';
  }
  out.resize(n);
  return out;
}

absl::Status ValidatePrincipals(const v1::Principals& principals) {
  absl::flat_hash_map<std::string, int> seen;
  for (int i = 0; i < principals.principal_size(); ++i) {
    const v1::Principal& p = principals.principal(i);
    const std::string who = absl::StrCat("principal[", i, "] (", p.id(), ")");
    if (absl::Status s = CheckPrincipal(p); !s.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(who, ": ", s.message()));
    }
    if (auto [it, fresh] = seen.emplace(p.id(), i); !fresh) {
      return absl::InvalidArgumentError(
          absl::StrCat(who, ": the same id as principal[", it->second, "]"));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::shared_ptr<const PrincipalDirectory>>
PrincipalDirectory::Load(const std::string& path) {
  v1::Principals principals;
  if (absl::Status s = ReadTextProto(path, &principals); !s.ok()) {
    if (absl::IsNotFound(s)) {
      return absl::NotFoundError(
          absl::StrCat("cannot read principals file ", path));
    }
    return s;
  }
  // The digest the audit entry records: of the bytes read again, which is
  // what was parsed unless the file changed in between (then the next
  // reload records the change).
  std::ifstream in(path, std::ios::binary);
  std::stringstream bytes;
  bytes << in.rdbuf();
  auto directory =
      FromProto(std::move(principals), Sha256::Hex(Sha256::Of(bytes.str())));
  if (!directory.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": ", directory.status().message()));
  }
  return directory;
}

absl::StatusOr<std::shared_ptr<const PrincipalDirectory>>
PrincipalDirectory::FromProto(v1::Principals principals, std::string sha256) {
  if (absl::Status s = ValidatePrincipals(principals); !s.ok()) return s;
  std::shared_ptr<PrincipalDirectory> d(new PrincipalDirectory());
  d->sha256_ = std::move(sha256);
  for (v1::Principal& p : *principals.mutable_principal()) {
    for (const std::string& serial : p.revoked_serial()) {
      d->revoked_.insert(absl::StrCat(p.id(), "/", NormalizeSerial(serial)));
    }
    std::string id = p.id();
    d->by_id_.emplace(std::move(id), std::move(p));
  }
  return std::shared_ptr<const PrincipalDirectory>(std::move(d));
}

std::shared_ptr<const PrincipalDirectory> PrincipalDirectory::Empty() {
  return std::shared_ptr<const PrincipalDirectory>(new PrincipalDirectory());
}

const v1::Principal* PrincipalDirectory::Find(absl::string_view id) const {
  auto it = by_id_.find(id);
  return it == by_id_.end() ? nullptr : &it->second;
}

bool PrincipalDirectory::Revoked(absl::string_view id,
                                 absl::string_view serial) const {
  return revoked_.contains(absl::StrCat(id, "/", serial));
}

}  // namespace dibao
