// The bureau's dibao policy: loading it, checking it, and the look-ups the
// engine makes in it.
//
// A policy is a dibao.v1.Policy in protobuf text format. LoadPolicy refuses
// a file that would make the engine guess (no standard for a district, a
// negative amount, two standards for the same district and day) with every
// problem at its line: "policy.textproto:14:3: standards[1]: ...".
//
// Thread-safe: a loaded Policy is immutable.
#ifndef DIBAO_MATCHER_POLICY_H_
#define DIBAO_MATCHER_POLICY_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "base/text_proto.h"
#include "dibao/v1/policy.pb.h"

namespace dibao {

// Every problem of `policy`, one per line, each prefixed by where it is
// (`locator`, or just the field path when none is given). OK when none.
absl::Status ValidatePolicy(const v1::Policy& policy,
                            const TextLocator* locator = nullptr);

// Reads and validates a policy file.
absl::StatusOr<v1::Policy> LoadPolicy(const std::string& path);
// Parses and validates policy text; `name` stands for its file in messages.
absl::StatusOr<v1::Policy> ParsePolicy(absl::string_view text,
                                       const std::string& name);

// The monthly standard for `district_code` on `day`: the district's own
// line with the latest effective_from on or before `day`, else the "*"
// line's. NOT_FOUND (naming district and day) when neither has one yet.
absl::StatusOr<int64_t> StandardOn(const v1::Policy& policy,
                                   absl::string_view district_code,
                                   absl::CivilDay day);

// True when some standard takes effect in (after, through]: every household
// must then be re-assessed.
bool StandardChangesBetween(const v1::Policy& policy, absl::CivilDay after,
                            absl::CivilDay through);

// The supplement of one category (0 when the policy has none).
int64_t SupplementFor(const v1::Policy& policy, v1::Category category);

// The flags policy with its defaults applied (policy.proto, FlagPolicy):
// how long a resolved flag may come back as itself, how much a decided
// flag's evidence may grow before it is reopened, and how far a household
// must pass an income rule before its open flag resolves.
int ReopenWindowDays(const v1::Policy& policy);
int64_t MaterialChangeFen(const v1::Policy& policy);
int64_t ResolveMarginFen(const v1::Policy& policy);

// `day` moved by whole months, clamped to the end of shorter months
// (31 March - 1 month = 28/29 February).
absl::CivilDay AddMonths(absl::CivilDay day, int months);

}  // namespace dibao

#endif  // DIBAO_MATCHER_POLICY_H_
