#include "formats/feed_format.h"

#include <sstream>

#include "gmock/gmock.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"

namespace dibao {
namespace {

using ::testing::HasSubstr;

struct Read {
  std::vector<v1::FeedRecord> records;
  std::vector<RowError> errors;
  absl::Status status;
};

Read ReadAll(v1::FeedKind kind, const std::string& text,
             FileFormat format = FileFormat::kCsv) {
  Read r;
  std::istringstream in(text);
  r.status = ReadFeedRecords(
      in, format, *FindFeedKind(kind),
      [&](int64_t, v1::FeedRecord rec) { r.records.push_back(rec); },
      [&](RowError e) { r.errors.push_back(e); });
  return r;
}

TEST(FeedFormatTest, ReadsTypedCellsInAnyColumnOrder) {
  auto r = ReadAll(v1::FEED_KIND_EMPLOYMENT,
                   "start_date,name,id_number,employer_code,monthly_wage_fen,"
                   "end_date\n"
                   "2026-03-01,张三,420102900307451,E1,350000,\n");
  ASSERT_TRUE(r.status.ok()) << r.status;
  ASSERT_TRUE(r.errors.empty()) << r.errors[0].reason;
  ASSERT_EQ(r.records.size(), 1u);
  const auto& e = r.records[0].employment();
  EXPECT_EQ(r.records[0].id_number(), "420102900307451");  // normalised later
  EXPECT_EQ(r.records[0].source_line(), 2);
  EXPECT_EQ(e.employer_code(), "E1");
  EXPECT_EQ(e.start_date().month(), 3);
  EXPECT_FALSE(e.has_end_date());
  EXPECT_EQ(e.monthly_wage_fen(), 350000);
}

TEST(FeedFormatTest, WithdrawalsCarryTheirActionReasonAndNote) {
  // The action columns are optional and may be empty on upsert lines.
  auto r = ReadAll(v1::FEED_KIND_CUSTODY,
                   "id_number,name,event,event_date,institution,action,"
                   "withdrawal_reason,withdrawal_note\n"
                   "420102199003074513,,incarcerated,2026-11-02,,withdraw,"
                   "wrong_person,keyed to the wrong ID\n"
                   "420102199003074513,张三,released,2026-11-20,某监狱,,,\n");
  ASSERT_TRUE(r.status.ok()) << r.status;
  ASSERT_TRUE(r.errors.empty()) << r.errors[0].reason;
  ASSERT_EQ(r.records.size(), 2u);
  EXPECT_EQ(r.records[0].action(), v1::RECORD_ACTION_WITHDRAW);
  EXPECT_EQ(r.records[0].withdrawal_reason(),
            v1::WITHDRAWAL_REASON_WRONG_PERSON);
  EXPECT_EQ(r.records[0].withdrawal_note(), "keyed to the wrong ID");
  EXPECT_EQ(r.records[1].action(), v1::RECORD_ACTION_UNSPECIFIED);

  auto j =
      ReadAll(v1::FEED_KIND_CUSTODY,
              R"({"id_number":"420102199003074513","event":"INCARCERATED",)"
              R"("event_date":"2026-11-02","action":"WITHDRAW",)"
              R"("withdrawal_reason":"NEVER_HAPPENED"})"
              "\n",
              FileFormat::kJsonl);
  ASSERT_TRUE(j.errors.empty()) << j.errors[0].reason;
  ASSERT_EQ(j.records.size(), 1u);
  EXPECT_EQ(j.records[0].withdrawal_reason(),
            v1::WITHDRAWAL_REASON_NEVER_HAPPENED);

  auto bad = ReadAll(v1::FEED_KIND_CUSTODY,
                     "id_number,name,event,event_date,action\n"
                     "420102199003074513,张三,released,2026-11-20,erase\n");
  ASSERT_EQ(bad.errors.size(), 1u);
  EXPECT_EQ(bad.errors[0].field, "action");
  EXPECT_THAT(bad.errors[0].reason, HasSubstr("UPSERT, WITHDRAW"));

  // Written with the kind's columns, and the action columns when asked.
  const FeedKindSpec& spec = *FindFeedKind(v1::FEED_KIND_CUSTODY);
  EXPECT_EQ(FeedCsvHeader(spec),
            "id_number,name,event,event_date,institution\n");
  EXPECT_EQ(FeedCsvHeader(spec, /*actions=*/true),
            "id_number,name,event,event_date,institution,action,"
            "withdrawal_reason,withdrawal_note\n");
  EXPECT_EQ(NaturalKeyLabel(spec, r.records[0]),
            "event INCARCERATED, event_date 2026-11-02");
}

TEST(FeedFormatTest, EnumsMonthsAndBadCells) {
  auto r = ReadAll(v1::FEED_KIND_CUSTODY,
                   "id_number,name,event,event_date,institution\n"
                   "420102199003074513,张三,released,2025-06-30,某监狱\n"
                   "420102199003074513,张三,ESCAPED,2025-06-31,某监狱\n");
  ASSERT_EQ(r.records.size(), 1u);
  EXPECT_EQ(r.records[0].custody().event(), v1::CUSTODY_EVENT_RELEASED);
  ASSERT_EQ(r.errors.size(), 2u);
  EXPECT_EQ(r.errors[0].line, 3);
  EXPECT_EQ(r.errors[0].field, "event");
  EXPECT_THAT(r.errors[0].reason,
              HasSubstr("SENTENCED, INCARCERATED, RELEASED"));
  EXPECT_EQ(r.errors[1].field, "event_date");

  auto u = ReadAll(v1::FEED_KIND_UNEMPLOYMENT_BENEFIT,
                   "id_number,name,start_month,end_month,monthly_amount_fen\n"
                   "420102199003074513,张三,2025-01,2026-12,90000\n");
  ASSERT_EQ(u.records.size(), 1u);
  EXPECT_EQ(u.records[0].unemployment_benefit().end_month().year(), 2026);
}

TEST(FeedFormatTest, HeaderMustFitTheKind) {
  EXPECT_THAT(ReadAll(v1::FEED_KIND_VEHICLE, "id_number,name,plate,wage\n")
                  .status.message(),
              HasSubstr("unknown column 'wage' for vehicle records"));
  EXPECT_THAT(ReadAll(v1::FEED_KIND_VEHICLE, "name,plate\n").status.message(),
              HasSubstr("missing required column 'id_number'"));
}

TEST(FeedFormatTest, JsonLinesAreFlatObjects) {
  auto r = ReadAll(v1::FEED_KIND_PROPERTY,
                   "{\"id_number\":\"420102199003074513\",\"name\":\"张三\","
                   "\"property_id\":\"P-9\",\"area_m2\":85.5,\"acquired_date\":"
                   "\"2019-05-01\"}\n"
                   "{\"id_number\":\"x\",\"colour\":\"red\"}\n"
                   "{\"id_number\":\"x\",\"area_m2\":{\"a\":1}}\n"
                   "not json\n",
                   FileFormat::kJsonl);
  ASSERT_EQ(r.records.size(), 1u);
  EXPECT_DOUBLE_EQ(r.records[0].property().area_m2(), 85.5);
  ASSERT_EQ(r.errors.size(), 3u);
  EXPECT_EQ(r.errors[0].field, "colour");
  EXPECT_EQ(r.errors[1].field, "area_m2");
  EXPECT_EQ(r.errors[2].line, 4);
}

TEST(FeedFormatTest, WriterOutputReadsBack) {
  for (const FeedKindSpec& spec : AllFeedKinds()) {
    v1::FeedRecord rec;
    rec.set_id_number("420102199003074513");
    rec.set_name("张三, \"三\"");
    auto* sub = rec.GetReflection()->MutableMessage(&rec, spec.record_field());
    // Fill every field with a plausible value by type.
    const auto* d = sub->GetDescriptor();
    for (int i = 0; i < d->field_count(); ++i) {
      const auto* f = d->field(i);
      const auto* r = sub->GetReflection();
      using FD = google::protobuf::FieldDescriptor;
      switch (f->cpp_type()) {
        case FD::CPPTYPE_STRING:
          r->SetString(sub, f, "v," + f->name());
          break;
        case FD::CPPTYPE_INT64:
          r->SetInt64(sub, f, 12345);
          break;
        case FD::CPPTYPE_DOUBLE:
          r->SetDouble(sub, f, 72.25);
          break;
        case FD::CPPTYPE_ENUM:
          r->SetEnumValue(sub, f, 1);
          break;
        case FD::CPPTYPE_MESSAGE: {
          auto* m = r->MutableMessage(sub, f);
          const auto* md = m->GetDescriptor();
          m->GetReflection()->SetInt32(m, md->FindFieldByName("year"), 2020);
          m->GetReflection()->SetInt32(m, md->FindFieldByName("month"), 2);
          if (const auto* day = md->FindFieldByName("day")) {
            m->GetReflection()->SetInt32(m, day, 29);
          }
          break;
        }
        default:
          break;
      }
    }
    std::string text = FeedCsvHeader(spec);
    AppendFeedCsv(spec, rec, &text);
    auto back = ReadAll(spec.kind, text);
    ASSERT_TRUE(back.errors.empty())
        << spec.name << ": " << back.errors[0].reason;
    ASSERT_EQ(back.records.size(), 1u) << spec.name;
    back.records[0].clear_source_line();
    EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(
        back.records[0], rec))
        << spec.name << "\n"
        << text;
  }
}

}  // namespace
}  // namespace dibao
