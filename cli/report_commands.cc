// dibaoctl report stats|posting|forecast|cliff and spot-check draw|list|show:
// the bureau's reports, read from the server's ReportService.
#include <sstream>

#include "absl/algorithm/container.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "base/clock.h"
#include "base/dates.h"
#include "base/money.h"
#include "cli/commands.h"
#include "cli/table.h"
#include "dibao/v1/reports.grpc.pb.h"
#include "formats/feed_kinds.h"
#include "formats/names.h"
#include "formats/registry_format.h"

namespace dibao::cli {
namespace {

std::unique_ptr<v1::ReportService::Stub> NewStub(const CliOptions& options) {
  return v1::ReportService::NewStub(Connect(options));
}

std::string Percent(int64_t bp) {
  return absl::StrFormat("%d.%02d", bp / 100, bp % 100);
}

std::string StatusLabel(v1::ReportedStatus s) {
  return std::string(
      absl::StripPrefix(v1::ReportedStatus_Name(s), "REPORTED_STATUS_"));
}

std::string BandLabel(v1::AgeBand b) {
  switch (b) {
    case v1::AGE_BAND_UNDER_18:
      return "under 18";
    case v1::AGE_BAND_WORKING_AGE:
      return "working age";
    case v1::AGE_BAND_ABOVE_WORKING_AGE:
      return "above working age";
    default:
      return "?";
  }
}

std::string AreaText(const v1::AreaFilter& a) {
  if (a.district_code().empty()) return "all districts";
  return absl::StrCat(
      a.district_code(),
      a.street().empty() ? "" : absl::StrCat(" ", a.street()),
      a.community().empty() ? "" : absl::StrCat(" ", a.community()));
}

v1::AreaFilter AreaFrom(const CliOptions& o) {
  v1::AreaFilter area;
  area.set_district_code(o.district);
  area.set_street(o.street);
  area.set_community(o.community);
  return area;
}

// --as-of as a day, when given.
absl::Status SetDay(const CliOptions& o, v1::Date* out, bool* set) {
  const std::string text = o.as_of;
  *set = false;
  if (text.empty()) return absl::OkStatus();
  auto day = ParseDate(text);
  if (!day.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--as-of: ", day.status().message()));
  }
  *out = ToProto(*day);
  *set = true;
  return absl::OkStatus();
}

// "300", "300.5" or "300.50" yuan as fen; exact, no floating point.
absl::StatusOr<int64_t> ParseYuan(absl::string_view text) {
  const std::vector<absl::string_view> parts = absl::StrSplit(text, '.');
  int64_t yuan = 0;
  int64_t fen = 0;
  bool ok = parts.size() <= 2 && !parts[0].empty() && parts[0].size() <= 12 &&
            absl::c_all_of(parts[0], absl::ascii_isdigit) &&
            absl::SimpleAtoi(parts[0], &yuan);
  if (ok && parts.size() == 2) {
    ok = !parts[1].empty() && parts[1].size() <= 2 &&
         absl::c_all_of(parts[1], absl::ascii_isdigit) &&
         absl::SimpleAtoi(parts[1], &fen);
    if (ok && parts[1].size() == 1) fen *= 10;
  }
  if (!ok) {
    return absl::InvalidArgumentError(
        absl::StrCat("--wage \"", text,
                     "\" is not an amount in yuan such as 300 or 300.50"));
  }
  return yuan * 100 + fen;
}

absl::StatusOr<v1::Stratification> ParseStratify(absl::string_view text) {
  const std::string t = absl::AsciiStrToLower(text);
  if (t.empty() || t == "none") return v1::STRATIFICATION_NONE;
  if (t == "street") return v1::STRATIFICATION_STREET;
  if (t == "community") return v1::STRATIFICATION_COMMUNITY;
  return absl::InvalidArgumentError(absl::StrCat(
      "--stratify \"", text, "\" is not one of none, street, community"));
}

std::string StratifyName(v1::Stratification s) {
  return absl::AsciiStrToLower(
      absl::StripPrefix(v1::Stratification_Name(s), "STRATIFICATION_"));
}

std::string When(const google::protobuf::Timestamp& t) {
  return absl::FormatTime("%Y-%m-%d %H:%M:%S %Ez", FromProto(t),
                          BureauTimeZone());
}

// Prints a table indented by two spaces.
void Indented(const Table& t, std::ostream& out) {
  std::ostringstream text;
  t.Print(OutputFormat::kTable, text);
  for (absl::string_view line : absl::StrSplit(text.str(), '\n')) {
    if (!line.empty()) out << "  " << line << "\n";
  }
}

void PrintSample(const v1::SpotCheckSample& s, OutputFormat format,
                 std::ostream& out) {
  if (format == OutputFormat::kJsonl) {
    out << ToJsonLine(s) << "\n";
    return;
  }
  Table households(
      {"sample", "stratum", "household_id", "street", "community"});
  for (const auto& h : s.households()) {
    households.AddRow({absl::StrCat(s.sample_seq()), h.stratum(),
                       h.household_id(), h.street(), h.community()});
  }
  if (format == OutputFormat::kCsv) {
    households.Print(OutputFormat::kCsv, out);
    return;
  }
  out << "spot-check sample " << s.sample_seq() << ": " << s.households_size()
      << " of " << s.population() << " ACTIVE households ("
      << AreaText(s.area()) << "), fraction "
      << absl::StrFormat("%g", s.fraction()) << ", seed " << s.seed()
      << ", stratified by " << StratifyName(s.stratify()) << "\n"
      << "  drawn by " << s.drawn_by() << " at " << When(s.drawn_at()) << "\n";
  if (!s.note().empty()) out << "  note: " << s.note() << "\n";
  out << "  method: " << s.method() << "\n";
  Table strata({"stratum", "households", "drawn"});
  for (const auto& st : s.strata()) {
    strata.AddRow({st.name().empty() ? "(all)" : st.name(),
                   absl::StrCat(st.population()), absl::StrCat(st.drawn())});
  }
  Indented(strata, out);
  out << "\n";
  Indented(households, out);
}

}  // namespace

int ReportFeedQuality(const Env& env) {
  const CliOptions& o = env.options;
  if (!env.args.empty()) {
    env.err << "usage: dibaoctl report feed-quality [--since YYYY-MM-DD] "
               "[--format table|csv|jsonl]\n";
    return kExitUsage;
  }
  auto format = ParseOutputFormat(o.format);
  if (!format.ok()) return Fail(env.err, format.status());
  v1::FeedQualityRequest request;
  if (!o.since.empty()) {
    auto day = ParseDate(o.since);
    if (!day.ok()) return Fail(env.err, day.status());
    *request.mutable_since() = ToProto(*day);
  }
  v1::FeedQualityReport report;
  grpc::Status s =
      NewStub(o)->FeedQuality(NewContext(o).get(), request, &report);
  if (!s.ok()) return Fail(env.err, FromGrpc(s));
  if (*format == OutputFormat::kJsonl) {
    env.out << ToJsonLine(report) << "\n";
    return kExitOk;
  }
  Table t({"agency", "kind", "batches", "records", "rejected", "withdrawn",
           "flags_decided", "partner_wrong", "partner_wrong_percent"});
  for (const v1::FeedQualityRow& r : report.rows()) {
    const FeedKindSpec* spec = FindFeedKind(r.kind());
    t.AddRow({AgencyName(r.agency()), spec != nullptr ? spec->name : "?",
              absl::StrCat(r.batches()), absl::StrCat(r.records()),
              absl::StrCat(r.rejected()), absl::StrCat(r.withdrawn()),
              absl::StrCat(r.flags_decided()),
              absl::StrCat(r.flags_partner_wrong()),
              absl::StrFormat("%.1f", r.partner_wrong_percent())});
  }
  t.Print(*format, env.out);
  return kExitOk;
}

int ReportStats(const Env& env) {
  const CliOptions& o = env.options;
  if (!env.args.empty()) {
    env.err << "usage: dibaoctl report stats [--district D [--street S "
               "[--community C]]] [--as-of YYYY-MM-DD] [--format table|csv]\n";
    return kExitUsage;
  }
  auto format = ParseOutputFormat(o.format);
  if (!format.ok()) return Fail(env.err, format.status());
  v1::StatsRequest request;
  *request.mutable_area() = AreaFrom(o);
  bool has_day = false;
  if (auto s = SetDay(o, request.mutable_as_of(), &has_day); !s.ok()) {
    return Fail(env.err, s);
  }
  if (!has_day) request.clear_as_of();
  auto context = NewContext(o);
  v1::Statistics st;
  grpc::Status s = NewStub(o)->Stats(context.get(), request, &st);
  if (!s.ok()) return Fail(env.err, FromGrpc(s));
  if (*format == OutputFormat::kJsonl) {
    env.out << ToJsonLine(st) << "\n";
    return kExitOk;
  }
  if (*format == OutputFormat::kCsv) {
    Table t({"table", "row", "male", "female", "persons", "percent"});
    t.AddRow(
        {"summary", "households", "", "", absl::StrCat(st.households()), ""});
    t.AddRow({"summary", "persons", "", "", absl::StrCat(st.persons()), ""});
    t.AddRow({"summary", "monthly_outlay_fen", "", "",
              absl::StrCat(st.monthly_outlay_fen()), ""});
    for (const auto& r : st.by_reported_status()) {
      t.AddRow({"table1", StatusLabel(r.reported_status()), "", "",
                absl::StrCat(r.persons()), Percent(r.percent_bp())});
    }
    for (const auto& r : st.by_age_band()) {
      t.AddRow({"table2", BandLabel(r.band()), absl::StrCat(r.male()),
                absl::StrCat(r.female()), absl::StrCat(r.total()),
                Percent(r.percent_bp())});
    }
    t.AddRow({"disabled", "disabled", absl::StrCat(st.disabled_male()),
              absl::StrCat(st.disabled_female()), absl::StrCat(st.disabled()),
              Percent(st.disabled_percent_bp())});
    t.Print(OutputFormat::kCsv, env.out);
    return kExitOk;
  }
  env.out << "ACTIVE households in " << AreaText(st.area()) << " as of "
          << FormatDate(st.as_of()) << ": " << st.households()
          << " households, " << st.persons() << " persons, monthly outlay "
          << FormatYuan(st.monthly_outlay_fen()) << " yuan\n\n"
          << "Table 1: persons by reported identity\n";
  Table t1({"identity", "persons", "percent"});
  for (const auto& r : st.by_reported_status()) {
    t1.AddRow({StatusLabel(r.reported_status()), absl::StrCat(r.persons()),
               Percent(r.percent_bp())});
  }
  if (st.unspecified_status() > 0) {
    t1.AddRow({"(not stated)", absl::StrCat(st.unspecified_status()), ""});
  }
  t1.AddRow({"total", absl::StrCat(st.persons()),
             st.persons() > 0 ? "100.00" : "0.00"});
  Indented(t1, env.out);
  env.out << "\nTable 2: persons by age band and sex (working age: men 18-59, "
             "women 18-54)\n";
  Table t2({"age band", "male", "female", "total", "percent"});
  int64_t male = 0, female = 0;
  for (const auto& r : st.by_age_band()) {
    male += r.male();
    female += r.female();
    t2.AddRow({BandLabel(r.band()), absl::StrCat(r.male()),
               absl::StrCat(r.female()), absl::StrCat(r.total()),
               Percent(r.percent_bp())});
  }
  t2.AddRow({"total", absl::StrCat(male), absl::StrCat(female),
             absl::StrCat(st.persons()), st.persons() > 0 ? "100.00" : "0.00"});
  Indented(t2, env.out);
  env.out << "\nDisabled: " << st.disabled() << " ("
          << Percent(st.disabled_percent_bp()) << "%): " << st.disabled_male()
          << " male, " << st.disabled_female() << " female\n";
  return kExitOk;
}

namespace {

// One response of PostingList in the --format asked; `first`: the first
// part of the listing (CSV prints its header once).
void PrintPosting(const v1::PostingListResponse& response, OutputFormat format,
                  bool first, std::ostream& out) {
  if (format == OutputFormat::kJsonl) {
    for (const auto& c : response.communities()) {
      out << ToJsonLine(c) << "\n";
    }
    return;
  }
  if (format == OutputFormat::kCsv) {
    Table t({"district_code", "street", "community", "head_name", "head_id",
             "members", "monthly_benefit_fen"});
    for (const auto& c : response.communities()) {
      for (const auto& e : c.entries()) {
        t.AddRow({c.district_code(), c.street(), c.community(),
                  e.head_name_masked(), e.head_id_masked(),
                  absl::StrCat(e.members()),
                  absl::StrCat(e.monthly_benefit_fen())});
      }
    }
    t.Print(OutputFormat::kCsv, out, /*with_header=*/first);
    return;
  }
  for (const auto& c : response.communities()) {
    out << "公示 " << c.district_code() << " " << c.street() << " "
        << c.community() << ": " << c.households() << " households, "
        << FormatYuan(c.monthly_outlay_fen()) << " yuan a month\n";
    Table t(
        {"户主 head", "身份证号 ID", "人数 members", "月保障金 yuan/month"});
    for (const auto& e : c.entries()) {
      t.AddRow({e.head_name_masked(), e.head_id_masked(),
                absl::StrCat(e.members()),
                FormatYuan(e.monthly_benefit_fen())});
    }
    Indented(t, out);
    out << "\n";
  }
}

// One stage's results (三榜), as masked as the standing list.
void PrintStagePosting(const v1::PostingListResponse& response,
                       v1::RecommendationStage stage, OutputFormat format,
                       std::ostream& out) {
  if (format == OutputFormat::kJsonl) {
    for (const auto& c : response.communities()) {
      out << ToJsonLine(c) << "\n";
    }
    return;
  }
  const std::vector<std::string> csv_columns = {
      "district_code",   "street",  "community", "head_name",
      "head_id",         "members", "kind",      "current_benefit_fen",
      "new_benefit_fen", "decided", "effective"};
  Table all(csv_columns);
  for (const auto& c : response.communities()) {
    Table t({"户主 head", "身份证号 ID", "人数 members", "kind", "现 now yuan",
             "拟 after yuan", "decided", "effective"});
    for (const auto& e : c.results()) {
      all.AddRow({c.district_code(), c.street(), c.community(),
                  e.head_name_masked(), e.head_id_masked(),
                  absl::StrCat(e.members()), RecommendationKindName(e.kind()),
                  absl::StrCat(e.current_benefit_fen()),
                  absl::StrCat(e.new_benefit_fen()), FormatDate(e.decided()),
                  FormatDate(e.effective())});
      t.AddRow({e.head_name_masked(), e.head_id_masked(),
                absl::StrCat(e.members()), RecommendationKindName(e.kind()),
                FormatYuan(e.current_benefit_fen()),
                FormatYuan(e.new_benefit_fen()), FormatDate(e.decided()),
                FormatDate(e.effective())});
    }
    if (format == OutputFormat::kCsv) continue;
    out << "公示 " << RecommendationStageName(stage) << " " << c.district_code()
        << " " << c.street() << " " << c.community() << ": " << c.households()
        << " households\n";
    Indented(t, out);
    out << "\n";
  }
  if (format == OutputFormat::kCsv) all.Print(OutputFormat::kCsv, out, true);
}

absl::StatusOr<v1::RecommendationStage> ParseStage(absl::string_view text) {
  const std::string lower = absl::AsciiStrToLower(text);
  if (lower == "evaluation" || lower == "evaluate") {
    return v1::RECOMMENDATION_STAGE_EVALUATION;
  }
  if (lower == "review" || lower == "street") {
    return v1::RECOMMENDATION_STAGE_STREET_REVIEW;
  }
  if (lower == "approval" || lower == "approve" || lower == "district") {
    return v1::RECOMMENDATION_STAGE_DISTRICT_APPROVAL;
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "--stage ", text, " is not a stage: evaluation, review or approval"));
}

}  // namespace

