// Per-record costs of feed staging, one step at a time (Google Benchmark):
// validation (with the natural key), serialisation, fingerprint, and the
// whole Stage.
//
//   build/bench/staging_bench
#include <benchmark/benchmark.h>

#include "base/dates.h"
#include "base/resident_id.h"
#include "base/sha256.h"
#include "feeds/internal/feed_staging.h"
#include "feeds/internal/feed_validation.h"
#include "formats/feed_kinds.h"

namespace dibao {
namespace {

const absl::CivilDay kToday(2026, 11, 26);

v1::FeedRecord Employment() {
  v1::FeedRecord r;
  r.set_id_number(
      "42010219800101123" +
      std::string(1, ResidentIdCheckCharacter("42010219800101123")));
  r.set_name("测试人员");
  auto* e = r.mutable_employment();
  e->set_employer_code("91420100E0001");
  e->set_employer_name("武汉某某有限公司");
  *e->mutable_start_date() = ToProto(absl::CivilDay(2019, 5, 1));
  e->set_monthly_wage_fen(350000);
  return r;
}

const FeedKindSpec& Spec() { return *FindFeedKind(v1::FEED_KIND_EMPLOYMENT); }

void BM_Validate(benchmark::State& state) {
  v1::FeedRecord r = Employment();
  for (auto _ : state) {
    benchmark::DoNotOptimize(ValidateFeedRecord(Spec(), r, kToday));
  }
}
BENCHMARK(BM_Validate);

// The staging path's checks: identity on the message, fields on the bytes
// (with the natural key).
void BM_ValidateStaged(benchmark::State& state) {
  v1::FeedRecord r = Employment();
  const std::string bytes = r.SerializeAsString();
  std::vector<RecordError> errors;
  std::string key;
  for (auto _ : state) {
    errors.clear();
    ValidateFeedIdentity(Spec(), r, kToday, &errors);
    ValidateFeedFields(Spec(), bytes, false, &errors, &key);
    benchmark::DoNotOptimize(key);
  }
}
BENCHMARK(BM_ValidateStaged);

void BM_ParseResidentId(benchmark::State& state) {
  const std::string id = Employment().id_number();
  for (auto _ : state) {
    benchmark::DoNotOptimize(ParseResidentId(id, kToday));
  }
}
BENCHMARK(BM_ParseResidentId);

void BM_Serialize(benchmark::State& state) {
  v1::FeedRecord r = Employment();
  std::string bytes;
  for (auto _ : state) {
    r.SerializeToString(&bytes);
    benchmark::DoNotOptimize(bytes);
  }
}
BENCHMARK(BM_Serialize);

void BM_Fingerprint(benchmark::State& state) {
  const std::string bytes = Employment().SerializeAsString();
  unsigned char digest[32];
  for (auto _ : state) {
    Sha256::Of(bytes, digest);
    benchmark::DoNotOptimize(digest);
  }
}
BENCHMARK(BM_Fingerprint);

// What BM_Stage spends restoring its input; subtract it.
void BM_CopyRecord(benchmark::State& state) {
  const v1::FeedRecord original = Employment();
  v1::FeedRecord r;
  for (auto _ : state) {
    r = original;
    benchmark::DoNotOptimize(r);
  }
}
BENCHMARK(BM_CopyRecord);

void BM_Stage(benchmark::State& state) {
  const v1::FeedRecord original = Employment();
  v1::FeedRecord r;
  StagedRecords staged;
  int64_t position = 0;
  for (auto _ : state) {
    r = original;
    staged.Stage(Spec(), kToday, ++position, r);
    if (staged.size() == 1000) staged.Clear();
  }
}
BENCHMARK(BM_Stage);

}  // namespace
}  // namespace dibao

BENCHMARK_MAIN();
