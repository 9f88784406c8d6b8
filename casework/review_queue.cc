#include "casework/review_queue.h"

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "base/dates.h"
#include "base/status_macros.h"
#include "casework/review.h"
#include "matcher/rules/rule.h"

namespace dibao {
namespace {

// Where a flag sits in the queue: higher key first (the order's key:
// priority, overpayment, age, severity; 0 for flag order), then lower flag
// number (older first).
struct Position {
  int64_t key = 0;
  uint64_t seq = 0;
  bool operator<(const Position& o) const {
    return key != o.key ? key > o.key : seq < o.seq;
  }
};

// Page tokens are "order:key:flag_seq" of the last flag given.
std::string TokenOf(v1::QueueOrder order, const Position& p) {
  return absl::StrCat(static_cast<int>(order), ":", p.key, ":", p.seq);
}

absl::StatusOr<Position> ParseToken(absl::string_view token,
                                    v1::QueueOrder order) {
  std::vector<absl::string_view> parts = absl::StrSplit(token, ':');
  Position p;
  int token_order = 0;
  if (parts.size() != 3 || !absl::SimpleAtoi(parts[0], &token_order) ||
      !absl::SimpleAtoi(parts[1], &p.key) ||
      !absl::SimpleAtoi(parts[2], &p.seq)) {
    return absl::InvalidArgumentError("page_token is not one this server gave");
  }
  if (token_order != static_cast<int>(order)) {
    return absl::InvalidArgumentError(
        "page_token belongs to another order: start again from the first "
        "page");
  }
  return p;
}

int AgeDays(const v1::Flag& flag, absl::CivilDay today) {
  auto first = FromProto(flag.first_seen());
  if (!first.ok() || *first >= today) return 0;
  return static_cast<int>(today - *first);
}

int64_t SortKey(v1::QueueOrder order, const v1::Flag& flag, int64_t priority,
                int age_days) {
  switch (order) {
    case v1::QUEUE_ORDER_OVERPAYMENT:
      return flag.finding().est_monthly_overpayment_fen();
    case v1::QUEUE_ORDER_AGE:
      return age_days;
    case v1::QUEUE_ORDER_SEVERITY:
      return flag.finding().severity();
    case v1::QUEUE_ORDER_FLAG_ID:
      return 0;
    default:
      return priority;
  }
}

absl::Status CheckFilter(const v1::QueueFilter& f) {
  if (!f.rule().empty() && FindRule(f.rule()) == nullptr) {
    std::vector<std::string> codes;
    for (const RuleSpec& r : AllRules()) codes.emplace_back(r.code);
    return absl::InvalidArgumentError(absl::StrCat(
        "rule \"", f.rule(), "\" is not one of ", absl::StrJoin(codes, ", ")));
  }
  for (int s : f.states()) {
    if (!v1::FlagState_IsValid(s) || s == v1::FLAG_STATE_UNSPECIFIED) {
      return absl::InvalidArgumentError(
          absl::StrCat("state ", s, " is not a flag state"));
    }
  }
  if (!v1::Severity_IsValid(f.min_severity())) {
    return absl::InvalidArgumentError(
        absl::StrCat("min_severity ", f.min_severity(), " is not a severity"));
  }
  if (f.min_age_days() < 0) {
    return absl::InvalidArgumentError("min_age_days must not be negative");
  }
  return absl::OkStatus();
}

bool InStates(const v1::QueueFilter& f, v1::FlagState state) {
  if (f.states().empty()) {
    return state == v1::FLAG_STATE_OPEN || state == v1::FLAG_STATE_NEEDS_VISIT;
  }
  return std::find(f.states().begin(), f.states().end(), state) !=
         f.states().end();
}

// The filter's parts other than rule and states.
bool InScope(const v1::QueueFilter& f, const v1::Flag& flag, int age_days) {
  if (!f.district_code().empty() && flag.district_code() != f.district_code())
    return false;
  if (!f.street().empty() && flag.street() != f.street()) return false;
  if (!f.community().empty() && flag.community() != f.community()) return false;
  if (flag.finding().severity() < f.min_severity()) return false;
  if (age_days < f.min_age_days()) return false;
  if (f.assignee() == "-") return flag.assignee().empty();
  return f.assignee().empty() || flag.assignee() == f.assignee();
}

}  // namespace

int64_t QueuePriority(const v1::Flag& flag, absl::CivilDay today) {
  const int64_t severity = std::max<int64_t>(flag.finding().severity(), 1);
  const int64_t fen =
      std::max<int64_t>(flag.finding().est_monthly_overpayment_fen(), 100);
  // fen / 100 x (30 + age) / 30, in one division so nothing is lost early.
  return severity * fen * (30 + AgeDays(flag, today)) / 3000;
}

absl::StatusOr<v1::ListQueueResponse> ReviewQueue::List(
    const v1::ListQueueRequest& request) const {
  const v1::QueueFilter& f = request.filter();
  RETURN_IF_ERROR(CheckFilter(f));
  if (request.page_size() < 0) {
    return absl::InvalidArgumentError("page_size must not be negative");
  }
  const int page_size = request.page_size() == 0
                            ? kDefaultPageSize
                            : std::min<int>(request.page_size(), kMaxPageSize);
  const v1::QueueOrder order = request.order();
  if (!v1::QueueOrder_IsValid(order)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "order ", static_cast<int>(order), " is not a queue order"));
  }
  std::optional<Position> after;
  if (!request.page_token().empty()) {
    ASSIGN_OR_RETURN(after, ParseToken(request.page_token(), order));
  }
  const absl::CivilDay today = clock_->Today();

  v1::ListQueueResponse response;
  std::map<std::string, int64_t> by_rule, by_state;
  // The page so far: the `page_size` best positions after the token, kept
  // as a sorted vector (pages are small), plus one to know if more follow.
  std::vector<Position> page;
  int64_t matching = 0, overpayment = 0;
  // Every flag is read: the facets count the states and rules the filter
  // leaves out.
  RETURN_IF_ERROR(flags_->ForEach(FlagFilter(), [&](const v1::Flag& flag) {
    const int age = AgeDays(flag, today);
    if (!InScope(f, flag, age)) return absl::OkStatus();
    const bool rule_ok = f.rule().empty() || flag.finding().rule() == f.rule();
    const bool state_ok = InStates(f, flag.state());
    if (state_ok) ++by_rule[flag.finding().rule()];
    if (rule_ok) ++by_state[FlagStateName(flag.state())];
    if (!rule_ok || !state_ok) return absl::OkStatus();
    ++matching;
    overpayment += flag.finding().est_monthly_overpayment_fen();
    auto seq = ParseFlagId(flag.flag_id());
    if (!seq.ok()) return seq.status();
    const Position p{SortKey(order, flag, QueuePriority(flag, today), age),
                     *seq};
    if (after && !(*after < p)) return absl::OkStatus();
    if (static_cast<int>(page.size()) > page_size && !(p < page.back())) {
      return absl::OkStatus();
    }
    page.insert(std::upper_bound(page.begin(), page.end(), p), p);
    if (static_cast<int>(page.size()) > page_size + 1) page.pop_back();
    return absl::OkStatus();
  }));

  const bool more = static_cast<int>(page.size()) > page_size;
  if (more) page.pop_back();
  for (const Position& p : page) {
    ASSIGN_OR_RETURN(v1::Flag flag, flags_->Get(FormatFlagId(p.seq)));
    // The case view carries the comments: a page of flags must not grow
    // with what caseworkers wrote on each of them.
    flag.clear_comments();
    v1::QueueItem* item = response.add_items();
    item->set_priority(QueuePriority(flag, today));
    item->set_age_days(AgeDays(flag, today));
    *item->mutable_flag() = std::move(flag);
  }
  if (more) response.set_next_page_token(TokenOf(order, page.back()));
  response.set_total(matching);
  response.set_total_overpayment_fen(overpayment);
  for (const auto& [key, n] : by_rule) {
    v1::QueueCount* c = response.add_by_rule();
    c->set_key(key);
    c->set_count(n);
  }
  for (const auto& [key, n] : by_state) {
    v1::QueueCount* c = response.add_by_state();
    c->set_key(key);
    c->set_count(n);
  }
  response.set_priority_formula(kPriorityFormula);
  return response;
}

