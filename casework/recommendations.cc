#include "casework/recommendations.h"

#include <algorithm>
#include <map>
#include <set>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "base/dates.h"
#include "base/free_text.h"
#include "base/money.h"
#include "base/status_macros.h"
#include "casework/review.h"
#include "formats/names.h"
#include "matcher/fact_queries.h"
#include "storage/keys.h"

namespace dibao {
namespace {

constexpr int kDefaultNoticeDays = 30;

bool Undecided(const v1::Flag& f) {
  return f.state() == v1::FLAG_STATE_OPEN ||
         f.state() == v1::FLAG_STATE_NEEDS_VISIT;
}

bool RemovesMember(const v1::Flag& f) {
  return f.finding().rule() == "DECEASED_MEMBER" ||
         f.finding().rule() == "INCARCERATED_MEMBER";
}

bool FailsAssets(const v1::Flag& f) {
  return f.finding().rule() == "VEHICLE_OWNED" ||
         f.finding().rule() == "PROPERTY_HOLDING" ||
         f.finding().rule() == "LAND_COMPENSATION";
}

bool NeedsNotice(v1::RecommendationKind kind) {
  return kind == v1::RECOMMENDATION_KIND_EXIT ||
         kind == v1::RECOMMENDATION_KIND_REDUCE ||
         kind == v1::RECOMMENDATION_KIND_REMOVE_MEMBER ||
         kind == v1::RECOMMENDATION_KIND_GRADUAL_EXIT;
}

absl::CivilDay FirstOfNextMonth(absl::CivilDay day) {
  return absl::CivilDay(absl::CivilMonth(day) + 1);
}

// The earliest start of a job in the confirmed flags' evidence.
std::optional<absl::CivilDay> EarliestJobStart(
    const std::vector<const v1::Flag*>& confirmed) {
  std::optional<absl::CivilDay> earliest;
  for (const v1::Flag* f : confirmed) {
    for (const v1::Fact& fact : f->finding().facts()) {
      if (!fact.record().has_employment()) continue;
      auto start = DayOf(fact.record().employment().start_date());
      if (start && (!earliest || *start < *earliest)) earliest = start;
    }
  }
  return earliest;
}

int NoticeDays(const v1::Policy& policy) {
  return policy.notice_days() > 0 ? policy.notice_days() : kDefaultNoticeDays;
}

std::string Yuan(int64_t fen) { return absl::StrCat(FormatYuan(fen), " yuan"); }

absl::Status WriteRecommendation(Store* store, const v1::Recommendation& r,
                                 rocksdb::WriteBatch* batch) {
  ASSIGN_OR_RETURN(const uint64_t seq,
                   ParseRecommendationId(r.recommendation_id()));
  batch->Put(store->handle(Cf::kRecommendations), keys::RecommendationKey(seq),
             r.SerializeAsString());
  return absl::OkStatus();
}

v1::AuditEntry EntryFor(const v1::Recommendation& r, v1::AuditAction action,
                        const std::string& actor, absl::Time at,
                        std::string detail) {
  v1::AuditEntry e;
  e.set_actor(actor);
  e.set_action(action);
  e.set_household_id(r.household_id());
  e.set_recommendation_id(r.recommendation_id());
  *e.mutable_at() = ToProto(at);
  e.set_detail(std::move(detail));
  e.set_ref(absl::StrCat("recommendation ", r.recommendation_id()));
  return e;
}

// "EXIT effective 2026-12-01: 410.00 -> 0.00 yuan/month" for the trail.
std::string Summary(const v1::Recommendation& r) {
  std::string s = absl::StrCat(RecommendationKindName(r.kind()), " effective ",
                               FormatDate(r.effective()), ": ",
                               FormatYuan(r.current_benefit_fen()), " -> ",
                               FormatYuan(r.new_benefit_fen()), " yuan/month");
  if (r.has_gradual_exit_until()) {
    absl::StrAppend(&s, ", paid through ", FormatDate(r.gradual_exit_until()));
  }
  if (!r.remove_members().empty()) {
    absl::StrAppend(&s, ", ", r.remove_members_size(), " member(s) leave");
  }
  absl::StrAppend(&s, "; flags ", absl::StrJoin(r.flag_ids(), ", "));
  return s;
}

// The registry's household after `r` takes effect; nullopt when it changes
// nothing there (KEEP; a gradual exit until its period ends).
std::optional<v1::Household> Applied(const v1::Recommendation& r,
                                     v1::Household h) {
  switch (r.kind()) {
    case v1::RECOMMENDATION_KIND_EXIT:
      h.set_status(v1::HOUSEHOLD_STATUS_EXITED);
      h.set_monthly_benefit_fen(0);
      return h;
    case v1::RECOMMENDATION_KIND_REDUCE:
    case v1::RECOMMENDATION_KIND_INCREASE:
      h.set_monthly_benefit_fen(r.new_benefit_fen());
      return h;
    case v1::RECOMMENDATION_KIND_REMOVE_MEMBER: {
      const std::set<std::string> leaving(r.remove_members().begin(),
                                          r.remove_members().end());
      auto* members = h.mutable_members();
      members->erase(std::remove_if(members->begin(), members->end(),
                                    [&](const v1::Member& m) {
                                      return leaving.count(m.id_number()) > 0;
                                    }),
                     members->end());
      h.set_monthly_benefit_fen(r.new_benefit_fen());
      return h;
    }
    default:
      return std::nullopt;
  }
}

// The state a stage takes recommendations in, and the one it passes them
// on in.
v1::RecommendationState StateBefore(v1::RecommendationStage stage) {
  switch (stage) {
    case v1::RECOMMENDATION_STAGE_EVALUATION:
      return v1::RECOMMENDATION_STATE_PROPOSED;
    case v1::RECOMMENDATION_STAGE_STREET_REVIEW:
      return v1::RECOMMENDATION_STATE_EVALUATED;
    default:
      return v1::RECOMMENDATION_STATE_REVIEWED;
  }
}

v1::RecommendationState StateAfter(v1::RecommendationStage stage) {
  switch (stage) {
    case v1::RECOMMENDATION_STAGE_EVALUATION:
      return v1::RECOMMENDATION_STATE_EVALUATED;
    case v1::RECOMMENDATION_STAGE_STREET_REVIEW:
      return v1::RECOMMENDATION_STATE_REVIEWED;
    default:
      return v1::RECOMMENDATION_STATE_APPROVED;
  }
}

// Who does a stage, for messages.
absl::string_view StageHolder(v1::RecommendationStage stage) {
  switch (stage) {
    case v1::RECOMMENDATION_STAGE_EVALUATION:
      return "community worker";
    case v1::RECOMMENDATION_STAGE_STREET_REVIEW:
      return "street reviewer";
    default:
      return "district approver";
  }
}

// What a recommendation in `state` waits for, as a hint after an error.
std::string NextStep(v1::RecommendationState state) {
  switch (state) {
    case v1::RECOMMENDATION_STATE_PROPOSED:
      return "; the community evaluates it first (dibaoctl recommendations "
             "evaluate)";
    case v1::RECOMMENDATION_STATE_EVALUATED:
      return "; the street reviews it next (dibaoctl recommendations review)";
    case v1::RECOMMENDATION_STATE_REVIEWED:
      return "; the district approves or rejects it next (dibaoctl "
             "recommendations approve|reject)";
    default:
      return "";
  }
}

// A recommendation still on its way through the stages.
bool Standing(v1::RecommendationState state) {
  return state == v1::RECOMMENDATION_STATE_PROPOSED ||
         state == v1::RECOMMENDATION_STATE_EVALUATED ||
         state == v1::RECOMMENDATION_STATE_REVIEWED;
}

// Appends the stage's result and repeats it in the decided_* fields.
void Record(v1::Recommendation* r, v1::RecommendationStage stage, bool passed,
            const std::string& actor, const std::string& note, absl::Time at) {
  v1::StageDecision* d = r->add_stages();
  d->set_stage(stage);
  d->set_passed(passed);
  d->set_by(actor);
  *d->mutable_at() = ToProto(at);
  d->set_note(note);
  r->set_decided_by(actor);
  *r->mutable_decided_at() = ToProto(at);
  r->set_decision_note(note);
}

absl::Status Outgrown(const v1::Recommendation& r, const v1::Household& h) {
  return absl::FailedPreconditionError(absl::StrCat(
      "household ", r.household_id(), " changed since recommendation ",
      r.recommendation_id(), " was made (registry version ", h.version(),
      ", not ", r.household_version(),
      "); run `dibaoctl recommendations generate` for a new one"));
}

}  // namespace

absl::CivilDay EffectiveDay(v1::RecommendationKind kind, int notice_days,
                            absl::CivilDay day) {
  return FirstOfNextMonth(NeedsNotice(kind) ? day + notice_days : day);
}

RecommendOutcome Recommend(const v1::Household& household,
                           const std::vector<v1::Flag>& flags,
                           const v1::Assessment& assessment,
                           const v1::Policy& policy, absl::CivilDay day) {
  RecommendOutcome out;
  std::vector<const v1::Flag*> confirmed;
  std::vector<std::string> undecided, dismissed_money;
  for (const v1::Flag& f : flags) {
    const bool money = f.finding().est_monthly_overpayment_fen() > 0;
    if (f.state() == v1::FLAG_STATE_CONFIRMED) confirmed.push_back(&f);
    if (Undecided(f) && money) undecided.push_back(f.flag_id());
    if (f.state() == v1::FLAG_STATE_DISMISSED && money) {
      dismissed_money.push_back(f.flag_id());
    }
  }
  if (confirmed.empty()) return out;
  if (!undecided.empty()) {
    out.waiting =
        absl::StrCat("household ", household.household_id(),
                     ": decide flag(s) ", absl::StrJoin(undecided, ", "),
                     " first (money at stake, still undecided)");
    return out;
  }

  v1::Recommendation r;
  r.set_household_id(household.household_id());
  r.set_district_code(household.district_code());
  r.set_street(household.street());
  r.set_community(household.community());
  *r.mutable_as_of() = assessment.as_of();
  r.set_household_version(household.version());
  const int64_t current = household.monthly_benefit_fen();
  r.set_current_benefit_fen(current);
  for (const v1::Flag* f : confirmed) {
    r.add_flag_ids(f->flag_id());
    r.add_evidence(absl::StrCat(f->flag_id(), " ", f->finding().rule(), ": ",
                                f->finding().summary()));
  }

  // The new top-up.
  int64_t fresh = assessment.top_up_fen();
  for (const std::string& line : assessment.explanation()) {
    r.add_arithmetic(line);
  }
  if (!dismissed_money.empty()) {
    int64_t largest = 0;
    std::string which;
    for (const v1::Flag* f : confirmed) {
      if (f->finding().est_monthly_overpayment_fen() > largest) {
        largest = f->finding().est_monthly_overpayment_fen();
        which = f->flag_id();
      }
    }
    fresh = std::max<int64_t>(current - largest, 0);
    r.add_arithmetic(absl::StrCat(
        "the reassessment also counts evidence a caseworker dismissed (",
        absl::StrJoin(dismissed_money, ", "),
        "), so only the confirmed flags count: paid now ", Yuan(current),
        which.empty() ? std::string(" (no confirmed overpayment)")
                      : absl::StrCat(" less ", Yuan(largest), " (", which, ")"),
        " = ", Yuan(fresh)));
  }
  r.set_new_benefit_fen(fresh);

  std::set<std::string> leaving;
  for (const v1::Flag* f : confirmed) {
    if (RemovesMember(*f) && !f->finding().id_number().empty()) {
      leaving.insert(f->finding().id_number());
    }
  }
  const bool everyone_leaves =
      !leaving.empty() &&
      static_cast<int>(leaving.size()) >= household.members_size();

  v1::RecommendationKind kind;
  if (fresh == 0 || everyone_leaves) {
    kind = v1::RECOMMENDATION_KIND_EXIT;
    r.set_new_benefit_fen(0);
    const bool assets =
        std::any_of(confirmed.begin(), confirmed.end(),
                    [](const v1::Flag* f) { return FailsAssets(*f); });
    const auto job = EarliestJobStart(confirmed);
    const int months = policy.gradual_exit_months();
    if (job && months > 0 && !assets && !everyone_leaves) {
      // Paid through the end of the last gradual-exit month after the
      // job's month.
      const absl::CivilDay until =
          absl::CivilDay(absl::CivilMonth(*job) + months + 1) - 1;
      const absl::CivilDay effective =
          EffectiveDay(v1::RECOMMENDATION_KIND_EXIT, NoticeDays(policy), day);
      if (until >= effective) {
        kind = v1::RECOMMENDATION_KIND_GRADUAL_EXIT;
        *r.mutable_gradual_exit_until() = ToProto(until);
        r.set_new_benefit_fen(current);
        r.add_arithmetic(absl::StrCat(
            "a job started on ", FormatDate(*job), ": gradual exit, ",
            Yuan(current), " a month continues for ", months,
            " months after it, through ", FormatDate(until),
            ", then the household exits"));
      } else {
        r.add_arithmetic(
            absl::StrCat("a job started on ", FormatDate(*job), "; the ",
                         months, " months of gradual exit after it ended on ",
                         FormatDate(until), ": exit"));
      }
    }
  } else if (!leaving.empty()) {
    kind = v1::RECOMMENDATION_KIND_REMOVE_MEMBER;
  } else if (fresh < current) {
    kind = v1::RECOMMENDATION_KIND_REDUCE;
  } else if (fresh > current) {
    kind = v1::RECOMMENDATION_KIND_INCREASE;
  } else {
    kind = v1::RECOMMENDATION_KIND_KEEP;
  }
  r.set_kind(kind);
  for (const std::string& id : leaving) r.add_remove_members(id);
  if (kind == v1::RECOMMENDATION_KIND_GRADUAL_EXIT) {
    r.set_notice_days(NoticeDays(policy));
    *r.mutable_effective() =
        ToProto(FirstOfNextMonth(*FromProto(r.gradual_exit_until())));
  } else {
    r.set_notice_days(NeedsNotice(kind) ? NoticeDays(policy) : 0);
    *r.mutable_effective() =
        ToProto(EffectiveDay(kind, NoticeDays(policy), day));
  }
  r.add_arithmetic(absl::StrCat(
      RecommendationKindName(kind), ": ", Yuan(current), " -> ",
      Yuan(r.new_benefit_fen()), " a month (",
      r.new_benefit_fen() >= current ? "+" : "-",
      Yuan(std::abs(r.new_benefit_fen() - current)), "), effective ",
      FormatDate(r.effective()),
      r.notice_days() > 0
          ? absl::StrCat(" after ", r.notice_days(), " days' notice")
          : std::string()));
  out.recommendation = std::move(r);
  return out;
}

absl::StatusOr<std::vector<v1::Recommendation>> Recommender::All() const {
  std::vector<v1::Recommendation> out;
  auto it = store_->NewIterator(Cf::kRecommendations);
  const std::string prefix = keys::RecommendationPrefix();
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix);
       it->Next()) {
    v1::Recommendation r;
    if (!r.ParseFromArray(it->value().data(),
                          static_cast<int>(it->value().size()))) {
      return absl::DataLossError("unreadable stored recommendation");
    }
    out.push_back(std::move(r));
  }
  RETURN_IF_ERROR(FromRocks(it->status(), "scan recommendations"));
  return out;
}

