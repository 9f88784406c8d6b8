// RESIDENCE_MISMATCH: public security says a member actually lives somewhere
// other than the household's registered residence (人户分离, common after
// demolition). Not an exit: a reason to visit, so no money is at stake.
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "base/dates.h"
#include "matcher/fact_queries.h"
#include "matcher/rules/rule.h"

namespace dibao {
namespace {

// Addresses compared without white space, the ideographic space (U+3000)
// included: exports pad and wrap them.
std::string Squeezed(absl::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s.substr(i, 3) == "\xE3\x80\x80") {
      i += 2;
      continue;
    }
    if (!absl::ascii_isspace(static_cast<unsigned char>(s[i]))) out += s[i];
  }
  return out;
}

}  // namespace

void CheckResidenceMismatch(const RuleInput& in, std::vector<Detection>* out) {
  const v1::Household& h = in.hc.household();
  const std::string& home = h.residence_address().empty()
                                ? h.registered_address()
                                : h.residence_address();
  const std::string field = h.residence_address().empty() ? "registered_address"
                                                          : "residence_address";
  const std::string expected = Squeezed(home);
  for (size_t i = 0; i < in.hc.members().size(); ++i) {
    if (in.standing[i].death != nullptr) continue;
    in.hc.members()[i].ForKind(
        v1::FEED_KIND_RESIDENCE, [&](const CurrentFact& f) {
          const v1::ResidenceRecord& r = f.record().residence();
          const auto since = DayOf(r.since_date());
          if ((since && *since > in.day()) || r.residence_address().empty() ||
              Squeezed(r.residence_address()) == expected) {
            return;
          }
          Detection d;
          d.member = static_cast<int>(i);
          d.summary = absl::StrCat(
              "public security: lives at ", r.residence_address(),
              since ? absl::StrCat(" since ", FormatDate(*since)) : "",
              "; the household's address is ", home);
          d.facts = {&f};
          d.reported = {{field, home}};
          out->push_back(std::move(d));
        });
  }
}

}  // namespace dibao
