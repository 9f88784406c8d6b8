// IDENTITY_MISMATCH: the registry's name, sex or birth date of a member
// disagrees with the hukou record, or sex and birth date disagree with what
// the ID number itself encodes. A wrong person or a typo: a caseworker
// checks the papers; no money is at stake until then.
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "base/dates.h"
#include "matcher/fact_queries.h"
#include "matcher/rules/rule.h"

namespace dibao {
namespace {

std::string SexName(v1::Sex s) {
  absl::string_view name = v1::Sex_Name(s);
  absl::ConsumePrefix(&name, "SEX_");
  return std::string(name);
}

bool SameDate(const v1::Date& a, const v1::Date& b) {
  return a.year() == b.year() && a.month() == b.month() && a.day() == b.day();
}

// The birth date the ID encodes (8 digits from position 6).
v1::Date BirthInId(const std::string& id) {
  auto digits = [&](int from, int n) {
    int v = 0;
    for (int k = 0; k < n; ++k) v = v * 10 + (id[from + k] - '0');
    return v;
  };
  v1::Date d;
  d.set_year(digits(6, 4));
  d.set_month(digits(10, 2));
  d.set_day(digits(12, 2));
  return d;
}

}  // namespace

void CheckIdentityMismatch(const RuleInput& in, std::vector<Detection>* out) {
  for (size_t i = 0; i < in.hc.members().size(); ++i) {
    const v1::Member& m = *in.hc.members()[i].member;
    Detection d;
    std::vector<std::string> what;
    auto differs = [&](absl::string_view field, const std::string& registry,
                       const std::string& other, absl::string_view source) {
      if (registry == other || other.empty()) return;
      what.push_back(absl::StrCat(field, ": registry ", registry, ", ", source,
                                  " ", other));
      d.reported.emplace_back(MemberField(m, field), registry);
    };
    // Compared as values first: text only for what differs (this runs
    // for every member of every household).
    // The ID: 8 digits of birth date from position 6, odd 17th digit = male.
    const std::string& id = m.id_number();
    if (id.size() == 18) {
      const v1::Date birth = BirthInId(id);
      if (!SameDate(birth, m.birth_date())) {
        differs("birth_date", FormatDate(m.birth_date()), FormatDate(birth),
                "ID number");
      }
      const v1::Sex sex =
          (id[16] - '0') % 2 == 1 ? v1::SEX_MALE : v1::SEX_FEMALE;
      if (m.sex() != v1::SEX_UNSPECIFIED && m.sex() != sex) {
        differs("sex", SexName(m.sex()), SexName(sex), "ID number");
      }
    }
    if (const CurrentFact* hukou = HukouOf(in.hc.members()[i])) {
      const size_t before = what.size();
      const v1::HukouRecord& r = hukou->record().hukou();
      if (m.name() != hukou->record().name()) {
        differs("name", m.name(), hukou->record().name(), "public security");
      }
      if (r.sex() != v1::SEX_UNSPECIFIED && m.sex() != v1::SEX_UNSPECIFIED &&
          r.sex() != m.sex()) {
        differs("sex", SexName(m.sex()), SexName(r.sex()), "public security");
      }
      if (r.has_birth_date() && !SameDate(r.birth_date(), m.birth_date())) {
        differs("birth_date", FormatDate(m.birth_date()),
                FormatDate(r.birth_date()), "public security");
      }
      if (what.size() > before) d.facts.push_back(hukou);
    }
    if (what.empty()) continue;
    d.member = static_cast<int>(i);
    for (size_t j = 0; j < what.size(); ++j) {
      absl::StrAppend(&d.summary, j == 0 ? "" : "; ", what[j]);
    }
    out->push_back(std::move(d));
  }
}

}  // namespace dibao