absl::StatusOr<v1::GenerateRecommendationsResponse> Recommender::Generate(
    absl::CivilDay day, const std::string& actor,
    const AreaFilterFn& in_scope) {
  const std::shared_ptr<const v1::Policy> policy = cycles_->policy();
  if (policy == nullptr) {
    return absl::FailedPreconditionError(
        "no policy is loaded: start dibao-server with --policy FILE");
  }
  if (actor.empty()) {
    return absl::InvalidArgumentError("who makes the recommendations?");
  }
  absl::MutexLock lock(&mu_);
  v1::GenerateRecommendationsResponse response;
  ASSIGN_OR_RETURN(std::vector<v1::Recommendation> all, All());

  // Approved gradual exits whose paid months are over.
  for (const v1::Recommendation& r : all) {
    if (r.state() != v1::RECOMMENDATION_STATE_APPROVED ||
        r.kind() != v1::RECOMMENDATION_KIND_GRADUAL_EXIT ||
        r.applied_version() != 0) {
      continue;
    }
    auto until = FromProto(r.gradual_exit_until());
    if (!until.ok() || *until >= day) continue;
    if (in_scope && !in_scope(r.district_code(), r.street(), r.community())) {
      continue;
    }
    ASSIGN_OR_RETURN(v1::Recommendation applied, ApplyGradualExit(r, actor));
    *response.add_applied() = std::move(applied);
  }

  // What each household already has: its standing PROPOSED one and the
  // flags decided recommendations covered.
  std::map<std::string, const v1::Recommendation*> proposed;
  std::map<std::string, std::set<std::string>> covered;
  for (const v1::Recommendation& r : all) {
    if (Standing(r.state())) {
      proposed[r.household_id()] = &r;
    } else if (r.state() == v1::RECOMMENDATION_STATE_APPROVED ||
               r.state() == v1::RECOMMENDATION_STATE_REJECTED) {
      covered[r.household_id()].insert(r.flag_ids().begin(),
                                       r.flag_ids().end());
    }
  }

  std::set<std::string> households;
  FlagFilter confirmed;
  confirmed.state = v1::FLAG_STATE_CONFIRMED;
  RETURN_IF_ERROR(flags_->ForEach(confirmed, [&](const v1::Flag& f) {
    const auto it = covered.find(f.household_id());
    if (it == covered.end() || it->second.count(f.flag_id()) == 0) {
      households.insert(f.household_id());
    }
    return absl::OkStatus();
  }));

  ASSIGN_OR_RETURN(uint64_t seq, store_->GetCounter(kRecommendationSeqCounter));
  for (const std::string& id : households) {
    ASSIGN_OR_RETURN(v1::Household h, registry_->Get(id));
    if (h.status() != v1::HOUSEHOLD_STATUS_ACTIVE) continue;
    if (in_scope && !in_scope(h.district_code(), h.street(), h.community())) {
      continue;
    }
    ASSIGN_OR_RETURN(std::vector<v1::Flag> flags, flags_->HouseholdFlags(id));
    // Flags an approved or rejected recommendation already covered stay
    // out: the bureau has decided on them.
    if (auto it = covered.find(id); it != covered.end()) {
      flags.erase(std::remove_if(flags.begin(), flags.end(),
                                 [&](const v1::Flag& f) {
                                   return it->second.count(f.flag_id()) > 0;
                                 }),
                  flags.end());
    }
    ASSIGN_OR_RETURN(v1::Assessment assessment, cycles_->GetAssessment(id));
    RecommendOutcome outcome = Recommend(h, flags, assessment, *policy, day);
    if (!outcome.waiting.empty()) response.add_waiting(outcome.waiting);
    if (!outcome.recommendation) continue;
    v1::Recommendation& r = *outcome.recommendation;

    const v1::Recommendation* standing =
        proposed.count(id) ? proposed[id] : nullptr;
    if (standing != nullptr &&
        standing->household_version() == r.household_version() &&
        std::equal(standing->flag_ids().begin(), standing->flag_ids().end(),
                   r.flag_ids().begin(), r.flag_ids().end())) {
      response.set_unchanged(response.unchanged() + 1);
      continue;
    }
    r.set_recommendation_id(FormatRecommendationId(++seq));
    r.set_state(v1::RECOMMENDATION_STATE_PROPOSED);
    r.set_made_by(actor);
    *r.mutable_made_at() = ToProto(clock_->Now());
    rocksdb::WriteBatch batch;
    RETURN_IF_ERROR(WriteRecommendation(store_, r, &batch));
    std::string seq_value;
    keys::PutFixed64(&seq_value, seq);
    batch.Put(store_->handle(Cf::kMeta),
              keys::MetaKey(kRecommendationSeqCounter), seq_value);
    std::vector<v1::AuditEntry> entries;
    entries.push_back(EntryFor(r, v1::AUDIT_ACTION_RECOMMENDATION_MADE, actor,
                               clock_->Now(), Summary(r)));
    if (standing != nullptr) {
      v1::Recommendation old = *standing;
      old.set_state(v1::RECOMMENDATION_STATE_SUPERSEDED);
      old.set_superseded_by(r.recommendation_id());
      RETURN_IF_ERROR(WriteRecommendation(store_, old, &batch));
      entries.back().set_detail(absl::StrCat(entries.back().detail(),
                                             " (replaces ",
                                             old.recommendation_id(), ")"));
    }
    RETURN_IF_ERROR(audit_->Commit(std::move(entries), &batch));
    *response.add_made() = std::move(r);
  }
  return response;
}

