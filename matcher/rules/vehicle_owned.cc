// VEHICLE_OWNED: a member owns a vehicle, registered and not deregistered on
// the day, worth more than the policy's threshold and not of an exempt type
// (a disability vehicle). Fails the asset test.
#include "absl/strings/str_cat.h"
#include "base/dates.h"
#include "base/money.h"
#include "matcher/fact_queries.h"
#include "matcher/rules/rule.h"

namespace dibao {

void CheckVehicleOwned(const RuleInput& in, std::vector<Detection>* out) {
  for (size_t i = 0; i < in.hc.members().size(); ++i) {
    const auto vehicles =
        FailingVehicles(in.hc.members()[i], in.policy, in.day());
    if (vehicles.empty()) continue;
    Detection d;
    d.member = static_cast<int>(i);
    d.summary = "public security:";
    for (const CurrentFact* f : vehicles) {
      const v1::VehicleRecord& r = f->record().vehicle();
      absl::StrAppend(&d.summary, d.facts.empty() ? " " : "; ",
                      r.vehicle_type(), " ", r.plate(), " worth ",
                      FormatYuan(r.value_fen()), " yuan registered on ",
                      FormatDate(r.registered_date()));
      d.facts.push_back(f);
    }
    absl::StrAppend(
        &d.summary, " (threshold ",
        FormatYuan(in.policy.assets().vehicle_value_threshold_fen()), ")");
    d.reported = {{MemberField(*in.hc.members()[i].member, "assets"),
                   "no vehicle declared"}};
    d.if_true = {IfTrue::Kind::kAssetsFail, d.member};
    out->push_back(std::move(d));
  }
}

}  // namespace dibao
