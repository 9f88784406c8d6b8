#include "sample/sample_feeds.h"

#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "base/resident_id.h"
#include "feeds/internal/feed_validation.h"
#include "formats/feed_format.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "sample/sample_district.h"
#include "storage/keys.h"

namespace dibao {
namespace {

const absl::CivilDay kAsOf(2026, 11, 1);

// The natural key built from the message through reflection: an oracle,
// independent of the wire walk in ValidateFeedFields that staging uses.
std::string NaturalKeyOf(const FeedKindSpec& spec, const v1::FeedRecord& r) {
  using google::protobuf::FieldDescriptor;
  const auto& sub = r.GetReflection()->GetMessage(r, spec.record_field());
  const auto* refl = sub.GetReflection();
  std::string out;
  for (const FieldDescriptor* f : spec.key_descriptors()) {
    switch (f->cpp_type()) {
      case FieldDescriptor::CPPTYPE_STRING:
        keys::AppendNaturalKeyString(refl->GetString(sub, f), &out);
        break;
      case FieldDescriptor::CPPTYPE_ENUM:
        keys::AppendNaturalKeyEnum(refl->GetEnumValue(sub, f), &out);
        break;
      case FieldDescriptor::CPPTYPE_MESSAGE:
        if (f->message_type() == v1::Date::descriptor()) {
          const auto& d =
              static_cast<const v1::Date&>(refl->GetMessage(sub, f));
          keys::AppendNaturalKeyDate(d.year(), d.month(), d.day(), &out);
        } else {
          const auto& m =
              static_cast<const v1::Month&>(refl->GetMessage(sub, f));
          keys::AppendNaturalKeyMonth(m.year(), m.month(), &out);
        }
        break;
      default:
        ADD_FAILURE() << "key field of an unexpected type: " << f->name();
    }
  }
  return out;
}
const absl::CivilDay kToday(2026, 11, 26);

class SampleFeedsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    SampleDistrictOptions d;
    d.as_of = kAsOf;
    households_ = new std::vector<v1::Household>(*GenerateSampleDistrict(d));
    SampleFeedsOptions f;
    f.as_of = kAsOf;
    feeds_ = new SampleFeeds(*GenerateSampleFeeds(*households_, f));
  }
  static void TearDownTestSuite() {
    delete households_;
    delete feeds_;
  }

  // Every record of every file as the server would see it: read like
  // `dibaoctl feed push`, then validated.
  struct Read {
    std::map<v1::FeedKind, std::vector<v1::FeedRecord>> accepted;
    int unreadable = 0;
    int refused = 0;
    std::vector<std::string> spellings;  // IDs that needed normalising
  };
  static Read ReadAll() {
    Read out;
    for (const SampleFeedFile& f : feeds_->files) {
      std::istringstream in(f.csv);
      absl::Status s = ReadFeedRecords(
          in, FileFormat::kCsv, *f.spec,
          [&](int64_t, v1::FeedRecord r) {
            if (!ValidateFeedRecord(*f.spec, r, kToday).empty()) {
              ++out.refused;
              return;
            }
            if (!r.id_number_original().empty()) {
              out.spellings.push_back(r.id_number_original());
            }
            out.accepted[f.spec->kind].push_back(std::move(r));
          },
          [&](RowError) { ++out.unreadable; });
      EXPECT_TRUE(s.ok()) << f.path << ": " << s;
    }
    return out;
  }

  static std::vector<v1::Household>* households_;
  static SampleFeeds* feeds_;
};

std::vector<v1::Household>* SampleFeedsTest::households_ = nullptr;
SampleFeeds* SampleFeedsTest::feeds_ = nullptr;

TEST_F(SampleFeedsTest, OneFilePerKindInTheDropDirectoryLayout) {
  ASSERT_EQ(feeds_->files.size(), 13u);
  std::set<v1::FeedKind> kinds;
  for (const SampleFeedFile& f : feeds_->files) {
    kinds.insert(f.spec->kind);
    EXPECT_EQ(f.path, absl::StrCat(AgencyName(f.spec->agency), "/",
                                   f.spec->name, "/2026-11-01/", f.batch_id,
                                   f.snapshot ? ".snapshot" : "", ".csv"));
    EXPECT_TRUE(absl::StartsWith(f.csv, FeedCsvHeader(*f.spec)));
  }
  EXPECT_EQ(kinds.size(), 13u);
}

TEST_F(SampleFeedsTest, SameInputsGiveTheSameBytes) {
  SampleFeedsOptions f;
  f.as_of = kAsOf;
  auto again = GenerateSampleFeeds(*households_, f);
  ASSERT_TRUE(again.ok());
  for (size_t i = 0; i < again->files.size(); ++i) {
    EXPECT_EQ(again->files[i].csv, feeds_->files[i].csv);
  }
  f.seed = 2;
  EXPECT_NE(GenerateSampleFeeds(*households_, f)->files[0].csv,
            feeds_->files[0].csv);
}