int ReportPosting(const Env& env) {
  const CliOptions& o = env.options;
  if (!env.args.empty() || (!o.since.empty() && o.stage.empty())) {
    env.err << "usage: dibaoctl report posting [--district D [--street S "
               "[--community C]]] [--stage evaluation|review|approval "
               "[--since YYYY-MM-DD]] [--format table|csv|jsonl]\n";
    return kExitUsage;
  }
  auto format = ParseOutputFormat(o.format);
  if (!format.ok()) return Fail(env.err, format.status());
  CliOptions long_call = o;
  long_call.deadline = std::max(o.deadline, absl::Minutes(5));
  auto stub = NewStub(o);
  if (!o.stage.empty()) {
    auto stage = ParseStage(o.stage);
    if (!stage.ok()) return Fail(env.err, stage.status());
    v1::PostingListRequest request;
    *request.mutable_area() = AreaFrom(o);
    request.set_stage(*stage);
    if (!o.since.empty()) {
      auto day = ParseDate(o.since);
      if (!day.ok()) return Fail(env.err, day.status());
      *request.mutable_since() = ToProto(*day);
    }
    v1::PostingListResponse response;
    grpc::Status s =
        stub->PostingList(NewContext(long_call).get(), request, &response);
    if (!s.ok()) return Fail(env.err, FromGrpc(s));
    PrintStagePosting(response, *stage, *format, env.out);
    return kExitOk;
  }
  // The communities first, then one call each: a city's lists together do
  // not fit in one message, and the output starts at once.
  v1::PostingListRequest index_request;
  *index_request.mutable_area() = AreaFrom(o);
  index_request.set_communities_only(true);
  v1::PostingListResponse index;
  grpc::Status s =
      stub->PostingList(NewContext(long_call).get(), index_request, &index);
  if (!s.ok()) return Fail(env.err, FromGrpc(s));
  bool first = true;
  for (const v1::CommunityPosting& wanted : index.communities()) {
    v1::PostingListRequest request;
    request.mutable_area()->set_district_code(wanted.district_code());
    request.mutable_area()->set_street(wanted.street());
    request.mutable_area()->set_community(wanted.community());
    v1::PostingListResponse response;
    s = stub->PostingList(NewContext(long_call).get(), request, &response);
    if (!s.ok()) return Fail(env.err, FromGrpc(s));
    PrintPosting(response, *format, first, env.out);
    first = false;
  }
  return kExitOk;
}