absl::Status Recommender::ForEach(
    const std::function<absl::Status(const v1::Recommendation&)>& fn) const {
  auto it = store_->NewIterator(Cf::kRecommendations);
  const std::string prefix = keys::RecommendationPrefix();
  v1::Recommendation r;
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix);
       it->Next()) {
    if (!r.ParseFromArray(it->value().data(),
                          static_cast<int>(it->value().size()))) {
      return absl::DataLossError("unreadable stored recommendation");
    }
    RETURN_IF_ERROR(fn(r));
  }
  return FromRocks(it->status(), "scan recommendations");
}

absl::StatusOr<v1::ListRecommendationsResponse> Recommender::List(
    const v1::ListRecommendationsRequest& request) const {
  if (!v1::RecommendationState_IsValid(request.state())) {
    return absl::InvalidArgumentError(
        absl::StrCat("state ", request.state(), " is unknown"));
  }
  if (request.page_size() < 0) {
    return absl::InvalidArgumentError("page_size must not be negative");
  }
  const int page_size =
      request.page_size() == 0 ? 1000 : std::min(request.page_size(), 10000);
  uint64_t after = 0;
  if (!request.page_token().empty() &&
      !absl::SimpleAtoi(request.page_token(), &after)) {
    return absl::InvalidArgumentError("page_token is not one this server gave");
  }
  v1::ListRecommendationsResponse response;
  auto it = store_->NewIterator(Cf::kRecommendations);
  const std::string prefix = keys::RecommendationPrefix();
  for (it->Seek(keys::RecommendationKey(after + 1));
       it->Valid() && it->key().starts_with(prefix); it->Next()) {
    v1::Recommendation r;
    if (!r.ParseFromArray(it->value().data(),
                          static_cast<int>(it->value().size()))) {
      return absl::DataLossError("unreadable stored recommendation");
    }
    if (request.state() != v1::RECOMMENDATION_STATE_UNSPECIFIED &&
        r.state() != request.state()) {
      continue;
    }
    if (!request.district_code().empty() &&
        r.district_code() != request.district_code()) {
      continue;
    }
    if (!request.household_id().empty() &&
        r.household_id() != request.household_id()) {
      continue;
    }
    if (response.recommendations_size() == page_size) {
      ASSIGN_OR_RETURN(
          uint64_t last,
          ParseRecommendationId(
              response.recommendations().rbegin()->recommendation_id()));
      response.set_next_page_token(absl::StrCat(last));
      break;
    }
    *response.add_recommendations() = std::move(r);
  }
  RETURN_IF_ERROR(FromRocks(it->status(), "scan recommendations"));
  return response;
}