absl::StatusOr<v1::Case> ReviewQueue::GetCase(absl::string_view flag_id) const {
  ASSIGN_OR_RETURN(v1::Flag flag, flags_->Get(flag_id));
  const absl::CivilDay today = clock_->Today();
  v1::Case c;
  const std::string household_id = flag.household_id();
  c.mutable_item()->set_priority(QueuePriority(flag, today));
  c.mutable_item()->set_age_days(AgeDays(flag, today));
  *c.mutable_item()->mutable_flag() = std::move(flag);
  ASSIGN_OR_RETURN(*c.mutable_household(), registry_->Get(household_id));
  auto assessment = cycles_->GetAssessment(household_id);
  if (assessment.ok()) {
    *c.mutable_assessment() = *std::move(assessment);
  } else {
    c.set_assessment_problem(std::string(assessment.status().message()));
  }
  ASSIGN_OR_RETURN(std::vector<v1::Flag> others,
                   flags_->HouseholdFlags(household_id));
  for (v1::Flag& other : others) {
    if (other.flag_id() == flag_id) continue;
    const v1::FlagState s = other.state();
    if (s == v1::FLAG_STATE_OPEN || s == v1::FLAG_STATE_NEEDS_VISIT ||
        s == v1::FLAG_STATE_CONFIRMED) {
      other.clear_comments();  // their own case views have them
      *c.add_other_flags() = std::move(other);
    }
  }
  RETURN_IF_ERROR(
      audit_->ForHousehold(household_id, [&](const v1::AuditEntry& e) {
        *c.add_history() = e;
        return absl::OkStatus();
      }));
  return c;
}

}  // namespace dibao