int ReportForecast(const Env& env) {
  const CliOptions& o = env.options;
  if (!env.args.empty()) {
    env.err << "usage: dibaoctl report forecast [--district D] [--as-of "
               "YYYY-MM-DD] [--people] [--format table|csv]\n";
    return kExitUsage;
  }
  auto format = ParseOutputFormat(o.format);
  if (!format.ok()) return Fail(env.err, format.status());
  v1::ForecastRequest request;
  request.set_district_code(o.district);
  request.set_list_people(o.people);
  bool has_day = false;
  if (auto s = SetDay(o, request.mutable_as_of(), &has_day); !s.ok()) {
    return Fail(env.err, s);
  }
  if (!has_day) request.clear_as_of();
  CliOptions long_call = o;
  long_call.deadline = std::max(o.deadline, absl::Minutes(10));
  auto context = NewContext(long_call);
  v1::IntakeForecast f;
  grpc::Status s = NewStub(o)->Forecast(context.get(), request, &f);
  if (!s.ok()) return Fail(env.err, FromGrpc(s));
  if (*format == OutputFormat::kJsonl) {
    env.out << ToJsonLine(f) << "\n";
    return kExitOk;
  }
  auto street_name = [](const std::string& s) {
    return s.empty() ? std::string("(unknown street)") : s;
  };
  Table streets({"street", "benefit_ends_1m", "benefit_ends_3m",
                 "benefit_ends_6m", "released_from_custody",
                 "recently_converted"});
  auto row = [&](const std::string& name, const v1::StreetForecast& c) {
    streets.AddRow({name, absl::StrCat(c.benefit_ends_within_1()),
                    absl::StrCat(c.benefit_ends_within_3()),
                    absl::StrCat(c.benefit_ends_within_6()),
                    absl::StrCat(c.released_from_custody()),
                    absl::StrCat(c.recently_converted())});
  };
  for (const auto& c : f.streets()) row(street_name(c.street()), c);
  Table people(
      {"street", "signal", "id_number", "name", "date", "months_left"});
  for (const auto& p : f.people()) {
    people.AddRow({street_name(p.street()),
                   absl::AsciiStrToLower(absl::StripPrefix(
                       v1::IntakeSignal_Name(p.signal()), "INTAKE_SIGNAL_")),
                   p.id_number_masked(), p.name_masked(), FormatDate(p.date()),
                   p.signal() == v1::INTAKE_SIGNAL_BENEFIT_ENDING
                       ? absl::StrCat(p.months_left())
                       : ""});
  }
  if (*format == OutputFormat::kCsv) {
    if (o.people) {
      people.Print(OutputFormat::kCsv, env.out);
    } else {
      row("total", f.total());
      streets.Print(OutputFormat::kCsv, env.out);
    }
    return kExitOk;
  }
  row("total", f.total());
  env.out << "intake-pressure forecast as of " << FormatDate(f.as_of())
          << (f.district_code().empty()
                  ? std::string(", all districts")
                  : absl::StrCat(", district ", f.district_code()))
          << ": people not on the benefit likely to apply\n"
          << "  benefit_ends_Nm: unemployment benefit's first unpaid month "
             "within N months (cumulative)\n"
          << "  released_from_custody: released in the last "
          << f.custody_lookback_months() << " months; recently_converted: "
          << "rural-to-urban conversion in the last "
          << f.conversion_lookback_months() << " months\n"
          << "  " << f.street_rule() << "\n";
  Indented(streets, env.out);
  if (o.people) {
    env.out << "\n";
    Indented(people, env.out);
  }
  return kExitOk;
}