absl::StatusOr<v1::Recommendation> Recommender::Get(
    absl::string_view id) const {
  ASSIGN_OR_RETURN(const uint64_t seq, ParseRecommendationId(id));
  ASSIGN_OR_RETURN(auto value, store_->Get(Cf::kRecommendations,
                                           keys::RecommendationKey(seq)));
  if (!value)
    return absl::NotFoundError(absl::StrCat("no recommendation ", id));
  v1::Recommendation r;
  if (!r.ParseFromString(*value)) {
    return absl::DataLossError(
        absl::StrCat("recommendation ", id, " is unreadable"));
  }
  return r;
}

absl::StatusOr<v1::Recommendation> Recommender::LoadForStage(
    absl::string_view id, v1::RecommendationStage stage,
    const std::string& actor, const std::string& note) {
  if (actor.empty()) {
    return absl::InvalidArgumentError(
        "who decides is required: every decision names its maker");
  }
  RETURN_IF_ERROR(CheckName("the caseworker", actor));
  RETURN_IF_ERROR(CheckNote("the note", note));
  if (note.empty()) {
    return absl::InvalidArgumentError(
        "a decision needs a note saying what it rests on");
  }
  ASSIGN_OR_RETURN(v1::Recommendation r, Get(id));
  const v1::RecommendationState expected = StateBefore(stage);
  if (r.state() != expected) {
    std::string why;
    if (r.state() == v1::RECOMMENDATION_STATE_SUPERSEDED) {
      why = absl::StrCat(" (by ", r.superseded_by(), ")");
    } else if (!r.decided_by().empty()) {
      why = absl::StrCat(" (by ", r.decided_by(), ")");
    }
    return absl::FailedPreconditionError(absl::StrCat(
        "recommendation ", r.recommendation_id(), " is ",
        RecommendationStateName(r.state()), why, ": the ",
        RecommendationStageName(stage), " takes only ",
        RecommendationStateName(expected), " ones", NextStep(r.state())));
  }
  // 一评两审 by different people: whoever evaluated or reviewed it does not
  // also review or approve it.
  for (const v1::StageDecision& earlier : r.stages()) {
    if (earlier.by() == actor) {
      return absl::PermissionDeniedError(absl::StrCat(
          actor, " did the ", RecommendationStageName(earlier.stage()),
          " of recommendation ", r.recommendation_id(), ", so another ",
          StageHolder(stage), " does the ", RecommendationStageName(stage),
          " (four eyes)"));
    }
  }
  if (stage == v1::RECOMMENDATION_STAGE_EVALUATION) return r;
  // Four eyes: who proposed it does not approve it, and who confirmed a
  // flag it rests on neither reviews nor approves it.
  if (stage == v1::RECOMMENDATION_STAGE_DISTRICT_APPROVAL &&
      r.made_by() == actor) {
    return absl::PermissionDeniedError(
        absl::StrCat(actor, " proposed recommendation ", r.recommendation_id(),
                     ", so another approver decides it (four eyes)"));
  }
  for (const std::string& flag_id : r.flag_ids()) {
    auto flag = flags_->Get(flag_id);
    if (absl::IsNotFound(flag.status())) continue;
    if (!flag.ok()) return flag.status();
    for (const v1::ReviewDecision& d : flag->decisions()) {
      if (d.by() == actor) {
        return absl::PermissionDeniedError(absl::StrCat(
            actor, " decided flag ", flag_id, ", on which recommendation ",
            r.recommendation_id(), " rests, so another ", StageHolder(stage),
            " does the ", RecommendationStageName(stage), " (four eyes)"));
      }
    }
  }
  return r;
}

