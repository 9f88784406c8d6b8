// dibaoctl cycle ..., flags ..., assessment show and check: running the
// matching cycle, reading its flags and reassessments, and the intake check.
#include <map>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "base/clock.h"
#include "base/dates.h"
#include "base/money.h"
#include "cli/commands.h"
#include "cli/table.h"
#include "dibao/v1/matching.grpc.pb.h"
#include "formats/feed_format.h"
#include "formats/feed_kinds.h"
#include "formats/names.h"
#include "formats/registry_format.h"
#include "google/protobuf/util/time_util.h"

namespace dibao::cli {
namespace {

// A cycle may take minutes on a province; it is one unary call.
constexpr absl::Duration kCycleDeadline = absl::Hours(2);

std::unique_ptr<v1::CycleService::Stub> NewStub(const CliOptions& options) {
  return v1::CycleService::NewStub(Connect(options));
}

void PrintReport(const v1::CycleReport& r, std::ostream& out) {
  out << "cycle " << r.cycle_seq() << " as of " << FormatDate(r.as_of())
      << (r.full() ? " (full" : " (changed households")
      << (r.full_reason().empty() ? "" : absl::StrCat(": ", r.full_reason()))
      << "), policy \"" << r.policy_version() << "\""
      << (r.resumed() ? ", resumed after an interruption" : "") << "\n";
  out << "  " << r.households_assessed() << " households assessed";
  if (!r.full()) {
    out << " (marked by feeds " << r.households_from_feeds()
        << ", changed in the registry " << r.households_from_registry()
        << ", due by date " << r.households_due() << ")";
  }
  out << ", " << r.households_failed() << " failed, in "
      << absl::StrFormat(
             "%.2f s", google::protobuf::util::TimeUtil::DurationToMilliseconds(
                           r.duration()) /
                           1000.0)
      << "\n";
  for (const std::string& p : r.problems()) out << "  problem: " << p << "\n";
  Table t(
      {"rule", "new", "still_open", "updated", "auto_resolved", "reopened"});
  for (const auto& c : r.rules()) {
    t.AddRow({c.rule(), absl::StrCat(c.new_flags()),
              absl::StrCat(c.still_open()), absl::StrCat(c.updated()),
              absl::StrCat(c.auto_resolved()), absl::StrCat(c.reopened())});
  }
  t.Print(OutputFormat::kTable, out);
}

}  // namespace

void PrintFlagHistory(const v1::Flag& f, std::ostream& out) {
  if (!f.reopened_reason().empty()) {
    out << "  " << f.reopened_reason() << "\n";
  }
  if (f.evidence_size() < 2) return;
  out << "  evidence versions (the flag kept its identity through them):\n";
  Table t({"seen_from", "batches", "est_overpayment_yuan", "summary"});
  for (const v1::EvidenceVersion& v : f.evidence()) {
    t.AddRow({FormatDate(v.seen_from()), absl::StrJoin(v.batch_ids(), " "),
              FormatYuan(v.est_monthly_overpayment_fen()), v.summary()});
  }
  std::ostringstream text;
  t.Print(OutputFormat::kTable, text);
  for (absl::string_view line : absl::StrSplit(text.str(), '\n')) {
    if (!line.empty()) out << "    " << line << "\n";
  }
}

void PrintFinding(const v1::Finding& f, std::ostream& out) {
  out << "  " << f.rule() << " (" << SeverityName(f.severity()) << ")"
      << (f.id_number().empty() ? "" : absl::StrCat(" member ", f.id_number()))
      << ": " << f.summary() << "\n";
  Table t({"agency", "kind", "batch", "valid_from", "valid_to", "values"});
  for (const v1::Fact& fact : f.facts()) {
    const FeedKindSpec* spec = FindFeedKind(fact.kind());
    t.AddRow({AgencyName(fact.agency()), spec ? spec->name : "?",
              fact.batch_id(), FormatDate(fact.valid_from()),
              fact.has_valid_to() ? FormatDate(fact.valid_to()) : "current",
              FactValuesText(fact)});
  }
  if (t.size() > 0) {
    out << "  partner facts:\n";
    std::ostringstream text;
    t.Print(OutputFormat::kTable, text);
    for (absl::string_view line : absl::StrSplit(text.str(), '\n')) {
      if (!line.empty()) out << "    " << line << "\n";
    }
  }
  if (f.reported_size() > 0) {
    out << "  reported:\n";
    for (const auto& r : f.reported()) {
      out << "    " << r.field() << " = " << r.value() << "\n";
    }
  }
  out << "  estimated monthly overpayment: "
      << FormatYuan(f.est_monthly_overpayment_fen()) << " yuan\n";
  for (const std::string& line : f.overpayment_explanation()) {
    out << "    " << line << "\n";
  }
}

int CycleRun(const Env& env) {
  const CliOptions& o = env.options;
  const std::string as_of_text = o.as_of;
  if (!env.args.empty() || as_of_text.empty()) {
    env.err << "usage: dibaoctl cycle run --as-of YYYY-MM-DD [--full]\n";
    return kExitUsage;
  }
  auto as_of = ParseDate(as_of_text);
  if (!as_of.ok()) return Fail(env.err, as_of.status());
  auto format = ParseOutputFormat(o.format);
  if (!format.ok()) return Fail(env.err, format.status());
  v1::RunCycleRequest request;
  *request.mutable_as_of() = ToProto(*as_of);
  request.set_full(o.full);
  CliOptions long_call = o;
  long_call.deadline = std::max(o.deadline, kCycleDeadline);
  auto context = NewContext(long_call);
  v1::CycleReport report;
  grpc::Status s = NewStub(o)->RunCycle(context.get(), request, &report);
  if (!s.ok()) return Fail(env.err, FromGrpc(s));
  if (*format == OutputFormat::kJsonl) {
    env.out << ToJsonLine(report) << "\n";
  } else {
    PrintReport(report, env.out);
  }
  return report.households_failed() == 0 ? kExitOk : kExitPartial;
}

int CycleList(const Env& env) {
  auto format = ParseOutputFormat(env.options.format);
  if (!format.ok()) return Fail(env.err, format.status());
  v1::ListCyclesRequest request;
  request.set_limit(env.options.limit);
  auto context = NewContext(env.options);
  v1::ListCyclesResponse response;
  grpc::Status s =
      NewStub(env.options)->ListCycles(context.get(), request, &response);
  if (!s.ok()) return Fail(env.err, FromGrpc(s));
  if (*format == OutputFormat::kJsonl) {
    for (const auto& c : response.cycles()) env.out << ToJsonLine(c) << "\n";
    return kExitOk;
  }
  Table t({"cycle", "as_of", "full", "policy", "assessed", "failed", "new",
           "auto_resolved", "started_at", "duration_ms", "run_by"});
  for (const auto& c : response.cycles()) {
    int64_t fresh = 0, resolved = 0;
    for (const auto& r : c.rules()) {
      fresh += r.new_flags();
      resolved += r.auto_resolved();
    }
    t.AddRow(
        {absl::StrCat(c.cycle_seq()), FormatDate(c.as_of()),
         c.full() ? "yes" : "no", c.policy_version(),
         absl::StrCat(c.households_assessed()),
         absl::StrCat(c.households_failed()), absl::StrCat(fresh),
         absl::StrCat(resolved),
         absl::FormatTime("%Y-%m-%d %H:%M:%S", FromProto(c.started_at()),
                          BureauTimeZone()),
         absl::StrCat(google::protobuf::util::TimeUtil::DurationToMilliseconds(
             c.duration())),
         c.run_by()});
  }
  t.Print(*format, env.out);
  return kExitOk;
}

int FlagsList(const Env& env) {
  const CliOptions& o = env.options;
  if (!env.args.empty()) {
    env.err << "usage: dibaoctl flags list [--rule R] [--state S] "
               "[--household ID] [--format table|csv|jsonl]\n";
    return kExitUsage;
  }
  auto format = ParseOutputFormat(o.format);
  if (!format.ok()) return Fail(env.err, format.status());
  v1::ListFlagsRequest request;
  request.set_rule(absl::AsciiStrToUpper(o.rule));
  if (!o.state.empty()) {
    auto state = ParseFlagState(o.state);
    if (!state.ok()) return Fail(env.err, state.status());
    request.set_state(*state);
  }
  request.set_household_id(o.household);
  request.set_page_size(o.page_size);
  auto stub = NewStub(o);
  Table t({"flag_id", "household_id", "id_number", "rule", "state", "severity",
           "est_monthly_overpayment_fen", "first_seen", "last_seen",
           "summary"});
  do {
    auto context = NewContext(o);
    v1::ListFlagsResponse response;
    grpc::Status s = stub->ListFlags(context.get(), request, &response);
    if (!s.ok()) return Fail(env.err, FromGrpc(s));
    for (const v1::Flag& f : response.flags()) {
      if (*format == OutputFormat::kJsonl) {
        env.out << ToJsonLine(f) << "\n";
        continue;
      }
      t.AddRow({f.flag_id(), f.household_id(), f.finding().id_number(),
                f.finding().rule(), FlagStateName(f.state()),
                SeverityName(f.finding().severity()),
                absl::StrCat(f.finding().est_monthly_overpayment_fen()),
                FormatDate(f.first_seen()), FormatDate(f.last_seen()),
                f.finding().summary()});
    }
    request.set_page_token(response.next_page_token());
  } while (!request.page_token().empty());
  if (*format != OutputFormat::kJsonl) t.Print(*format, env.out);
  return kExitOk;
}

int FlagsShow(const Env& env) {
  if (env.args.size() != 1) {
    env.err << "usage: dibaoctl flags show FLAG_ID\n";
    return kExitUsage;
  }
  auto format = ParseOutputFormat(env.options.format);
  if (!format.ok()) return Fail(env.err, format.status());
  v1::GetFlagRequest request;
  request.set_flag_id(env.args[0]);
  auto context = NewContext(env.options);
  v1::Flag f;
  grpc::Status s = NewStub(env.options)->GetFlag(context.get(), request, &f);
  if (!s.ok()) return Fail(env.err, FromGrpc(s));
  if (*format == OutputFormat::kJsonl) {
    env.out << ToJsonLine(f) << "\n";
    return kExitOk;
  }
  env.out << "flag " << f.flag_id() << " " << FlagStateName(f.state())
          << ", household " << f.household_id() << " (" << f.district_code()
          << " " << f.street() << " " << f.community() << "), first seen "
          << FormatDate(f.first_seen()) << ", last seen "
          << FormatDate(f.last_seen()) << ", policy \"" << f.policy_version()
          << "\"\n";
  if (!f.resolved_reason().empty()) {
    env.out << "  resolved on " << FormatDate(f.resolved_on()) << ": "
            << f.resolved_reason() << "\n";
  }
  PrintFinding(f.finding(), env.out);
  PrintFlagHistory(f, env.out);
  return kExitOk;
}

int AssessmentShow(const Env& env) {
  if (env.args.size() != 1) {
    env.err << "usage: dibaoctl assessment show HOUSEHOLD_ID\n";
    return kExitUsage;
  }
  auto format = ParseOutputFormat(env.options.format);
  if (!format.ok()) return Fail(env.err, format.status());
  v1::GetAssessmentRequest request;
  request.set_household_id(env.args[0]);
  auto context = NewContext(env.options);
  v1::Assessment a;
  grpc::Status s =
      NewStub(env.options)->GetAssessment(context.get(), request, &a);
  if (!s.ok()) return Fail(env.err, FromGrpc(s));
  if (*format == OutputFormat::kJsonl) {
    env.out << ToJsonLine(a) << "\n";
    return kExitOk;
  }
  env.out << "household " << a.household_id() << " as of "
          << FormatDate(a.as_of()) << ":\n";
  for (const std::string& line : a.explanation()) {
    env.out << "  " << line << "\n";
  }
  return kExitOk;
}

int Check(const Env& env) {
  const CliOptions& o = env.options;
  if (!env.args.empty() || o.households.empty() || o.members.empty()) {
    env.err << "usage: dibaoctl check --households FILE --members FILE "
               "[--as-of YYYY-MM-DD]\n";
    return kExitUsage;
  }
  auto format = ParseOutputFormat(o.format);
  if (!format.ok()) return Fail(env.err, format.status());
  std::vector<std::string> problems;
  auto bad = [&](const std::string& file) {
    return [&, file](RowError e) {
      problems.push_back(absl::StrCat(file, ":", e.line, ": ",
                                      e.field.empty() ? "" : e.field + ": ",
                                      e.reason));
    };
  };
  std::map<std::string, std::vector<v1::Member>> members;
  {
    auto file_format = ChooseFileFormat(o.members, o.input_format);
    if (!file_format.ok()) return Fail(env.err, file_format.status());
    auto in = OpenInput(o, o.members);
    if (!in.ok()) return Fail(env.err, in.status());
    absl::Status s =
        ReadMembers((*in)->stream(), *file_format,
                    [&](int64_t, v1::Member m) {
                      members[m.household_id()].push_back(std::move(m));
                    },
                    bad(o.members));
    if (!s.ok()) return Fail(env.err, s);
  }
  std::vector<v1::Household> households;
  {
    auto file_format = ChooseFileFormat(o.households, o.input_format);
    if (!file_format.ok()) return Fail(env.err, file_format.status());
    auto in = OpenInput(o, o.households);
    if (!in.ok()) return Fail(env.err, in.status());
    absl::Status s = ReadHouseholds(
        (*in)->stream(), *file_format,
        [&](int64_t, v1::Household h) { households.push_back(std::move(h)); },
        bad(o.households));
    if (!s.ok()) return Fail(env.err, s);
  }
  if (!problems.empty()) {
    for (const std::string& p : problems) env.err << "error: " << p << "\n";
    return kExitFailed;
  }
  if (households.empty()) {
    return Fail(env.err, absl::InvalidArgumentError(
                             absl::StrCat(o.households, " has no household")));
  }
  v1::CheckApplicantRequest request;
  const std::string as_of_text = o.as_of;
  if (!as_of_text.empty()) {
    auto day = ParseDate(as_of_text);
    if (!day.ok()) return Fail(env.err, day.status());
    *request.mutable_as_of() = ToProto(*day);
  }
  auto stub = NewStub(o);
  int failed = 0;
  for (v1::Household& h : households) {
    for (v1::Member& m : members[h.household_id()]) {
      *h.add_members() = std::move(m);
    }
    *request.mutable_household() = h;
    auto context = NewContext(o);
    v1::CheckApplicantResponse r;
    grpc::Status s = stub->CheckApplicant(context.get(), request, &r);
    if (!s.ok()) {
      ++failed;
      env.err << "household " << h.household_id() << ": ";
      Fail(env.err, FromGrpc(s));
      continue;
    }
    if (*format == OutputFormat::kJsonl) {
      env.out << ToJsonLine(r) << "\n";
      continue;
    }
    const v1::Assessment& a = r.assessment();
    env.out << "household " << h.household_id() << " (" << h.members_size()
            << " members) as of " << FormatDate(a.as_of()) << ": "
            << (r.eligible()
                    ? absl::StrCat("ELIGIBLE, top-up ",
                                   FormatYuan(a.top_up_fen()), " yuan/month")
                    : "NOT ELIGIBLE")
            << "\n";
    for (const std::string& w : r.warnings()) {
      env.out << "  warning: " << w << "\n";
    }
    env.out << " assessment:\n";
    for (const std::string& line : a.explanation()) {
      env.out << "  " << line << "\n";
    }
    env.out << " findings: " << r.findings_size() << "\n";
    for (const v1::Finding& f : r.findings()) PrintFinding(f, env.out);
  }
  return failed == 0 ? kExitOk : kExitFailed;
}

}  // namespace dibao::cli