int ReportCliff(const Env& env) {
  const CliOptions& o = env.options;
  if (!env.args.empty() || o.household.empty() || o.wage.empty()) {
    env.err << "usage: dibaoctl report cliff --household H --wage YUAN "
               "[--member ID] [--as-of YYYY-MM-DD] [--format table|csv]\n";
    return kExitUsage;
  }
  auto format = ParseOutputFormat(o.format);
  if (!format.ok()) return Fail(env.err, format.status());
  auto wage = ParseYuan(o.wage);
  if (!wage.ok()) return Fail(env.err, wage.status());
  v1::CliffRequest request;
  request.set_household_id(o.household);
  request.set_wage_fen(*wage);
  request.set_member_id_number(o.member);
  bool has_day = false;
  if (auto s = SetDay(o, request.mutable_as_of(), &has_day); !s.ok()) {
    return Fail(env.err, s);
  }
  if (!has_day) request.clear_as_of();
  auto context = NewContext(o);
  v1::BenefitCliff c;
  grpc::Status s = NewStub(o)->Cliff(context.get(), request, &c);
  if (!s.ok()) return Fail(env.err, FromGrpc(s));
  if (*format == OutputFormat::kJsonl) {
    env.out << ToJsonLine(c) << "\n";
    return kExitOk;
  }
  Table t({"situation", "month", "benefit", "wage", "household_income",
           "net_gain"});
  const bool csv = *format == OutputFormat::kCsv;
  auto money = [csv](int64_t fen) {
    return csv ? absl::StrCat(fen) : FormatYuan(fen);
  };
  for (const v1::CliffScenario* sc : {&c.without_job(), &c.with_job()}) {
    t.AddRow({sc->name(), "", money(sc->benefit_fen()), money(sc->wage_fen()),
              money(sc->household_income_fen()), money(sc->net_gain_fen())});
  }
  for (const auto& m : c.gradual_exit()) {
    t.AddRow({"with the job, gradual exit", absl::StrCat(m.month()),
              money(m.benefit_fen()), money(m.wage_fen()),
              money(m.household_income_fen()), money(m.net_gain_fen())});
  }
  if (csv) {
    t.Print(OutputFormat::kCsv, env.out);
    return kExitOk;
  }
  env.out << "benefit cliff for household " << c.household_id() << " as of "
          << FormatDate(c.as_of()) << " (policy \"" << c.policy_version()
          << "\")\n"
          << "  member taking the job: " << c.member_name() << " ("
          << c.member_id_number() << "), " << c.member_reason() << "\n"
          << "  wage " << FormatYuan(c.wage_fen())
          << " yuan/month; cost of going to work "
          << FormatYuan(c.work_expense_fen())
          << " yuan/month; benefit paid now "
          << FormatYuan(c.current_benefit_fen()) << " yuan/month\n\n";
  Indented(t, env.out);
  for (const v1::CliffScenario* sc : {&c.without_job(), &c.with_job()}) {
    env.out << "\n" << sc->name() << ":\n";
    for (const auto& line : sc->explanation()) env.out << "  " << line << "\n";
  }
  env.out << "\ngradual exit (" << c.gradual_exit_months() << " months):\n";
  for (const auto& m : c.gradual_exit()) {
    env.out << "  month " << m.month() << ": " << m.explanation()
            << "; net gain " << FormatYuan(m.net_gain_fen()) << " yuan\n";
  }
  env.out << "\nin short:\n";
  for (const auto& line : c.explanation()) env.out << "  " << line << "\n";
  return kExitOk;
}