absl::Status Recommender::CheckFlagsStand(const v1::Recommendation& r) const {
  for (const std::string& flag_id : r.flag_ids()) {
    auto flag = flags_->Get(flag_id);
    if (absl::IsNotFound(flag.status())) continue;
    if (!flag.ok()) return flag.status();
    if (flag->state() == v1::FLAG_STATE_CONFIRMED) continue;
    // Reopened since (its evidence changed, or a partner withdrew a fact
    // it rested on): the recommendation no longer rests on a decision.
    return absl::FailedPreconditionError(absl::StrCat(
        "flag ", flag_id, ", on which recommendation ", r.recommendation_id(),
        " rests, is ", FlagStateName(flag->state()), " now",
        flag->reopened_reason().empty()
            ? ""
            : absl::StrCat(" (", flag->reopened_reason(), ")"),
        ": decide it again; `dibaoctl recommendations generate` then makes a "
        "new recommendation"));
  }
  return absl::OkStatus();
}

absl::StatusOr<v1::Recommendation> Recommender::Evaluate(
    absl::string_view id, const std::string& actor, const std::string& note,
    bool reject) {
  return PassOrReject(id, v1::RECOMMENDATION_STAGE_EVALUATION, actor, note,
                      reject);
}

absl::StatusOr<v1::Recommendation> Recommender::Review(absl::string_view id,
                                                       const std::string& actor,
                                                       const std::string& note,
                                                       bool reject) {
  return PassOrReject(id, v1::RECOMMENDATION_STAGE_STREET_REVIEW, actor, note,
                      reject);
}

