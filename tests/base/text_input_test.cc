#include "base/text_input.h"

#include <unicode/ucnv.h>

#include <fstream>
#include <iterator>
#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace dibao {
namespace {

using ::testing::HasSubstr;

// `utf8` in another encoding, by ICU (the reverse of what is tested).
std::string Encode(const std::string& utf8, const char* to) {
  UErrorCode err = U_ZERO_ERROR;
  std::string out(utf8.size() * 4 + 16, '\0');
  const int32_t n =
      ucnv_convert(to, "UTF-8", out.data(), static_cast<int32_t>(out.size()),
                   utf8.data(), static_cast<int32_t>(utf8.size()), &err);
  EXPECT_TRUE(U_SUCCESS(err)) << u_errorName(err);
  out.resize(static_cast<size_t>(n));
  return out;
}

std::string WriteFile(const std::string& name, const std::string& bytes) {
  const std::string path =
      absl::StrCat(::testing::TempDir(), "/text_input_", name);
  std::ofstream(path, std::ios::binary) << bytes;
  return path;
}

std::string ReadAll(TextInput& input) {
  return std::string(std::istreambuf_iterator<char>(input.stream()), {});
}

const std::string kCsv =
    "id_number,name,plate\n"
    "420102198001011234,林佳琪,鄂A·12345\n"
    "420102198001011235,王淑芬,鄂A·67890\n";

TEST(TextInputTest, Utf8IsReadAsItIs) {
  auto input = TextInput::Open(WriteFile("utf8.csv", kCsv), "");
  ASSERT_TRUE(input.ok()) << input.status();
  EXPECT_EQ((*input)->encoding(), "UTF-8");
  EXPECT_FALSE((*input)->converted());
  EXPECT_EQ((*input)->describe(), "UTF-8 (detected)");
  EXPECT_EQ(ReadAll(**input), kCsv);
}

TEST(TextInputTest, ByteOrderMarksAreDetected) {
  auto bom =
      TextInput::Open(WriteFile("bom.csv", "\xEF\xBB\xBF" + kCsv), "auto");
  ASSERT_TRUE(bom.ok());
  EXPECT_THAT((*bom)->describe(), HasSubstr("UTF-8 byte-order mark"));

  const std::string utf16 = Encode("\xEF\xBB\xBF" + kCsv, "UTF-16LE");
  auto wide = TextInput::Open(WriteFile("utf16.csv", utf16), "");
  ASSERT_TRUE(wide.ok());
  EXPECT_TRUE((*wide)->converted());
  EXPECT_THAT((*wide)->describe(), HasSubstr("UTF-16 byte-order mark"));
  // The byte-order mark is taken by the converter.
  EXPECT_EQ(ReadAll(**wide), kCsv);
}

TEST(TextInputTest, GbkIsDetectedAndConverted) {
  const std::string gbk = Encode(kCsv, "GBK");
  ASSERT_NE(gbk, kCsv);
  auto input = TextInput::Open(WriteFile("gbk.csv", gbk), "");
  ASSERT_TRUE(input.ok());
  EXPECT_EQ((*input)->encoding(), "GB18030");
  EXPECT_TRUE((*input)->converted());
  EXPECT_THAT((*input)->describe(),
              HasSubstr("detected: not UTF-8 at byte 41, valid GB18030"));
  EXPECT_EQ(ReadAll(**input), kCsv);
}

TEST(TextInputTest, LargeFilesConvertAcrossBlocks) {
  // Characters of two and four bytes, so some straddle the 64 KiB blocks,
  // and more than the 1 MiB detection sample.
  std::string text = "id_number,name\n";
  for (int i = 0; text.size() < (3 << 20); ++i) {
    absl::StrAppend(&text, "42010219800101", 1000 + i % 9000, ",欧阳𠀀娜·王\n");
  }
  auto input =
      TextInput::Open(WriteFile("big.csv", Encode(text, "GB18030")), "");
  ASSERT_TRUE(input.ok());
  EXPECT_EQ((*input)->encoding(), "GB18030");
  EXPECT_TRUE(ReadAll(**input) == text);
}

TEST(TextInputTest, GivenEncodingsAndUnknownOnes) {
  const std::string path = WriteFile("given.csv", Encode(kCsv, "GBK"));
  auto gbk = TextInput::Open(path, "GBK");
  ASSERT_TRUE(gbk.ok());
  EXPECT_EQ((*gbk)->describe(), "GBK (as given by --encoding)");
  EXPECT_EQ(ReadAll(**gbk), kCsv);

  auto unknown = TextInput::Open(path, "big5");
  EXPECT_EQ(unknown.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(unknown.status().message(), HasSubstr("unknown encoding 'big5'"));

  auto missing = TextInput::Open(WriteFile("", "") + "nowhere/x.csv", "");
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
}

TEST(TextInputTest, UndecodableBytesBecomeReplacementCharacters) {
  // 0xFF never starts a GB18030 character.
  auto input = TextInput::Open(
      WriteFile("broken.csv", Encode("a,王\n", "GB18030") + "b,\xFF\n"),
      "gb18030");
  ASSERT_TRUE(input.ok());
  EXPECT_EQ(ReadAll(**input),
            absl::StrCat("a,王\nb,", kReplacementCharacter, "\n"));
}

TEST(TextInputTest, NeitherUtf8NorGb18030IsReadAsUtf8AndSaysSo) {
  auto input = TextInput::Open(WriteFile("junk.csv", "a,b\n1,\xFF\xFF\n"), "");
  ASSERT_TRUE(input.ok());
  EXPECT_EQ((*input)->encoding(), "UTF-8");
  EXPECT_FALSE((*input)->converted());
  EXPECT_THAT((*input)->describe(), HasSubstr("neither UTF-8 (byte 7)"));
}

}  // namespace
}  // namespace dibao
