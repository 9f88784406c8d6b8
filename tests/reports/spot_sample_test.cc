// Spot-check samples (matcher/spot_sample): reproducible from the seed,
// different for another seed, stratified, stored with their parameters and
// audit entry, and the errors for bad requests.
#include "reports/spot_sample.h"

#include <cmath>
#include <limits>
#include <map>
#include <set>

#include "base/dates.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "sample/sample_district.h"
#include "storage/audit_log.h"
#include "tests/testing/sample_store.h"

namespace dibao {
namespace {

using ::testing::HasSubstr;

std::vector<std::string> Ids(const v1::SpotCheckSample& s) {
  std::vector<std::string> out;
  for (const auto& h : s.households()) out.push_back(h.household_id());
  return out;
}

v1::DrawSampleRequest Request(double fraction, uint64_t seed,
                              v1::Stratification stratify) {
  v1::DrawSampleRequest r;
  r.set_fraction(fraction);
  r.set_seed(seed);
  r.set_stratify(stratify);
  return r;
}

class SpotSampleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SampleDistrictOptions o;
    o.as_of = testing::kSampleDay;
    auto generated = GenerateSampleDistrict(o);
    ASSERT_TRUE(generated.ok());
    households_ = *std::move(generated);
    ASSERT_TRUE(store_.Upsert(households_).ok());
  }

  testing::TestStore store_{"spot-sample"};
  std::vector<v1::Household> households_;
};

TEST_F(SpotSampleTest, SameSeedSameSampleOtherSeedAnother) {
  const auto r = Request(0.1, 42, v1::STRATIFICATION_STREET);
  auto a = DrawSpotCheckSample(*store_.registry(), r);
  auto b = DrawSpotCheckSample(*store_.registry(), r);
  ASSERT_TRUE(a.ok()) << a.status();
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(Ids(*a), Ids(*b));
  EXPECT_EQ(a->population(), 465);
  auto c = DrawSpotCheckSample(*store_.registry(),
                               Request(0.1, 43, v1::STRATIFICATION_STREET));
  ASSERT_TRUE(c.ok());
  EXPECT_NE(Ids(*a), Ids(*c));
  EXPECT_EQ(a->households_size(), c->households_size());
  EXPECT_EQ(a->method(), kSampleMethod);
}

TEST_F(SpotSampleTest, DependsOnlyOnSeedAndIdsNotOnTheStore) {
  // The same households stored in the opposite order, in another store.
  testing::TestStore other("spot-sample-other");
  std::vector<v1::Household> reversed(households_.rbegin(), households_.rend());
  ASSERT_TRUE(other.Upsert(reversed).ok());
  const auto r = Request(0.25, 7, v1::STRATIFICATION_COMMUNITY);
  auto a = DrawSpotCheckSample(*store_.registry(), r);
  auto b = DrawSpotCheckSample(*other.registry(), r);
  ASSERT_TRUE(a.ok());
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(Ids(*a), Ids(*b));
}

TEST_F(SpotSampleTest, StratifiedProportions) {
  std::map<std::string, int> by_street;
  for (const auto& h : households_) ++by_street[h.street()];
  v1::AreaFilter area;
  area.set_district_code("420102");
  auto r = Request(0.2, 5, v1::STRATIFICATION_STREET);
  *r.mutable_area() = area;
  auto s = DrawSpotCheckSample(*store_.registry(), r);
  ASSERT_TRUE(s.ok()) << s.status();
  ASSERT_EQ(s->strata_size(), static_cast<int>(by_street.size()));
  std::map<std::string, int> drawn;
  for (const auto& h : s->households()) {
    ++drawn[h.street()];
    EXPECT_EQ(h.stratum(), h.street());
  }
  for (const auto& st : s->strata()) {
    const int n = by_street[st.name()];
    EXPECT_EQ(st.population(), n);
    EXPECT_EQ(st.drawn(), static_cast<int>(std::floor(0.2 * n + 0.5)));
    EXPECT_EQ(drawn[st.name()], st.drawn());
  }
  // Within a stratum, in household ID order; no household twice.
  const std::vector<std::string> ids = Ids(*s);
  const std::set<std::string> unique(ids.begin(), ids.end());
  EXPECT_EQ(unique.size(), static_cast<size_t>(s->households_size()));
}

TEST_F(SpotSampleTest, AtLeastOnePerStratumAndAllForFractionOne) {
  auto tiny = DrawSpotCheckSample(
      *store_.registry(), Request(0.0001, 1, v1::STRATIFICATION_COMMUNITY));
  ASSERT_TRUE(tiny.ok());
  for (const auto& st : tiny->strata()) EXPECT_EQ(st.drawn(), 1) << st.name();
  EXPECT_EQ(tiny->households_size(), tiny->strata_size());

  auto all = DrawSpotCheckSample(*store_.registry(),
                                 Request(1.0, 1, v1::STRATIFICATION_NONE));
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->households_size(), 465);
  ASSERT_EQ(all->strata_size(), 1);
  EXPECT_EQ(all->strata(0).name(), "");

  // Unspecified stratification means none.
  auto plain = DrawSpotCheckSample(
      *store_.registry(), Request(0.1, 1, v1::STRATIFICATION_UNSPECIFIED));
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain->stratify(), v1::STRATIFICATION_NONE);
  EXPECT_EQ(plain->households_size(), 47);  // round(46.5)
}