absl::StatusOr<v1::Recommendation> Recommender::PassOrReject(
    absl::string_view id, v1::RecommendationStage stage,
    const std::string& actor, const std::string& note, bool reject) {
  absl::MutexLock lock(&mu_);
  ASSIGN_OR_RETURN(v1::Recommendation r, LoadForStage(id, stage, actor, note));
  if (!reject) {
    // Passing on a proposal the household has outgrown wastes the next
    // stage's time: Generate() makes a new one.
    ASSIGN_OR_RETURN(v1::Household h, registry_->Get(r.household_id()));
    if (h.version() != r.household_version()) return Outgrown(r, h);
    RETURN_IF_ERROR(CheckFlagsStand(r));
  }
  const absl::Time now = clock_->Now();
  Record(&r, stage, !reject, actor, note, now);
  r.set_state(reject ? v1::RECOMMENDATION_STATE_REJECTED : StateAfter(stage));
  const v1::AuditAction action = reject
                                     ? v1::AUDIT_ACTION_RECOMMENDATION_REJECTED
                                 : stage == v1::RECOMMENDATION_STAGE_EVALUATION
                                     ? v1::AUDIT_ACTION_RECOMMENDATION_EVALUATED
                                     : v1::AUDIT_ACTION_RECOMMENDATION_REVIEWED;
  rocksdb::WriteBatch batch;
  RETURN_IF_ERROR(WriteRecommendation(store_, r, &batch));
  RETURN_IF_ERROR(
      audit_->Commit({EntryFor(r, action, actor, now,
                               absl::StrCat(RecommendationStageName(stage),
                                            reject ? " rejected " : " passed ",
                                            Summary(r), ": ", note))},
                     &batch));
  return r;
}