TEST_F(SampleFeedsTest, DirtyIdsNormaliseAndOnlyThePlantedLinesAreBad) {
  const Read read = ReadAll();
  int invalid = 0;
  for (const SampleFeedFile& f : feeds_->files) invalid += f.invalid_rows;
  EXPECT_EQ(invalid, 5);
  EXPECT_EQ(read.unreadable + read.refused, invalid);
  // Every kind of messy spelling occurs, and all were accepted.
  auto any = [&](auto pred) {
    return std::any_of(read.spellings.begin(), read.spellings.end(), pred);
  };
  EXPECT_TRUE(any([](const std::string& s) { return s.size() == 15; }));
  EXPECT_TRUE(
      any([](const std::string& s) { return absl::StrContains(s, " "); }));
  EXPECT_TRUE(any([](const std::string& s) {
    return absl::StrContains(s, "\xEF\xBC");  // full-width
  }));
}

TEST_F(SampleFeedsTest,
       EveryBeneficiaryHasHukouAndEveryPlantedCaseIsInTheFiles) {
  const Read read = ReadAll();
  std::map<std::string, std::string> household_of;
  for (const auto& h : *households_) {
    for (const auto& m : h.members())
      household_of[m.id_number()] = h.household_id();
  }
  std::map<std::string, const v1::FeedRecord*> hukou;
  for (const auto& r : read.accepted.at(v1::FEED_KIND_HUKOU)) {
    hukou[r.id_number()] = &r;
  }
  for (const auto& [id, household] : household_of) {
    EXPECT_TRUE(hukou.count(id))
        << "no hukou record for a member of " << household;
  }
  auto facts_about = [&](const std::string& id) {
    int n = 0;
    for (const auto& [kind, records] : read.accepted) {
      for (const auto& r : records) n += r.id_number() == id;
    }
    return n;
  };
  ASSERT_GE(feeds_->planted.size(), 40u);
  std::set<std::string> rules;
  for (const PlantedCase& c : feeds_->planted) {
    rules.insert(c.rule);
    if (c.id_number.empty()) {
      // Household-level: another case of the same household names the
      // member behind it.
      EXPECT_TRUE(std::any_of(feeds_->planted.begin(), feeds_->planted.end(),
                              [&](const PlantedCase& o) {
                                return o.household_id == c.household_id &&
                                       !o.id_number.empty();
                              }))
          << c.detail;
      continue;
    }
    EXPECT_EQ(household_of[c.id_number], c.household_id) << c.detail;
    // Cases of the hukou itself are in the record every member has; the
    // others add a record of their own.
    const bool in_hukou = c.rule == "DECEASED_MEMBER" ||
                          c.rule == "MOVED_OUT" ||
                          c.rule == "IDENTITY_MISMATCH";
    EXPECT_GE(facts_about(c.id_number), in_hukou ? 1 : 2)
        << c.rule << ": " << c.detail;
  }
  for (const char* rule :
       {"UNDECLARED_EMPLOYMENT", "INCOME_UNDERREPORTED", "DECEASED_MEMBER",
        "INCARCERATED_MEMBER", "MOVED_OUT", "RESIDENCE_MISMATCH",
        "VEHICLE_OWNED", "PROPERTY_HOLDING", "LAND_COMPENSATION",
        "IDENTITY_MISMATCH", "HOUSEHOLD_INCOME_ABOVE_STANDARD",
        "REFUSED_TRAINING", "UNEMPLOYMENT_BENEFIT_ENDING",
        "RELEASED_FROM_CUSTODY"}) {
    EXPECT_TRUE(rules.count(rule)) << rule;
  }
  const auto& deceased = std::find_if(
      feeds_->planted.begin(), feeds_->planted.end(),
      [](const PlantedCase& c) { return c.rule == "DECEASED_MEMBER"; });
  EXPECT_EQ(hukou.at(deceased->id_number)->hukou().status(),
            v1::HUKOU_STATUS_DECEASED);
}

// Staging reads the natural key off the serialized record; it must be the
// same bytes as the key built from the message (stored keys depend on it).
TEST_F(SampleFeedsTest, NaturalKeysFromBytesMatchKeysFromMessages) {
  const Read read = ReadAll();
  int checked = 0;
  for (const auto& [kind, records] : read.accepted) {
    const FeedKindSpec& spec = *FindFeedKind(kind);
    for (const v1::FeedRecord& r : records) {
      std::vector<RecordError> errors;
      std::string from_bytes;
      ValidateFeedFields(spec, r.SerializeAsString(), false, &errors,
                         &from_bytes);
      ASSERT_TRUE(errors.empty()) << spec.name << ": " << errors[0].reason;
      ASSERT_EQ(from_bytes, NaturalKeyOf(spec, r)) << spec.name;
      ++checked;
    }
  }
  EXPECT_EQ(read.accepted.size(), 13u);
  EXPECT_GT(checked, 2000);
}

TEST_F(SampleFeedsTest, NeighboursWhoAreNotBeneficiariesAppearToo) {
  const Read read = ReadAll();
  std::set<std::string> members;
  for (const auto& h : *households_) {
    for (const auto& m : h.members()) members.insert(m.id_number());
  }
  int others = 0;
  for (const auto& r : read.accepted.at(v1::FEED_KIND_HUKOU)) {
    others += !members.count(r.id_number());
  }
  EXPECT_GE(others, 300);
}

}  // namespace
}  // namespace dibao
