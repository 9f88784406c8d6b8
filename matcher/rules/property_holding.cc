// PROPERTY_HOLDING: the household's members hold more properties than the
// policy allows, or more floor area per countable member. Fails the asset
// test. About the member who holds them all, or the household when several
// do.
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "matcher/rules/rule.h"

namespace dibao {

void CheckPropertyHolding(const RuleInput& in, std::vector<Detection>* out) {
  const v1::AssetPolicy& assets = in.policy.assets();
  Detection d;
  double area = 0;
  int holders = 0;
  int countable = 0;
  for (size_t i = 0; i < in.hc.members().size(); ++i) {
    if (in.standing[i].countable()) ++countable;
    const auto held = HeldProperties(in.hc.members()[i], in.day());
    if (held.empty()) continue;
    ++holders;
    d.member = static_cast<int>(i);
    for (const CurrentFact* f : held) {
      area += f->record().property().area_m2();
      d.facts.push_back(f);
    }
  }
  const int count = static_cast<int>(d.facts.size());
  const bool too_many = count > assets.max_properties();
  const bool too_large = assets.max_area_m2_per_member() > 0 && countable > 0 &&
                         area / countable > assets.max_area_m2_per_member();
  if (!too_many && !too_large) return;
  if (holders > 1) d.member = -1;
  d.summary = absl::StrFormat(
      "land: %d %s held, %.1f m2 in all (policy: at most %d", count,
      count == 1 ? "property" : "properties", area, assets.max_properties());
  if (assets.max_area_m2_per_member() > 0) {
    absl::StrAppend(&d.summary,
                    absl::StrFormat(", %.1f m2 per member",
                                    assets.max_area_m2_per_member()));
  }
  d.summary += ")";
  d.reported = {{"assets", "no property beyond the home declared"}};
  d.if_true = {IfTrue::Kind::kAssetsFail, d.member};
  out->push_back(std::move(d));
}

}  // namespace dibao