absl::StatusOr<v1::Recommendation> Recommender::Approve(
    absl::string_view id, const std::string& actor, const std::string& note) {
  const std::shared_ptr<const v1::Policy> policy = cycles_->policy();
  if (policy == nullptr) {
    return absl::FailedPreconditionError(
        "no policy is loaded: start dibao-server with --policy FILE");
  }
  absl::MutexLock lock(&mu_);
  ASSIGN_OR_RETURN(v1::Recommendation r,
                   LoadForStage(id, v1::RECOMMENDATION_STAGE_DISTRICT_APPROVAL,
                                actor, note));
  ASSIGN_OR_RETURN(v1::Household h, registry_->Get(r.household_id()));
  if (h.version() != r.household_version()) return Outgrown(r, h);
  RETURN_IF_ERROR(CheckFlagsStand(r));
  const absl::Time now = clock_->Now();
  const absl::CivilDay today = clock_->Today();
  Record(&r, v1::RECOMMENDATION_STAGE_DISTRICT_APPROVAL, true, actor, note,
         now);
  r.set_state(v1::RECOMMENDATION_STATE_APPROVED);
  if (r.kind() != v1::RECOMMENDATION_KIND_GRADUAL_EXIT) {
    // The notice runs from the approval.
    const absl::CivilDay effective =
        EffectiveDay(r.kind(), r.notice_days(), today);
    if (ToProto(effective).SerializeAsString() !=
        r.effective().SerializeAsString()) {
      r.add_arithmetic(absl::StrCat("approved on ", FormatDate(today),
                                    ": effective ", FormatDate(effective)));
      *r.mutable_effective() = ToProto(effective);
    }
  }
  const std::string detail = absl::StrCat("approved ", Summary(r), ": ", note);

  std::optional<v1::Household> after = Applied(r, h);
  if (after) {
    ChangeContext change;
    change.actor = actor;
    change.source =
        absl::StrCat("recommendation ", r.recommendation_id(),
                     " approved, effective ", FormatDate(r.effective()));
    change.expected_version = r.household_version();
    change.also = [&](const v1::Household& stored, rocksdb::WriteBatch* batch,
                      std::vector<v1::AuditEntry>* audit) -> absl::Status {
      r.set_applied_version(stored.version());
      RETURN_IF_ERROR(WriteRecommendation(store_, r, batch));
      audit->push_back(EntryFor(r, v1::AUDIT_ACTION_RECOMMENDATION_APPROVED,
                                actor, now, detail));
      return absl::OkStatus();
    };
    ASSIGN_OR_RETURN(UpsertResult result, registry_->Upsert(*after, change));
    if (result.outcome != UpsertOutcome::kUnchanged) return r;
  }
  // Nothing to change in the registry (yet): record the decision alone.
  rocksdb::WriteBatch batch;
  RETURN_IF_ERROR(WriteRecommendation(store_, r, &batch));
  RETURN_IF_ERROR(
      audit_->Commit({EntryFor(r, v1::AUDIT_ACTION_RECOMMENDATION_APPROVED,
                               actor, now, detail)},
                     &batch));
  return r;
}