int SpotCheckDraw(const Env& env) {
  const CliOptions& o = env.options;
  if (!env.args.empty() || !o.seed_given || o.fraction == 0) {
    env.err << "usage: dibaoctl spot-check draw --fraction F --seed S "
               "[--stratify none|street|community] [--district D [--street "
               "S [--community C]]] [--note TEXT] [--format table|csv]\n"
               "  F in (0, 1]; the same seed, fraction, stratification and "
               "households give the same sample\n";
    return kExitUsage;
  }
  auto format = ParseOutputFormat(o.format);
  if (!format.ok()) return Fail(env.err, format.status());
  auto stratify = ParseStratify(o.stratify);
  if (!stratify.ok()) return Fail(env.err, stratify.status());
  v1::DrawSampleRequest request;
  *request.mutable_area() = AreaFrom(o);
  request.set_fraction(o.fraction);
  request.set_seed(o.seed);
  request.set_stratify(*stratify);
  request.set_note(o.note);
  auto context = NewContext(o);
  v1::SpotCheckSample sample;
  grpc::Status s = NewStub(o)->DrawSample(context.get(), request, &sample);
  if (!s.ok()) return Fail(env.err, FromGrpc(s));
  PrintSample(sample, *format, env.out);
  return kExitOk;
}

int SpotCheckList(const Env& env) {
  const CliOptions& o = env.options;
  if (!env.args.empty()) {
    env.err
        << "usage: dibaoctl spot-check list [--limit N] [--format table|csv]\n";
    return kExitUsage;
  }
  auto format = ParseOutputFormat(o.format);
  if (!format.ok()) return Fail(env.err, format.status());
  v1::ListSamplesRequest request;
  request.set_limit(o.limit);
  auto context = NewContext(o);
  v1::ListSamplesResponse response;
  grpc::Status s = NewStub(o)->ListSamples(context.get(), request, &response);
  if (!s.ok()) return Fail(env.err, FromGrpc(s));
  if (*format == OutputFormat::kJsonl) {
    for (const auto& x : response.samples()) env.out << ToJsonLine(x) << "\n";
    return kExitOk;
  }
  Table t({"sample", "drawn_at", "drawn_by", "area", "fraction", "seed",
           "stratify", "population", "drawn", "note"});
  for (const auto& x : response.samples()) {
    int64_t drawn = 0;
    for (const auto& st : x.strata()) drawn += st.drawn();
    t.AddRow({absl::StrCat(x.sample_seq()), When(x.drawn_at()), x.drawn_by(),
              AreaText(x.area()), absl::StrFormat("%g", x.fraction()),
              absl::StrCat(x.seed()), StratifyName(x.stratify()),
              absl::StrCat(x.population()), absl::StrCat(drawn), x.note()});
  }
  t.Print(*format, env.out);
  return kExitOk;
}

int SpotCheckShow(const Env& env) {
  int64_t seq = 0;
  if (env.args.size() != 1 || !absl::SimpleAtoi(env.args[0], &seq)) {
    env.err << "usage: dibaoctl spot-check show SAMPLE_NUMBER [--format "
               "table|csv]\n";
    return kExitUsage;
  }
  auto format = ParseOutputFormat(env.options.format);
  if (!format.ok()) return Fail(env.err, format.status());
  v1::GetSampleRequest request;
  request.set_sample_seq(seq);
  auto context = NewContext(env.options);
  v1::SpotCheckSample sample;
  grpc::Status s =
      NewStub(env.options)->GetSample(context.get(), request, &sample);
  if (!s.ok()) return Fail(env.err, FromGrpc(s));
  PrintSample(sample, *format, env.out);
  return kExitOk;
}

}  // namespace dibao::cli
