#include "base/resident_id.h"

#include <random>
#include <string>

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace dibao {
namespace {

using ::testing::HasSubstr;

const absl::CivilDay kToday(2026, 11, 26);

std::string ErrorOf(absl::string_view input) {
  auto id = ParseResidentId(input, kToday);
  EXPECT_FALSE(id.ok()) << input;
  if (id.ok()) return "";
  EXPECT_EQ(id.status().code(), absl::StatusCode::kInvalidArgument);
  return std::string(id.status().message());
}

TEST(ResidentIdTest, ParsesValidIdAndDerivesFacts) {
  auto id = ParseResidentId("420102199003074513", kToday);
  ASSERT_TRUE(id.ok()) << id.status();
  EXPECT_EQ(id->number(), "420102199003074513");
  EXPECT_EQ(id->birth_date(), absl::CivilDay(1990, 3, 7));
  EXPECT_EQ(id->sex(), Sex::kMale);  // sequence 451: odd
  EXPECT_EQ(id->province_code(), "42");
  EXPECT_EQ(id->province_name(), "湖北省");
  EXPECT_EQ(id->address_code(), "420102");
  EXPECT_FALSE(id->upgraded_from_15());
}

TEST(ResidentIdTest, EvenSequenceIsFemale) {
  auto id = ParseResidentId("420102199003074521", kToday);
  ASSERT_TRUE(id.ok()) << id.status();
  EXPECT_EQ(id->sex(), Sex::kFemale);
}

TEST(ResidentIdTest, CheckCharacterX) {
  auto id = ParseResidentId("11010519491231002X", kToday);
  ASSERT_TRUE(id.ok()) << id.status();
  EXPECT_EQ(id->number(), "11010519491231002X");
  EXPECT_EQ(id->sex(), Sex::kFemale);
  EXPECT_EQ(ResidentIdCheckCharacter("11010519491231002"), 'X');
}

TEST(ResidentIdTest, LowerCaseXIsUpperCased) {
  auto id = ParseResidentId("11010519491231002x", kToday);
  ASSERT_TRUE(id.ok()) << id.status();
  EXPECT_EQ(id->number(), "11010519491231002X");
}

TEST(ResidentIdTest, WrongCheckCharacterNamesBoth) {
  EXPECT_EQ(ErrorOf("420102199003074514"), "check character is 4, expected 3");
  EXPECT_EQ(ErrorOf("110105194912310023"), "check character is 3, expected X");
}

TEST(ResidentIdTest, FifteenDigitsAreUpgraded) {
  auto id = ParseResidentId("420102900307451", kToday);
  ASSERT_TRUE(id.ok()) << id.status();
  EXPECT_EQ(id->number(), "420102199003074513");
  EXPECT_TRUE(id->upgraded_from_15());
  EXPECT_EQ(id->birth_date(), absl::CivilDay(1990, 3, 7));
}

TEST(ResidentIdTest, FifteenDigitsMustBeDigits) {
  EXPECT_THAT(ErrorOf("42010290030745X"), HasSubstr("is not a digit"));
}

TEST(ResidentIdTest, FullWidthSpacesAndHyphensAreNormalised) {
  // Full-width digits, an ideographic space, ASCII and full-width hyphens.
  auto id = ParseResidentId(
      "\xE3\x80\x80４２０１０２-1990\xEF\xBC\x8D"
      "0307 451３ ",
      kToday);
  ASSERT_TRUE(id.ok()) << id.status();
  EXPECT_EQ(id->number(), "420102199003074513");
  auto full_x = ParseResidentId("11010519491231002ｘ", kToday);
  ASSERT_TRUE(full_x.ok()) << full_x.status();
  EXPECT_EQ(full_x->number(), "11010519491231002X");
}

TEST(ResidentIdTest, BirthDateMustBeACalendarDate) {
  EXPECT_EQ(ErrorOf("420102199902314517"),
            "birth date 19990231 is not a calendar date");
}

TEST(ResidentIdTest, BirthDateNotInFuture) {
  EXPECT_EQ(ErrorOf("420102203001014516"),
            "birth date 2030-01-01 is after today (2026-11-26)");
}

TEST(ResidentIdTest, BirthDateNotBefore1900) {
  EXPECT_EQ(ErrorOf("420102189912314511"),
            "birth date 1899-12-31 is before 1900-01-01");
}

TEST(ResidentIdTest, ProvinceMustExist) {
  EXPECT_EQ(ErrorOf("990102199003074514"),
            "address code 990102: 99 is not a province code");
}

TEST(ResidentIdTest, LengthAndCharacters) {
  EXPECT_EQ(ErrorOf(""), "ID number is empty");
  EXPECT_EQ(ErrorOf("   "), "ID number is empty");
  EXPECT_EQ(ErrorOf("42010219900307451"),
            "ID number has 17 characters, expected 18 (or 15 for an "
            "old-style number)");
  EXPECT_EQ(ErrorOf("42010219900307A513"),
            "character 'A' at position 15 is not a digit");
  EXPECT_EQ(ErrorOf("42010219900307451Y"),
            "check character 'Y' at position 18 is not a digit or X");
  EXPECT_EQ(ErrorOf("4201021990#3074513"),
            "character '#' at position 11 cannot be part of an ID number");
  EXPECT_THAT(ErrorOf("42010219900307451３张"), HasSubstr("U+5F20"));
}

TEST(ResidentIdTest, InvalidUtf8IsAnErrorNotACrash) {
  EXPECT_EQ(ErrorOf("4201\xff"
                    "02199003074513"),
            "not valid UTF-8 at byte 5");
  EXPECT_EQ(ErrorOf("\xE3\x80"), "not valid UTF-8 at byte 1");
}

TEST(ResidentIdTest, GarbageNeverCrashes) {
  std::mt19937_64 rng(20261126);
  const std::string alphabet =
      "0123456789xX -\t\xef\xbc\x90\xe3\x80\x80\xff\xc0\x80";
  for (int i = 0; i < 20000; ++i) {
    std::string input;
    const size_t n = rng() % 40;
    for (size_t k = 0; k < n; ++k) {
      if (rng() % 3 == 0) {
        input.push_back(static_cast<char>(rng() & 0xff));
      } else {
        input.push_back(alphabet[rng() % alphabet.size()]);
      }
    }
    auto id = ParseResidentId(input, kToday);
    if (id.ok()) {
      EXPECT_EQ(id->number().size(), 18u);
      EXPECT_EQ(id->number()[17], ResidentIdCheckCharacter(id->number()));
    } else {
      EXPECT_EQ(id.status().code(), absl::StatusCode::kInvalidArgument);
      EXPECT_FALSE(id.status().message().empty());
    }
  }
  // A very long input is bounded, not copied.
  EXPECT_THAT(ErrorOf(std::string(1 << 20, '1')),
              HasSubstr("1048576 characters"));
}

TEST(ResidentIdTest, MaskingKeepsAtMostSixAndFour) {
  EXPECT_EQ(MaskId("420102199003074513"), "420102********4513");
  EXPECT_EQ(MaskId("short"), "*****");
  EXPECT_EQ(MaskName("张三明"), "张**");
  EXPECT_EQ(MaskName("李"), "李*");
  EXPECT_EQ(MaskName(""), "*");
}

TEST(ResidentIdTest, IdsInTextAreMaskedWhereverTheyStand) {
  EXPECT_EQ(MaskIdsInText("members[420102199003074513].income"),
            "members[420102********4513].income");
  EXPECT_EQ(MaskIdsInText("420102199003074513 and 11010519491231002X."),
            "420102********4513 and 110105********002X.");
  // Mistyped (wrong check character) still names someone; 15 digits too.
  EXPECT_EQ(MaskIdsInText("ID 420102199003074519"), "ID 420102********4519");
  EXPECT_EQ(MaskIdsInText("旧号420102900307451，"), "旧号420102*****7451，");
  // Not IDs: other lengths, parts of longer numbers or words, amounts.
  for (const char* same : {"2,800.00 yuan", "F0000012", "4201021990030745130",
                           "A420102199003074513", "1234567890123456", "",
                           "batch labour-2026-11-25"}) {
    EXPECT_EQ(MaskIdsInText(same), same);
  }
}

}  // namespace
}  // namespace dibao