absl::StatusOr<v1::Recommendation> Recommender::Reject(
    absl::string_view id, const std::string& actor, const std::string& note) {
  return PassOrReject(id, v1::RECOMMENDATION_STAGE_DISTRICT_APPROVAL, actor,
                      note, /*reject=*/true);
}

absl::StatusOr<v1::Recommendation> Recommender::ApplyGradualExit(
    v1::Recommendation r, const std::string& actor) {
  ASSIGN_OR_RETURN(v1::Household h, registry_->Get(r.household_id()));
  if (h.status() != v1::HOUSEHOLD_STATUS_ACTIVE) {
    // Exited some other way meanwhile: nothing left to apply.
    r.set_applied_version(h.version());
    rocksdb::WriteBatch batch;
    RETURN_IF_ERROR(WriteRecommendation(store_, r, &batch));
    RETURN_IF_ERROR(store_->Write(batch));
    return r;
  }
  h.set_status(v1::HOUSEHOLD_STATUS_EXITED);
  h.set_monthly_benefit_fen(0);
  ChangeContext change;
  change.actor = actor;
  change.source =
      absl::StrCat("gradual exit of recommendation ", r.recommendation_id(),
                   " ended ", FormatDate(r.gradual_exit_until()));
  change.also = [&](const v1::Household& stored, rocksdb::WriteBatch* batch,
                    std::vector<v1::AuditEntry>*) -> absl::Status {
    r.set_applied_version(stored.version());
    return WriteRecommendation(store_, r, batch);
  };
  RETURN_IF_ERROR(registry_->Upsert(h, change).status());
  return r;
}

}  // namespace dibao
