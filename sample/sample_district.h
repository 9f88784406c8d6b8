// A deterministic sample district shaped like District X in DOMAIN.md.
//
// The report's own figures: 465 households, 1013 persons; Table 1 by reported
// identity (employed 55, laid-off 47, unemployed 56, retired 22, civil-affairs
// 64, student 223, other 546); Table 2 by age band and sex as of `as_of`
// (under 18: 127 M + 128 F; working age, men 18-59 and women 18-54: 284 M +
// 302 F; above: 82 M + 90 F); 69 disabled (46 M, 23 F). Every ID is valid;
// every ACTIVE household's benefit is the top-up (standard - per-capita
// reported income) x members under a 205 yuan standard.
//
// The same options give the same households, byte for byte, on any machine:
// randomness comes from std::mt19937_64 (fully specified by the standard)
// and our own bounded draws, never from implementation-defined distributions.
#ifndef DIBAO_SAMPLE_SAMPLE_DISTRICT_H_
#define DIBAO_SAMPLE_SAMPLE_DISTRICT_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "dibao/v1/registry.pb.h"

namespace dibao {

struct SampleDistrictOptions {
  uint64_t seed = 1;
  // Ages (and so Table 2) are computed on this day; birth dates keep at
  // least 40 days away from every band boundary so the tables stay true for
  // a month after generation.
  absl::CivilDay as_of = absl::CivilDay(2026, 11, 1);
  // 6-digit administrative code of the district; its first two digits must
  // be a province code.
  std::string district_code = "420102";
  // Local standard in fen per person per month.
  int64_t standard_fen = 20500;
};

// Households sorted by household_id, each with its members sorted by
// id_number, all ACTIVE, ready to import.
absl::StatusOr<std::vector<dibao::v1::Household>> GenerateSampleDistrict(
    const SampleDistrictOptions& options);

}  // namespace dibao

#endif  // DIBAO_SAMPLE_SAMPLE_DISTRICT_H_
