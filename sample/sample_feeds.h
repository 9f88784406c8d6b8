// The five partner agencies' nightly files for the sample district.
//
// Built from the sample district's households (GenerateSampleDistrict) and
// a few hundred non-beneficiary neighbours, as the agencies would send them
// on the night of `as_of`: every beneficiary has a hukou record; those who
// reported work, a pension, a lay-off or unemployment benefit have the
// matching records, mostly agreeing with what they reported. Planted among
// them are the conflicts dynamic management exists to find (each listed in
// `planted`, so tests of the matching engine know what to expect):
// undeclared employment (a job or an ACTIVE union hardship registration),
// wages and pensions above the reported income, deceased and moved-out
// members, hukou outside the district, a name that disagrees with the
// registry, a residence other than the registered one, cars (above the
// threshold, a disability vehicle, a deregistered one), custody
// (incarcerated, released), recent land compensation, union assistance,
// unemployment benefit about to end, refused training. Facts that must NOT
// raise a flag are planted too (a job that ended, a deregistered car, a
// declared wage that matches).
//
// The files are dirty the way real exports are: some IDs are 15-digit,
// full-width, lower-case x or spaced, and a few lines are invalid (a wrong
// check character, an impossible date, a negative amount, an unknown enum,
// a missing name). Deterministic: the same households and options give the
// same bytes.
#ifndef DIBAO_SAMPLE_SAMPLE_FEEDS_H_
#define DIBAO_SAMPLE_SAMPLE_FEEDS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "dibao/v1/registry.pb.h"
#include "formats/feed_kinds.h"

namespace dibao {

struct SampleFeedsOptions {
  uint64_t seed = 1;
  // The night the files are for (their batches' as_of).
  absl::CivilDay as_of = absl::CivilDay(2026, 11, 1);
  // Non-beneficiaries living in the district who also appear in the feeds.
  int neighbours = 400;
};

struct SampleFeedFile {
  const FeedKindSpec* spec = nullptr;
  std::string batch_id;  // e.g. "LABOUR-EMPLOYMENT-20261101"
  bool snapshot = false;
  // In the drop-directory convention (deploy/nightly.sh):
  // <agency>/<kind>/<as_of>/<batch_id>[.snapshot].csv
  std::string path;
  std::string csv;  // header and rows
  int rows = 0;     // data rows, invalid ones included
  int invalid_rows = 0;
};

// One planted situation: what the feeds say about a beneficiary that the
// registry does not (or, for `expect_flag` false, a fact that must not be
// mistaken for a conflict).
struct PlantedCase {
  std::string household_id;
  // Normalised; empty for a household-level rule.
  std::string id_number;
  std::string rule;  // the matching rule code it should (not) raise
  bool expect_flag = true;
  std::string detail;
};

struct SampleFeeds {
  std::vector<SampleFeedFile> files;  // one per kind, in kind order
  std::vector<PlantedCase> planted;
};

absl::StatusOr<SampleFeeds> GenerateSampleFeeds(
    const std::vector<v1::Household>& households,
    const SampleFeedsOptions& options);

// planted as CSV: household_id,id_number,rule,expect_flag,detail.
std::string PlantedCsv(const std::vector<PlantedCase>& planted);

}  // namespace dibao

#endif  // DIBAO_SAMPLE_SAMPLE_FEEDS_H_