TEST_F(SpotSampleTest, BadRequests) {
  for (double f :
       {0.0, -0.1, 1.0001, 2.0, std::numeric_limits<double>::quiet_NaN()}) {
    auto s = DrawSpotCheckSample(*store_.registry(),
                                 Request(f, 1, v1::STRATIFICATION_NONE));
    EXPECT_EQ(s.status().code(), absl::StatusCode::kInvalidArgument) << f;
  }
  auto s = DrawSpotCheckSample(
      *store_.registry(), Request(0.1, 1, static_cast<v1::Stratification>(9)));
  EXPECT_EQ(s.status().code(), absl::StatusCode::kInvalidArgument);
  auto r = Request(0.1, 1, v1::STRATIFICATION_NONE);
  r.mutable_area()->set_street("东风街道");
  EXPECT_EQ(DrawSpotCheckSample(*store_.registry(), r).status().code(),
            absl::StatusCode::kInvalidArgument);
  r.mutable_area()->set_district_code("110105");
  EXPECT_EQ(DrawSpotCheckSample(*store_.registry(), r).status().code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST_F(SpotSampleTest, StoredWithItsAuditEntryAndReadBack) {
  auto audit = AuditLog::Open(store_.store(), store_.clock());
  ASSERT_TRUE(audit.ok());
  SpotSamples samples(store_.store(), store_.clock(), audit->get());
  const uint64_t audit_before = (*audit)->head_seq();
  auto r = Request(0.1, 42, v1::STRATIFICATION_STREET);
  r.set_note("2026 Q4");
  auto first = samples.Draw(*store_.registry(), r, "clerk-7");
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->sample_seq(), 1);
  EXPECT_EQ(first->drawn_by(), "clerk-7");
  EXPECT_EQ(FromProto(first->drawn_at()), store_.clock()->Now());
  auto second = samples.Draw(
      *store_.registry(), Request(0.5, 9, v1::STRATIFICATION_NONE), "clerk-8");
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->sample_seq(), 2);

  // The same sample comes back, and can be drawn again from its record.
  auto got = samples.Get(1);
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->SerializeAsString(), first->SerializeAsString());
  v1::DrawSampleRequest again;
  *again.mutable_area() = got->area();
  again.set_fraction(got->fraction());
  again.set_seed(got->seed());
  again.set_stratify(got->stratify());
  auto redrawn = DrawSpotCheckSample(*store_.registry(), again);
  ASSERT_TRUE(redrawn.ok());
  EXPECT_EQ(Ids(*redrawn), Ids(*got));

  auto list = samples.List(10);
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].sample_seq(), 2);
  EXPECT_EQ((*list)[1].sample_seq(), 1);
  EXPECT_EQ((*list)[1].note(), "2026 Q4");
  EXPECT_EQ((*list)[1].households_size(), 0);
  EXPECT_EQ((*list)[1].strata_size(), first->strata_size());
  auto one = samples.List(1);
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(one->size(), 1u);

  EXPECT_EQ(samples.Get(3).status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(samples.Get(0).status().code(), absl::StatusCode::kInvalidArgument);

  // One audit entry per sample, naming who and the parameters.
  auto entries = (*audit)->List(audit_before, 10);
  ASSERT_TRUE(entries.ok());
  ASSERT_EQ(entries->size(), 2u);
  EXPECT_EQ((*entries)[0].action(), v1::AUDIT_ACTION_SAMPLE_DRAWN);
  EXPECT_EQ((*entries)[0].actor(), "clerk-7");
  EXPECT_EQ((*entries)[0].ref(), "samples 1");
  EXPECT_THAT((*entries)[0].detail(), HasSubstr("seed 42"));
  EXPECT_THAT((*entries)[0].detail(), HasSubstr("stratified by street"));
  auto verified = (*audit)->Verify();
  ASSERT_TRUE(verified.ok());
  EXPECT_TRUE(verified->ok());

  // Survives a restart, and the numbering goes on.
  audit->reset();
  store_.Reopen();
  SpotSamples reopened(store_.store(), store_.clock());
  auto third = reopened.Draw(*store_.registry(), r, "clerk-7");
  ASSERT_TRUE(third.ok());
  EXPECT_EQ(third->sample_seq(), 3);
  EXPECT_EQ(Ids(*third), Ids(*first));
  EXPECT_EQ(reopened.Draw(*store_.registry(), r, "").status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace dibao
