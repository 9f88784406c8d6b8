// dibaoctl review ... and audit ...: the caseworker's morning. The queue in
// priority order, a case with its evidence, and the decisions on it; the
// audit trail behind them.
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "base/clock.h"
#include "base/dates.h"
#include "base/money.h"
#include "base/resident_id.h"
#include "cli/commands.h"
#include "cli/table.h"
#include "dibao/v1/audit.grpc.pb.h"
#include "dibao/v1/review.grpc.pb.h"
#include "formats/names.h"
#include "formats/registry_format.h"
#include "google/protobuf/util/time_util.h"

namespace dibao::cli {
namespace {

std::unique_ptr<v1::ReviewService::Stub> ReviewStub(const CliOptions& o) {
  return v1::ReviewService::NewStub(Connect(o));
}

std::unique_ptr<v1::AuditService::Stub> AuditStub(const CliOptions& o) {
  return v1::AuditService::NewStub(Connect(o));
}

// "2026-11-02 09:00" in the bureau's time zone.
std::string When(const google::protobuf::Timestamp& t) {
  return absl::FormatTime("%Y-%m-%d %H:%M", FromProto(t), BureauTimeZone());
}

// The one FLAG_ID argument of a command that changes a flag, with the
// caseworker it needs.
bool FlagArgument(const Env& env, absl::string_view usage) {
  if (env.args.size() != 1) {
    env.err << "usage: dibaoctl " << usage << "\n";
    return false;
  }
  return true;
}

// confirm / dismiss / needs-visit as the state it leads to.
absl::StatusOr<v1::FlagState> ParseDecision(absl::string_view text,
                                            bool needs_visit_ok) {
  std::string t = absl::AsciiStrToLower(text);
  if (t == "confirm" || t == "confirmed") return v1::FLAG_STATE_CONFIRMED;
  if (t == "dismiss" || t == "dismissed") return v1::FLAG_STATE_DISMISSED;
  if (needs_visit_ok &&
      (t == "needs-visit" || t == "needs_visit" || t == "visit")) {
    return v1::FLAG_STATE_NEEDS_VISIT;
  }
  return absl::InvalidArgumentError(
      absl::StrCat("\"", text, "\" is not one of confirm, dismiss",
                   needs_visit_ok ? ", needs-visit" : ""));
}

absl::StatusOr<v1::DismissReason> ReasonOf(const CliOptions& o) {
  if (o.reason.empty()) return v1::DISMISS_REASON_UNSPECIFIED;
  return ParseDismissReason(o.reason);
}

// Prints what a change left the flag as.
int Changed(const Env& env, const grpc::Status& s, const v1::Flag& flag) {
  if (!s.ok()) return Fail(env.err, FromGrpc(s));
  env.out << "flag " << flag.flag_id() << " is " << FlagStateName(flag.state())
          << (flag.assignee().empty()
                  ? std::string()
                  : absl::StrCat(", worked by ", flag.assignee()))
          << " (version " << flag.version() << ")\n";
  return kExitOk;
}

void PrintDecisions(const v1::Flag& f, std::ostream& out) {
  for (const auto& d : f.decisions()) {
    out << "  " << When(d.at()) << " " << d.by() << ": "
        << (d.visit_result() ? "visit result " : "") << FlagStateName(d.state())
        << (d.reason() == v1::DISMISS_REASON_UNSPECIFIED
                ? std::string()
                : absl::StrCat(" (", DismissReasonCode(d.reason()), ")"))
        << ": " << d.note() << "\n";
  }
  for (const auto& c : f.comments()) {
    out << "  " << When(c.at()) << " " << c.by() << " commented: " << c.text()
        << "\n";
  }
}

std::string ActionName(v1::AuditAction a) {
  return std::string(
      absl::StripPrefix(v1::AuditAction_Name(a), "AUDIT_ACTION_"));
}

void AddEntry(const v1::AuditEntry& e, Table* t) {
  // Whose data a read was: a person's ID, masked like every table's.
  t->AddRow({absl::StrCat(e.seq()), When(e.at()), e.actor(),
             ActionName(e.action()), e.household_id(), e.flag_id(),
             e.recommendation_id(), e.detail(), e.purpose(),
             e.subject().empty() ? "" : MaskId(e.subject())});
}

Table EntryTable() {
  return Table({"seq", "at", "actor", "action", "household", "flag",
                "recommendation", "detail", "purpose", "subject"});
}

}  // namespace

int ReviewList(const Env& env) {
  const CliOptions& o = env.options;
  if (!env.args.empty()) {
    env.err << "usage: dibaoctl review list [--district D --street S "
               "--community C --rule R --state S[,S] --severity MIN "
               "--min-age-days N --assignee ID|-] [--limit N]\n";
    return kExitUsage;
  }
  auto format = ParseOutputFormat(o.format);
  if (!format.ok()) return Fail(env.err, format.status());
  v1::ListQueueRequest request;
  v1::QueueFilter* f = request.mutable_filter();
  f->set_district_code(o.district);
  f->set_street(o.street);
  f->set_community(o.community);
  f->set_rule(absl::AsciiStrToUpper(o.rule));
  for (absl::string_view s : absl::StrSplit(o.state, ',', absl::SkipEmpty())) {
    auto state = ParseFlagState(absl::StripAsciiWhitespace(s));
    if (!state.ok()) return Fail(env.err, state.status());
    f->add_states(*state);
  }
  if (!o.severity.empty()) {
    v1::Severity severity;
    if (!v1::Severity_Parse(
            absl::StrCat("SEVERITY_", absl::AsciiStrToUpper(o.severity)),
            &severity)) {
      return Fail(env.err, absl::InvalidArgumentError(absl::StrCat(
                               "severity \"", o.severity,
                               "\" is not one of INFO, LOW, MEDIUM, HIGH")));
    }
    f->set_min_severity(severity);
  }
  f->set_min_age_days(o.min_age_days);
  f->set_assignee(o.assignee);
  if (!o.sort.empty()) {
    std::string name = absl::AsciiStrToUpper(o.sort);
    absl::StrReplaceAll({{"-", "_"}}, &name);
    v1::QueueOrder order;
    if (!v1::QueueOrder_Parse(absl::StrCat("QUEUE_ORDER_", name), &order)) {
      return Fail(env.err, absl::InvalidArgumentError(absl::StrCat(
                               "sort \"", o.sort,
                               "\" is not one of priority, overpayment, age, "
                               "severity, flag-id")));
    }
    request.set_order(order);
  }
  // --limit: how many of the top flags to show (default 20); 0 < limit.
  const int limit = o.limit > 0 ? o.limit : 20;
  request.set_page_size(std::min(limit, 1000));

  auto stub = ReviewStub(o);
  Table t({"priority", "flag", "state", "severity", "rule", "household",
           "street", "community", "overpay_month", "age_days", "assignee",
           "summary"});
  v1::ListQueueResponse first;
  int shown = 0;
  while (shown < limit) {
    auto context = NewContext(o);
    v1::ListQueueResponse page;
    grpc::Status s = stub->ListQueue(context.get(), request, &page);
    if (!s.ok()) return Fail(env.err, FromGrpc(s));
    if (shown == 0) first = page;
    for (const auto& item : page.items()) {
      if (shown++ >= limit) break;
      const v1::Flag& fl = item.flag();
      if (*format == OutputFormat::kJsonl) {
        env.out << ToJsonLine(item) << "\n";
        continue;
      }
      t.AddRow({absl::StrCat(item.priority()), fl.flag_id(),
                FlagStateName(fl.state()),
                SeverityName(fl.finding().severity()), fl.finding().rule(),
                fl.household_id(), fl.street(), fl.community(),
                FormatYuan(fl.finding().est_monthly_overpayment_fen()),
                absl::StrCat(item.age_days()), fl.assignee(),
                fl.finding().summary()});
    }
    if (page.next_page_token().empty()) break;
    request.set_page_token(page.next_page_token());
  }
  if (*format == OutputFormat::kJsonl) return kExitOk;
  if (*format == OutputFormat::kCsv) {
    t.Print(OutputFormat::kCsv, env.out);
    return kExitOk;
  }
  std::vector<std::string> by_rule, by_state;
  for (const auto& c : first.by_rule()) {
    by_rule.push_back(absl::StrCat(c.key(), " ", c.count()));
  }
  for (const auto& c : first.by_state()) {
    by_state.push_back(absl::StrCat(c.key(), " ", c.count()));
  }
  env.out << first.total() << " flags match, "
          << FormatYuan(first.total_overpayment_fen())
          << " yuan a month at stake; showing the top " << t.size() << "\n"
          << "  by rule: "
          << (by_rule.empty() ? "-" : absl::StrJoin(by_rule, ", ")) << "\n"
          << "  by state: "
          << (by_state.empty() ? "-" : absl::StrJoin(by_state, ", ")) << "\n"
          << "  priority = " << first.priority_formula() << "\n";
  t.Print(OutputFormat::kTable, env.out);
  return kExitOk;
}

int ReviewShow(const Env& env) {
  if (env.args.size() != 1) {
    env.err << "usage: dibaoctl review show FLAG_ID\n";
    return kExitUsage;
  }
  auto format = ParseOutputFormat(env.options.format);
  if (!format.ok()) return Fail(env.err, format.status());
  v1::GetCaseRequest request;
  request.set_flag_id(env.args[0]);
  auto context = NewContext(env.options);
  v1::Case c;
  grpc::Status s = ReviewStub(env.options)->GetCase(context.get(), request, &c);
  if (!s.ok()) return Fail(env.err, FromGrpc(s));
  if (*format == OutputFormat::kJsonl) {
    env.out << ToJsonLine(c) << "\n";
    return kExitOk;
  }
  const v1::Flag& f = c.item().flag();
  const v1::Household& h = c.household();
  std::ostream& out = env.out;
  out << "flag " << f.flag_id() << " " << FlagStateName(f.state())
      << " (version " << f.version() << "), priority " << c.item().priority()
      << ", first seen " << FormatDate(f.first_seen()) << " ("
      << c.item().age_days() << " days), last seen "
      << FormatDate(f.last_seen())
      << (f.assignee().empty() ? ", unclaimed"
                               : absl::StrCat(", worked by ", f.assignee()))
      << "\n";
  if (!f.resolved_reason().empty()) {
    out << "  resolved on " << FormatDate(f.resolved_on()) << ": "
        << f.resolved_reason() << "\n";
  }
  PrintFinding(f.finding(), out);
  PrintFlagHistory(f, out);
  if (f.decisions_size() + f.comments_size() > 0) {
    out << "decisions and comments:\n";
    PrintDecisions(f, out);
  }
  out << "household " << h.household_id() << " (" << ShortName(h.status())
      << ") " << h.district_code() << " " << h.street() << " " << h.community()
      << ", " << h.residence_address() << "; benefit "
      << FormatYuan(h.monthly_benefit_fen()) << " yuan/month since "
      << FormatDate(h.benefit_start_date()) << ", registry version "
      << h.version() << "\n";
  Table members({"id_number", "name", "sex", "born", "relation", "reported",
                 "income", "disabled"});
  for (const auto& m : h.members()) {
    members.AddRow({m.id_number(), m.name(), ShortName(m.sex()),
                    FormatDate(m.birth_date()), m.relation(),
                    ShortName(m.reported_status()),
                    FormatYuan(m.reported_monthly_income_fen()),
                    m.disabled() ? "yes" : ""});
  }
  {
    std::ostringstream text;
    members.Print(OutputFormat::kTable, text);
    for (absl::string_view line : absl::StrSplit(text.str(), '\n')) {
      if (!line.empty()) out << "  " << line << "\n";
    }
  }
  if (c.has_assessment()) {
    out << "reassessment as of " << FormatDate(c.assessment().as_of()) << ":\n";
    for (const std::string& line : c.assessment().explanation()) {
      out << "  " << line << "\n";
    }
  } else {
    out << "reassessment: none (" << c.assessment_problem() << ")\n";
  }
  if (c.other_flags_size() > 0) {
    out << "other flags of this household:\n";
    for (const auto& o : c.other_flags()) {
      out << "  " << o.flag_id() << " " << FlagStateName(o.state()) << " "
          << o.finding().rule() << ": " << o.finding().summary() << "\n";
    }
  }
  out << "history (audit trail):\n";
  for (const auto& e : c.history()) {
    out << "  #" << e.seq() << " " << When(e.at()) << " " << e.actor() << " "
        << ActionName(e.action())
        << (e.flag_id().empty() ? "" : absl::StrCat(" ", e.flag_id())) << ": "
        << e.detail() << "\n";
  }
  return kExitOk;
}

int ReviewClaim(const Env& env) {
  if (!FlagArgument(env, "review claim FLAG_ID")) {
    return kExitUsage;
  }
  v1::ClaimRequest request;
  request.set_flag_id(env.args[0]);
  request.set_expected_version(env.options.version);
  auto context = NewContext(env.options);
  v1::Flag flag;
  grpc::Status s =
      ReviewStub(env.options)->Claim(context.get(), request, &flag);
  return Changed(env, s, flag);
}

int ReviewAssign(const Env& env) {
  if (!FlagArgument(env, "review assign FLAG_ID --to ID")) {
    return kExitUsage;
  }
  if (env.options.to.empty()) {
    env.err << "usage: dibaoctl review assign FLAG_ID --to ID\n";
    return kExitUsage;
  }
  v1::AssignRequest request;
  request.set_flag_id(env.args[0]);
  request.set_assignee(env.options.to);
  request.set_expected_version(env.options.version);
  auto context = NewContext(env.options);
  v1::Flag flag;
  grpc::Status s =
      ReviewStub(env.options)->Assign(context.get(), request, &flag);
  return Changed(env, s, flag);
}

int ReviewComment(const Env& env) {
  if (!FlagArgument(env, "review comment FLAG_ID --note TEXT")) {
    return kExitUsage;
  }
  if (env.options.note.empty()) {
    env.err << "usage: dibaoctl review comment FLAG_ID --note TEXT\n";
    return kExitUsage;
  }
  v1::CommentRequest request;
  request.set_flag_id(env.args[0]);
  request.set_text(env.options.note);
  request.set_expected_version(env.options.version);
  auto context = NewContext(env.options);
  v1::Flag flag;
  grpc::Status s =
      ReviewStub(env.options)->Comment(context.get(), request, &flag);
  return Changed(env, s, flag);
}

int ReviewDecide(const Env& env) {
  constexpr char kUsage[] =
      "review decide FLAG_ID --decision confirm|dismiss|needs-visit "
      "[--reason CODE] --note TEXT";
  if (!FlagArgument(env, kUsage)) return kExitUsage;
  const CliOptions& o = env.options;
  if (o.decision.empty() || o.note.empty()) {
    env.err << "usage: dibaoctl " << kUsage << "\n";
    return kExitUsage;
  }
  auto decision = ParseDecision(o.decision, true);
  if (!decision.ok()) return Fail(env.err, decision.status());
  auto reason = ReasonOf(o);
  if (!reason.ok()) return Fail(env.err, reason.status());
  v1::DecideRequest request;
  request.set_flag_id(env.args[0]);
  request.set_decision(*decision);
  request.set_reason(*reason);
  request.set_note(o.note);
  request.set_expected_version(o.version);
  auto context = NewContext(o);
  v1::Flag flag;
  grpc::Status s = ReviewStub(o)->Decide(context.get(), request, &flag);
  return Changed(env, s, flag);
}

int ReviewVisit(const Env& env) {
  constexpr char kUsage[] =
      "review visit FLAG_ID --result confirm|dismiss [--reason CODE] "
      "--note TEXT";
  if (!FlagArgument(env, kUsage)) return kExitUsage;
  const CliOptions& o = env.options;
  if (o.result.empty() || o.note.empty()) {
    env.err << "usage: dibaoctl " << kUsage << "\n";
    return kExitUsage;
  }
  auto result = ParseDecision(o.result, false);
  if (!result.ok()) return Fail(env.err, result.status());
  auto reason = ReasonOf(o);
  if (!reason.ok()) return Fail(env.err, reason.status());
  v1::RecordVisitRequest request;
  request.set_flag_id(env.args[0]);
  request.set_result(*result);
  request.set_reason(*reason);
  request.set_note(o.note);
  request.set_expected_version(o.version);
  auto context = NewContext(o);
  v1::Flag flag;
  grpc::Status s = ReviewStub(o)->RecordVisit(context.get(), request, &flag);
  return Changed(env, s, flag);
}

int AuditVerify(const Env& env) {
  if (!env.args.empty()) {
    env.err << "usage: dibaoctl audit verify\n";
    return kExitUsage;
  }
  auto context = NewContext(env.options, /*streaming=*/true);
  v1::AuditVerification v;
  grpc::Status s =
      AuditStub(env.options)
          ->VerifyAudit(context.get(), v1::VerifyAuditRequest(), &v);
  if (!s.ok()) return Fail(env.err, FromGrpc(s));
  if (v.ok()) {
    env.out << "audit chain intact: " << v.entries() << " entries, head "
            << v.head_hash() << "\n";
    return kExitOk;
  }
  env.out << "audit chain BROKEN at entry " << v.first_broken_seq() << ": "
          << v.problem() << " (" << v.entries() << " entries read)\n";
  return kExitFailed;
}

int AuditHistory(const Env& env) {
  const CliOptions& o = env.options;
  if (!env.args.empty()) {
    env.err << "usage: dibaoctl audit log [--household H] [--after N "
               "--limit N]\n";
    return kExitUsage;
  }
  auto format = ParseOutputFormat(o.format);
  if (!format.ok()) return Fail(env.err, format.status());
  // The server answers at most 10,000 entries a call: page until the
  // --limit asked for (default 100), and say when more are left.
  constexpr int kPage = 10000;
  const int64_t wanted = o.limit > 0 ? o.limit : 100;
  v1::ListAuditRequest request;
  request.set_household_id(o.household);
  request.set_after_seq(o.after);
  Table t = EntryTable();
  int64_t listed = 0;
  bool more = false;
  for (;;) {
    request.set_limit(
        static_cast<int32_t>(std::min<int64_t>(kPage, wanted - listed)));
    auto context = NewContext(o);
    v1::ListAuditResponse response;
    grpc::Status s = AuditStub(o)->ListAudit(context.get(), request, &response);
    if (!s.ok()) return Fail(env.err, FromGrpc(s));
    for (const auto& e : response.entries()) {
      if (*format == OutputFormat::kJsonl) {
        env.out << ToJsonLine(e) << "\n";
      } else {
        AddEntry(e, &t);
      }
      request.set_after_seq(e.seq());
    }
    listed += response.entries_size();
    more = response.more();
    // A household's entries come whole, in one answer.
    if (!o.household.empty() || !more || listed >= wanted ||
        response.entries_size() == 0) {
      break;
    }
  }
  if (*format != OutputFormat::kJsonl) t.Print(*format, env.out);
  if (more) {
    env.err << listed << " entries listed; more follow: dibaoctl audit log "
            << "--after " << request.after_seq() << "\n";
  }
  return kExitOk;
}

}  // namespace dibao::cli
