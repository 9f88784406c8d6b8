#include "base/csv.h"

#include <sstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace dibao {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

struct Row {
  int64_t line;
  std::vector<std::string> fields;
  std::string error;
};

std::vector<Row> ReadAll(const std::string& text, size_t max_bytes = 1 << 20) {
  std::istringstream in(text);
  CsvReader reader(in, max_bytes);
  std::vector<Row> rows;
  for (;;) {
    auto r = reader.Next();
    if (r == CsvReader::Result::kEnd) break;
    Row row{reader.line(), {}, reader.error()};
    for (auto f : reader.fields()) row.fields.emplace_back(f);
    rows.push_back(std::move(row));
  }
  return rows;
}

TEST(CsvTest, PlainQuotedAndEmptyFields) {
  auto rows = ReadAll("a,b,c\n1,\"x,y\",\n\"he said \"\"hi\"\"\",,z\n");
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_THAT(rows[0].fields, ElementsAre("a", "b", "c"));
  EXPECT_THAT(rows[1].fields, ElementsAre("1", "x,y", ""));
  EXPECT_THAT(rows[2].fields, ElementsAre("he said \"hi\"", "", "z"));
  EXPECT_EQ(rows[2].line, 3);
}

TEST(CsvTest, BomCrlfBlankLinesAndNoFinalNewline) {
  auto rows = ReadAll("\xEF\xBB\xBFid,name\r\n\r\n1,张三\r\n2,李四");
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_THAT(rows[0].fields, ElementsAre("id", "name"));
  EXPECT_THAT(rows[1].fields, ElementsAre("1", "张三"));
  EXPECT_EQ(rows[1].line, 3);
  EXPECT_THAT(rows[2].fields, ElementsAre("2", "李四"));
  EXPECT_EQ(rows[2].line, 4);
}

TEST(CsvTest, LineNumbersCountEmbeddedLineBreaks) {
  auto rows = ReadAll("a,b\n\"multi\nline\",x\nnext,y\n");
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[1].fields[0], "multi\nline");
  EXPECT_EQ(rows[1].line, 2);
  EXPECT_EQ(rows[2].line, 4);
}

TEST(CsvTest, MalformedRecordsAreReportedAndSkipped) {
  auto rows = ReadAll("a,b\nx\"y,1\n\"ok\"junk,2\ngood,3\n");
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_THAT(rows[1].error, HasSubstr("a quote inside an unquoted field"));
  EXPECT_EQ(rows[1].line, 2);
  EXPECT_THAT(rows[2].error, HasSubstr("text after the closing quote"));
  EXPECT_EQ(rows[2].line, 3);
  EXPECT_THAT(rows[3].fields, ElementsAre("good", "3"));
  EXPECT_EQ(rows[3].line, 4);
}

TEST(CsvTest, UnclosedQuoteAndOverlongRecord) {
  auto rows = ReadAll("a\n\"never closed\nmore\n");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[1].error, "quoted field opened on line 2 is never closed");
  auto longrows = ReadAll(std::string(100, 'x') + "\nok\n", 10);
  ASSERT_EQ(longrows.size(), 2u);
  EXPECT_THAT(longrows[0].error, HasSubstr("longer than 10 bytes"));
  EXPECT_THAT(longrows[1].fields, ElementsAre("ok"));
}

TEST(CsvTest, LargeInputSpansManyBlocks) {
  std::string text;
  for (int i = 0; i < 20000; ++i)
    text += "row" + std::to_string(i) + ",\"q,\"\n";
  auto rows = ReadAll(text);
  ASSERT_EQ(rows.size(), 20000u);
  EXPECT_THAT(rows[19999].fields, ElementsAre("row19999", "q,"));
  EXPECT_EQ(rows[19999].line, 20000);
}

TEST(CsvTest, CellWriterQuotesOnlyWhenNeeded) {
  std::string out;
  AppendCsvCell("plain", &out);
  out += '|';
  AppendCsvCell("a,b", &out);
  out += '|';
  AppendCsvCell("say \"x\"", &out);
  out += '|';
  AppendCsvCell(" padded", &out);
  EXPECT_EQ(out, "plain|\"a,b\"|\"say \"\"x\"\"\"|\" padded\"");
}

TEST(CsvTest, SpreadsheetCellsCannotStartFormulas) {
  std::string out;
  for (const char* cell : {"=HYPERLINK(\"x\")", "+1+1", "-2+3", "@SUM(A1)",
                           "\tx", "-5.00", "+12", "-", "张三", "a=b"}) {
    AppendSpreadsheetCell(cell, &out);
    out.push_back('|');
  }
  EXPECT_EQ(
      out,
      "\"'=HYPERLINK(\"\"x\"\")\"|'+1+1|'-2+3|'@SUM(A1)|'\tx|-5.00|+12|'-|"
      "张三|a=b|");
  std::string row;
  AppendSpreadsheetRow({"R0000001", "=cmd", "-1.50"}, &row);
  EXPECT_EQ(row, "R0000001,'=cmd,-1.50\n");
}

}  // namespace
}  // namespace dibao
