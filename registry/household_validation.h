// Checks and normalises a household as a client submitted it.
//
// Thread-safe: pure functions.
#ifndef DIBAO_REGISTRY_HOUSEHOLD_VALIDATION_H_
#define DIBAO_REGISTRY_HOUSEHOLD_VALIDATION_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/civil_time.h"
#include "dibao/v1/registry.pb.h"

namespace dibao {

// One thing wrong with a submitted household.
struct FieldError {
  // Index into household.members, or -1 for a household field.
  int member_index = -1;
  std::string field;
  std::string reason;
};

// Bounds on money fields: well above any real benefit or dibao income, low
// enough that a typo in fen (or a yuan/fen mix-up times 1000) is caught.
inline constexpr int64_t kMaxMonthlyBenefitFen = 10'000'000;  // 100,000 yuan
inline constexpr int64_t kMaxMonthlyIncomeFen = 10'000'000;

// Validates `household` as of `today` and normalises it in place: member IDs
// to their 18-character form (the original kept in id_number_original), sex
// and birth date filled from the ID when missing, members' household_id set,
// categories sorted and de-duplicated, members sorted by ID. Server-set
// fields (version, updated_at, updated_by) are cleared. Returns every
// problem found, empty when the household is acceptable.
std::vector<FieldError> ValidateAndNormalize(v1::Household& household,
                                             absl::CivilDay today);

// One INVALID_ARGUMENT status summarising `errors` (at most a few shown).
absl::Status ToStatus(const v1::Household& household,
                      const std::vector<FieldError>& errors);

}  // namespace dibao

#endif  // DIBAO_REGISTRY_HOUSEHOLD_VALIDATION_H_
