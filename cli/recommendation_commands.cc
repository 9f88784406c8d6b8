// dibaoctl recommendations ...: the bureau's side. Make the exit and
// adjustment recommendations from confirmed flags, list them (CSV for the
// approval meeting), and approve or reject each.
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "base/clock.h"
#include "base/dates.h"
#include "base/money.h"
#include "base/resident_id.h"
#include "cli/commands.h"
#include "cli/table.h"
#include "dibao/v1/recommendations.grpc.pb.h"
#include "formats/names.h"
#include "formats/recommendation_rows.h"
#include "formats/registry_format.h"

namespace dibao::cli {
namespace {

std::unique_ptr<v1::RecommendationService::Stub> Stub(const CliOptions& o) {
  return v1::RecommendationService::NewStub(Connect(o));
}

void Print(const v1::Recommendation& r, std::ostream& out) {
  out << "recommendation " << r.recommendation_id() << " "
      << RecommendationStateName(r.state()) << ": "
      << RecommendationKindName(r.kind()) << " for household "
      << r.household_id() << " (" << r.district_code() << " " << r.street()
      << " " << r.community() << ")\n"
      << "  benefit " << FormatYuan(r.current_benefit_fen()) << " -> "
      << FormatYuan(r.new_benefit_fen()) << " yuan/month, effective "
      << FormatDate(r.effective());
  if (r.notice_days() > 0) out << " (" << r.notice_days() << " days' notice)";
  if (r.has_gradual_exit_until()) {
    out << ", paid through " << FormatDate(r.gradual_exit_until());
  }
  out << "\n";
  if (!r.remove_members().empty()) {
    out << "  members leaving: " << absl::StrJoin(r.remove_members(), ", ")
        << "\n";
  }
  out << "  rests on the confirmed flags:\n";
  for (const std::string& e : r.evidence()) out << "    " << e << "\n";
  out << "  arithmetic (reassessment as of " << FormatDate(r.as_of()) << "):\n";
  for (const std::string& line : r.arithmetic()) out << "    " << line << "\n";
  out << "  made by " << r.made_by() << " from registry version "
      << r.household_version() << "\n";
  for (const v1::StageDecision& d : r.stages()) {
    out << "  " << RecommendationStageName(d.stage())
        << (d.passed() ? " passed" : " rejected") << " by " << d.by() << " on "
        << FormatDate(absl::ToCivilDay(FromProto(d.at()), BureauTimeZone()))
        << ": " << d.note() << "\n";
  }
  if (r.stages().empty() && !r.decided_by().empty()) {
    // Decided before the stages were recorded.
    out << "  " << RecommendationStateName(r.state()) << " by "
        << r.decided_by() << ": " << r.decision_note() << "\n";
  }
  if (r.applied_version() > 0) {
    out << "  applied to the registry as version " << r.applied_version()
        << "\n";
  }
  if (!r.superseded_by().empty()) {
    out << "  replaced by " << r.superseded_by() << "\n";
  }
}

// The stage a command decides at.
enum class Step { kEvaluate, kReview, kApprove, kReject };

// evaluate / review / approve / reject: one ID and a note.
int Decide(const Env& env, Step step) {
  static constexpr const char* kVerbs[] = {"evaluate", "review", "approve",
                                           "reject"};
  const char* verb = kVerbs[static_cast<int>(step)];
  const bool staged = step == Step::kEvaluate || step == Step::kReview;
  if (env.args.size() != 1 || env.options.note.empty()) {
    env.err << "usage: dibaoctl recommendations " << verb
            << " RECOMMENDATION_ID --note TEXT" << (staged ? " [--reject]" : "")
            << "\n";
    return kExitUsage;
  }
  v1::DecideRecommendationRequest request;
  request.set_recommendation_id(env.args[0]);
  request.set_note(env.options.note);
  request.set_reject(staged && env.options.reject);
  auto context = NewContext(env.options);
  auto stub = Stub(env.options);
  v1::Recommendation r;
  grpc::Status s;
  switch (step) {
    case Step::kEvaluate:
      s = stub->EvaluateRecommendation(context.get(), request, &r);
      break;
    case Step::kReview:
      s = stub->ReviewRecommendation(context.get(), request, &r);
      break;
    case Step::kApprove:
      s = stub->ApproveRecommendation(context.get(), request, &r);
      break;
    case Step::kReject:
      s = stub->RejectRecommendation(context.get(), request, &r);
      break;
  }
  if (!s.ok()) return Fail(env.err, FromGrpc(s));
  Print(r, env.out);
  return kExitOk;
}

}  // namespace

int RecommendationsGenerate(const Env& env) {
  const CliOptions& o = env.options;
  if (!env.args.empty()) {
    env.err << "usage: dibaoctl recommendations generate [--as-of "
               "YYYY-MM-DD]\n";
    return kExitUsage;
  }
  v1::GenerateRecommendationsRequest request;
  if (!o.as_of.empty()) {
    auto day = ParseDate(o.as_of);
    if (!day.ok()) return Fail(env.err, day.status());
    *request.mutable_as_of() = ToProto(*day);
  }
  auto context = NewContext(o);
  v1::GenerateRecommendationsResponse response;
  grpc::Status s =
      Stub(o)->GenerateRecommendations(context.get(), request, &response);
  if (!s.ok()) return Fail(env.err, FromGrpc(s));
  env.out << response.made_size() << " recommendations made, "
          << response.unchanged() << " still standing, "
          << response.waiting_size() << " households waiting for decisions, "
          << response.applied_size() << " gradual exits applied\n";
  for (const auto& r : response.made()) {
    env.out << "  " << r.recommendation_id() << " "
            << RecommendationKindName(r.kind()) << " " << r.household_id()
            << ": " << FormatYuan(r.current_benefit_fen()) << " -> "
            << FormatYuan(r.new_benefit_fen()) << " yuan/month, effective "
            << FormatDate(r.effective()) << "\n";
  }
  for (const auto& w : response.waiting())
    env.out << "  waiting: " << w << "\n";
  for (const auto& r : response.applied()) {
    env.out << "  applied: " << r.recommendation_id() << " " << r.household_id()
            << " exits after its gradual exit\n";
  }
  return kExitOk;
}

int RecommendationsList(const Env& env) {
  const CliOptions& o = env.options;
  if (!env.args.empty()) {
    env.err << "usage: dibaoctl recommendations list [--state S] "
               "[--district D] [--household H] [--format table|csv|jsonl]\n";
    return kExitUsage;
  }
  auto format = ParseOutputFormat(o.format);
  if (!format.ok()) return Fail(env.err, format.status());
  v1::ListRecommendationsRequest request;
  if (!o.state.empty()) {
    auto state = ParseRecommendationState(o.state);
    if (!state.ok()) return Fail(env.err, state.status());
    request.set_state(*state);
  }
  request.set_district_code(o.district);
  request.set_household_id(o.household);
  Table t(RecommendationColumns());
  auto stub = Stub(o);
  for (;;) {
    auto context = NewContext(o);
    v1::ListRecommendationsResponse page;
    grpc::Status s = stub->ListRecommendations(context.get(), request, &page);
    if (!s.ok()) return Fail(env.err, FromGrpc(s));
    for (const auto& r : page.recommendations()) {
      if (*format == OutputFormat::kJsonl) {
        env.out << ToJsonLine(r) << "\n";
        continue;
      }
      t.AddRow(RecommendationRow(r));
    }
    if (page.next_page_token().empty()) break;
    request.set_page_token(page.next_page_token());
  }
  if (*format != OutputFormat::kJsonl) t.Print(*format, env.out);
  return kExitOk;
}

int RecommendationsShow(const Env& env) {
  if (env.args.size() != 1) {
    env.err << "usage: dibaoctl recommendations show RECOMMENDATION_ID\n";
    return kExitUsage;
  }
  auto format = ParseOutputFormat(env.options.format);
  if (!format.ok()) return Fail(env.err, format.status());
  v1::GetRecommendationRequest request;
  request.set_recommendation_id(env.args[0]);
  auto context = NewContext(env.options);
  v1::Recommendation r;
  grpc::Status s =
      Stub(env.options)->GetRecommendation(context.get(), request, &r);
  if (!s.ok()) return Fail(env.err, FromGrpc(s));
  if (*format == OutputFormat::kJsonl) {
    env.out << ToJsonLine(r) << "\n";
    return kExitOk;
  }
  Print(r, env.out);
  return kExitOk;
}

int RecommendationsEvaluate(const Env& env) {
  return Decide(env, Step::kEvaluate);
}
int RecommendationsReview(const Env& env) { return Decide(env, Step::kReview); }
int RecommendationsApprove(const Env& env) {
  return Decide(env, Step::kApprove);
}
int RecommendationsReject(const Env& env) { return Decide(env, Step::kReject); }

}  // namespace dibao::cli
