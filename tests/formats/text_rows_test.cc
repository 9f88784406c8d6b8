#include "formats/text_rows.h"

#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "base/text_input.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace dibao {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

struct Read {
  std::vector<std::string> rows;  // "line: column=cell|column=cell"
  std::vector<RowError> errors;
  absl::Status status;
};

Read ReadCsv(const std::string& text) {
  CsvColumns columns;
  columns.names = {"id_number", "name", "plate"};
  columns.required = {true, true, false};
  columns.what = " for vehicle records";
  columns.key_column = 0;
  std::istringstream in(text);
  Read read;
  read.status = ReadCsvRows(
      in, columns,
      [&](int64_t line, const std::vector<int>& column_of,
          const std::vector<absl::string_view>& cells, absl::string_view) {
        std::vector<std::string> parts;
        for (size_t i = 0; i < cells.size(); ++i) {
          parts.push_back(
              absl::StrCat(columns.names[column_of[i]], "=", cells[i]));
        }
        read.rows.push_back(
            absl::StrCat(line, ": ", absl::StrJoin(parts, "|")));
      },
      [&](RowError e) { read.errors.push_back(std::move(e)); });
  return read;
}

TEST(TextRowsTest, CsvRowsByColumnInFileOrder) {
  Read r = ReadCsv("name, ID_Number\n 王 ,420102\n\n李,420103\n");
  ASSERT_TRUE(r.status.ok()) << r.status;
  EXPECT_THAT(r.rows, ElementsAre("2: name=王|id_number=420102",
                                  "4: name=李|id_number=420103"));
  EXPECT_THAT(r.errors, IsEmpty());
}

TEST(TextRowsTest, EveryUnreadableLineIsAnErrorWithItsKey) {
  Read r = ReadCsv(absl::StrCat("id_number,name,plate\n",
                                "111,\xC1\xD6,A1\n",  // GBK bytes
                                "222,x", kReplacementCharacter,
                                "y,A2\n",            // undecodable
                                "333,only two\n",    // field count
                                "\"444,broken\n"));  // never closed
  ASSERT_TRUE(r.status.ok());
  EXPECT_THAT(r.rows, IsEmpty());
  ASSERT_EQ(r.errors.size(), 4u);
  EXPECT_EQ(r.errors[0].line, 2);
  EXPECT_EQ(r.errors[0].field, "name");
  EXPECT_EQ(r.errors[0].key, "111");
  EXPECT_THAT(r.errors[0].reason,
              HasSubstr("not valid UTF-8 (byte 1); if the file is GBK or "
                        "GB18030, say --encoding=gb18030"));
  EXPECT_EQ(r.errors[1].line, 3);
  EXPECT_EQ(r.errors[1].key, "222");
  EXPECT_THAT(r.errors[1].reason, HasSubstr("U+FFFD at byte 2"));
  EXPECT_EQ(r.errors[2].line, 4);
  EXPECT_EQ(r.errors[2].key, "333");
  EXPECT_THAT(r.errors[2].reason, HasSubstr("has 2 fields, the header has 3"));
  EXPECT_EQ(r.errors[3].line, 5);
  EXPECT_THAT(r.errors[3].reason, HasSubstr("never closed"));
}

TEST(TextRowsTest, AnUnreadableKeyIsNotRepeated) {
  Read r = ReadCsv("id_number,name,plate\n\xFF,王,A1\n");
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].field, "id_number");
  EXPECT_EQ(r.errors[0].key, "");
}

TEST(TextRowsTest, HeaderProblemsFailTheFile) {
  EXPECT_THAT(ReadCsv("").status.message(), HasSubstr("empty"));
  EXPECT_THAT(ReadCsv("id_number,colour\n").status.message(),
              HasSubstr("unknown column 'colour' for vehicle records"));
  EXPECT_THAT(ReadCsv("plate\n").status.message(),
              HasSubstr("missing required column 'id_number'"));
}

TEST(TextRowsTest, JsonLines) {
  std::istringstream in(
      "\xEF\xBB\xBF{\"a\":1}\r\n\n  \n{\"b\":\"\xFF\"}\n{\"c\":3}");
  std::vector<std::string> rows;
  std::vector<RowError> errors;
  ASSERT_TRUE(ReadJsonLines(
                  in,
                  [&](int64_t line, const std::string& text) {
                    rows.push_back(absl::StrCat(line, ":", text));
                  },
                  [&](RowError e) { errors.push_back(std::move(e)); })
                  .ok());
  EXPECT_THAT(rows, ElementsAre("1:{\"a\":1}", "5:{\"c\":3}"));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].line, 4);
  EXPECT_THAT(errors[0].reason, HasSubstr("not valid UTF-8 (byte 7)"));
}

}  // namespace
}  // namespace dibao
