// The public posting list (matcher/posting_list): masking of names and IDs,
// the head of household, and that no full ID, birth date or full name
// reaches the list, over many generated households.
#include "reports/posting_list.h"

#include <regex>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "base/resident_id.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "sample/sample_district.h"
#include "tests/testing/sample_store.h"

namespace dibao {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(MaskNameForPostingTest, ByCodePointNotByte) {
  EXPECT_EQ(MaskNameForPosting("张"), "*");
  EXPECT_EQ(MaskNameForPosting("张伟"), "张*");
  EXPECT_EQ(MaskNameForPosting("张小明"), "张*明");
  EXPECT_EQ(MaskNameForPosting("欧阳小明"), "欧**明");
  EXPECT_EQ(MaskNameForPosting("阿卜杜·热合曼"), "阿*****曼");
  EXPECT_EQ(MaskNameForPosting(" 李娜 "), "李*");
  EXPECT_EQ(MaskNameForPosting("Li"), "L*");
  EXPECT_EQ(MaskNameForPosting("Anna"), "A**a");
  EXPECT_EQ(MaskNameForPosting(""), "*");
  // Not UTF-8: nothing of it is shown.
  EXPECT_EQ(MaskNameForPosting("\xe5\xbc\xa0\xff\xfe"), "*");
  // A supplementary-plane character counts as one.
  EXPECT_EQ(MaskNameForPosting("\xf0\xa0\x80\x80伟"), "\xf0\xa0\x80\x80*");
}

TEST(MaskIdForPostingTest, HidesBirthDateAndSequence) {
  EXPECT_EQ(MaskIdForPosting("420102199003074513"), "420102***********3");
  EXPECT_EQ(MaskIdForPosting("11010519491231002X"), "110105***********X");
  // Old 15-digit numbers: address, YYMMDD, 3-digit sequence.
  EXPECT_EQ(MaskIdForPosting("420102900307451"), "420102*********");
  EXPECT_EQ(MaskIdForPosting("12345"), "*****");
  for (const std::string id : {"420102900307451", "420102199003074513"}) {
    const std::string masked = MaskIdForPosting(id);
    EXPECT_THAT(masked, Not(HasSubstr("900307")));
    EXPECT_THAT(masked, Not(HasSubstr("0307")));
    EXPECT_THAT(masked, Not(HasSubstr("451")));
    EXPECT_EQ(masked.size(), id.size());
  }
}

v1::Member M(const std::string& id, const std::string& relation, int year) {
  v1::Member m;
  m.set_id_number(id);
  m.set_relation(relation);
  m.mutable_birth_date()->set_year(year);
  m.mutable_birth_date()->set_month(1);
  m.mutable_birth_date()->set_day(1);
  return m;
}

TEST(HeadOfHouseholdTest, RelationThenOldest) {
  v1::Household h;
  *h.add_members() = M("A", "子女", 1990);
  *h.add_members() = M("B", "户主", 1960);
  *h.add_members() = M("C", "配偶", 1950);
  EXPECT_EQ(HeadOfHousehold(h), 1);
  h.mutable_members(1)->set_relation("");
  // No one says 户主: the oldest.
  EXPECT_EQ(HeadOfHousehold(h), 2);
  h.mutable_members(0)->set_relation("Head");
  EXPECT_EQ(HeadOfHousehold(h), 0);
  EXPECT_EQ(HeadOfHousehold(v1::Household()), -1);
}

// Runs of 7 or more digits: a full ID, or an 8-digit birth date, would be
// one. Everything legitimately on the list has at most 6 in a row.
bool HasLongDigitRun(const std::string& text) {
  static const std::regex kRun("[0-9]{7,}");
  return std::regex_search(text, kRun);
}

TEST(PostingListTest, NeverShowsAFullIdBirthDateOrName) {
  int households = 0;
  for (const auto& [seed, district] :
       std::vector<std::pair<uint64_t, std::string>>{
           {1, "420102"}, {7, "110105"}, {99, "440304"}, {2024, "420111"}}) {
    testing::TestStore store(absl::StrCat("posting-", seed));
    SampleDistrictOptions o;
    o.seed = seed;
    o.district_code = district;
    o.as_of = testing::kSampleDay;
    auto generated = GenerateSampleDistrict(o);
    ASSERT_TRUE(generated.ok());
    ASSERT_TRUE(store.Upsert(*generated).ok());
    auto lists = BuildPostingList(*store.registry(), {});
    ASSERT_TRUE(lists.ok()) << lists.status();
    int entries = 0;
    for (const auto& c : lists->communities()) entries += c.entries_size();
    ASSERT_EQ(entries, static_cast<int>(generated->size()));
    households += entries;

    // Everything the list shows, field by field.
    std::string shown;
    for (const auto& c : lists->communities()) {
      absl::StrAppend(&shown, c.district_code(), "|", c.street(), "|",
                      c.community(), "\n");
      for (const auto& e : c.entries()) {
        absl::StrAppend(&shown, e.head_name_masked(), "|", e.head_id_masked(),
                        "|", e.members(), "|", e.monthly_benefit_fen(), "\n");
      }
    }
    EXPECT_FALSE(HasLongDigitRun(shown));
    for (const v1::Household& h : *generated) {
      for (const v1::Member& m : h.members()) {
        const std::string birth =
            absl::StrFormat("%04d%02d%02d", m.birth_date().year(),
                            m.birth_date().month(), m.birth_date().day());
        ASSERT_THAT(shown, Not(HasSubstr(m.id_number())));
        ASSERT_THAT(shown, Not(HasSubstr(birth)));
        ASSERT_THAT(shown, Not(HasSubstr(m.id_number().substr(6, 8))));
        if (!m.id_number_original().empty()) {
          ASSERT_THAT(shown, Not(HasSubstr(m.id_number_original())));
        }
      }
      // Nothing else of the household: not its ID, not its address.
      ASSERT_THAT(shown, Not(HasSubstr(h.household_id())));
      ASSERT_THAT(shown, Not(HasSubstr(h.registered_address())));
    }
    // The head's full name never appears as such (names of 2+ characters
    // are always masked), and every entry shows its household's figures.
    for (const auto& c : lists->communities()) {
      for (const auto& e : c.entries()) {
        EXPECT_THAT(e.head_name_masked(), HasSubstr("*"));
        EXPECT_THAT(e.head_id_masked(), HasSubstr("***********"));
        EXPECT_GT(e.members(), 0);
      }
    }
  }
  EXPECT_GT(households, 1800);
}

TEST(PostingListTest, OneListPerCommunityActiveOnlyInIdOrder) {
  testing::TestStore store("posting-area");
  SampleDistrictOptions o;
  o.as_of = testing::kSampleDay;
  auto generated = GenerateSampleDistrict(o);
  ASSERT_TRUE(generated.ok());
  // One household leaves the benefit.
  (*generated)[0].set_status(v1::HOUSEHOLD_STATUS_EXITED);
  ASSERT_TRUE(store.Upsert(*generated).ok());
  const v1::Household& first = (*generated)[1];
  v1::AreaFilter area;
  area.set_district_code(first.district_code());
  area.set_street(first.street());
  area.set_community(first.community());
  auto lists = BuildPostingList(*store.registry(), area);
  ASSERT_TRUE(lists.ok()) << lists.status();
  ASSERT_EQ(lists->communities_size(), 1);
  const v1::CommunityPosting& list = lists->communities(0);
  EXPECT_EQ(list.community(), first.community());
  std::vector<const v1::Household*> expected;
  for (const auto& h : *generated) {
    if (h.community() == first.community() && h.street() == first.street() &&
        h.status() == v1::HOUSEHOLD_STATUS_ACTIVE) {
      expected.push_back(&h);
    }
  }
  ASSERT_EQ(list.entries_size(), static_cast<int>(expected.size()));
  for (size_t i = 0; i < expected.size(); ++i) {
    const v1::Household& h = *expected[i];
    const v1::Member& head = h.members(HeadOfHousehold(h));
    EXPECT_EQ(head.relation(), "户主");
    EXPECT_EQ(list.entries(i).head_name_masked(),
              MaskNameForPosting(head.name()));
    EXPECT_EQ(list.entries(i).head_id_masked(),
              MaskIdForPosting(head.id_number()));
    EXPECT_EQ(list.entries(i).members(), h.members_size());
    EXPECT_EQ(list.entries(i).monthly_benefit_fen(), h.monthly_benefit_fen());
  }
  // The whole district: communities in area order, none twice.
  auto all = BuildPostingList(*store.registry(), {});
  ASSERT_TRUE(all.ok());
  int entries = 0;
  for (int i = 0; i < all->communities_size(); ++i) {
    entries += all->communities(i).entries_size();
    if (i > 0) {
      const auto& a = all->communities(i - 1);
      const auto& b = all->communities(i);
      EXPECT_LT(std::tie(a.street(), a.community()),
                std::tie(b.street(), b.community()));
    }
  }
  EXPECT_EQ(entries, 464);

  // Only the communities: the same ones with their counts and outlay, and
  // no entries (a city's lists are fetched one community at a time).
  auto index = BuildPostingList(*store.registry(), {}, true);
  ASSERT_TRUE(index.ok());
  ASSERT_EQ(index->communities_size(), all->communities_size());
  for (int i = 0; i < all->communities_size(); ++i) {
    const auto& full = all->communities(i);
    const auto& only = index->communities(i);
    EXPECT_EQ(only.community(), full.community());
    EXPECT_EQ(only.entries_size(), 0);
    EXPECT_EQ(only.households(), full.entries_size());
    EXPECT_EQ(full.households(), full.entries_size());
    int64_t outlay = 0;
    for (const auto& e : full.entries()) outlay += e.monthly_benefit_fen();
    EXPECT_EQ(only.monthly_outlay_fen(), outlay);
  }

  v1::AreaFilter bad;
  bad.set_community("x");
  EXPECT_EQ(BuildPostingList(*store.registry(), bad).status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace dibao
