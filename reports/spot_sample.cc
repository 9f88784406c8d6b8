#include "reports/spot_sample.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "base/dates.h"
#include "base/free_text.h"
#include "base/sha256.h"
#include "base/status_macros.h"
#include "reports/report_stats.h"
#include "storage/keys.h"

namespace dibao {
namespace {

struct Candidate {
  std::string rank;  // SHA-256 of seed and ID
  v1::SampledHousehold household;
};

std::string StratumName(const v1::Household& h, v1::Stratification s,
                        const v1::AreaFilter& area) {
  if (s == v1::STRATIFICATION_NONE) return "";
  std::string name = area.district_code().empty()
                         ? absl::StrCat(h.district_code(), " ", h.street())
                         : h.street();
  if (s == v1::STRATIFICATION_COMMUNITY)
    absl::StrAppend(&name, "/", h.community());
  return name;
}

std::string StratificationName(v1::Stratification s) {
  switch (s) {
    case v1::STRATIFICATION_STREET:
      return "street";
    case v1::STRATIFICATION_COMMUNITY:
      return "community";
    default:
      return "none";
  }
}

}  // namespace

absl::StatusOr<v1::SpotCheckSample> DrawSpotCheckSample(
    const Registry& registry, const v1::DrawSampleRequest& request) {
  const double fraction = request.fraction();
  if (!(fraction > 0.0 && fraction <= 1.0)) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "fraction is %g; it must be more than 0 and at most 1", fraction));
  }
  RETURN_IF_ERROR(CheckNote("the note", request.note()));
  v1::Stratification stratify = request.stratify();
  if (stratify == v1::STRATIFICATION_UNSPECIFIED) {
    stratify = v1::STRATIFICATION_NONE;
  }
  if (!v1::Stratification_IsValid(stratify)) {
    return absl::InvalidArgumentError(
        absl::StrCat("stratify ", request.stratify(),
                     " is not one of NONE, STREET, COMMUNITY"));
  }
  ASSIGN_OR_RETURN(ListFilter filter, ActiveHouseholdsIn(request.area()));
  std::string seed_bytes;
  keys::PutFixed64(&seed_bytes, request.seed());
  // Only IDs, ranks and areas are kept: a few dozen bytes per household.
  std::map<std::string, std::vector<Candidate>> strata;
  int64_t population = 0;
  RETURN_IF_ERROR(registry.ForEach(filter, [&](const v1::Household& h) {
    ++population;
    Candidate c;
    c.rank = Sha256::Of(absl::StrCat(seed_bytes, h.household_id()));
    c.household.set_household_id(h.household_id());
    c.household.set_street(h.street());
    c.household.set_community(h.community());
    c.household.set_stratum(StratumName(h, stratify, request.area()));
    strata[c.household.stratum()].push_back(std::move(c));
    return absl::OkStatus();
  }));
  if (population == 0) {
    return absl::FailedPreconditionError(
        "there is no ACTIVE household in the area to draw from");
  }
  v1::SpotCheckSample sample;
  *sample.mutable_area() = request.area();
  sample.set_fraction(fraction);
  sample.set_seed(request.seed());
  sample.set_stratify(stratify);
  sample.set_note(request.note());
  sample.set_method(kSampleMethod);
  sample.set_population(population);
  for (auto& [name, candidates] : strata) {
    const int64_t n = static_cast<int64_t>(candidates.size());
    const int64_t k = std::clamp<int64_t>(
        static_cast<int64_t>(
            std::floor(fraction * static_cast<double>(n) + 0.5)),
        1, n);
    std::sort(candidates.begin(), candidates.end(),
              [](const Candidate& a, const Candidate& b) {
                return std::tie(a.rank, a.household.household_id()) <
                       std::tie(b.rank, b.household.household_id());
              });
    candidates.resize(k);
    std::sort(candidates.begin(), candidates.end(),
              [](const Candidate& a, const Candidate& b) {
                return a.household.household_id() < b.household.household_id();
              });
    v1::SampleStratum* s = sample.add_strata();
    s->set_name(name);
    s->set_population(n);
    s->set_drawn(k);
    for (Candidate& c : candidates) {
      *sample.add_households() = std::move(c.household);
    }
  }
  return sample;
}

absl::StatusOr<v1::SpotCheckSample> SpotSamples::Draw(
    const Registry& registry, const v1::DrawSampleRequest& request,
    absl::string_view actor) {
  if (actor.empty()) {
    return absl::InvalidArgumentError("a sample needs who drew it");
  }
  ASSIGN_OR_RETURN(v1::SpotCheckSample sample,
                   DrawSpotCheckSample(registry, request));
  absl::MutexLock lock(&mu_);
  ASSIGN_OR_RETURN(const uint64_t last, store_->GetCounter(kSampleSeqCounter));
  const uint64_t seq = last + 1;
  sample.set_sample_seq(static_cast<int64_t>(seq));
  sample.set_drawn_by(std::string(actor));
  *sample.mutable_drawn_at() = ToProto(clock_->Now());
  rocksdb::WriteBatch batch;
  batch.Put(store_->handle(Cf::kSamples), keys::SampleKey(seq),
            sample.SerializeAsString());
  std::string seq_value;
  keys::PutFixed64(&seq_value, seq);
  batch.Put(store_->handle(Cf::kMeta), keys::MetaKey(kSampleSeqCounter),
            seq_value);
  if (audit_ == nullptr) {
    RETURN_IF_ERROR(store_->Write(batch));
    return sample;
  }
  v1::AuditEntry entry;
  entry.set_actor(std::string(actor));
  entry.set_action(v1::AUDIT_ACTION_SAMPLE_DRAWN);
  *entry.mutable_at() = sample.drawn_at();
  entry.set_detail(absl::StrFormat(
      "spot-check sample %d: %d of %d ACTIVE households, fraction %g, seed "
      "%d, stratified by %s%s%s",
      seq, sample.households_size(), sample.population(), sample.fraction(),
      sample.seed(), StratificationName(sample.stratify()),
      sample.note().empty() ? "" : ": ", sample.note()));
  entry.set_ref(absl::StrCat("samples ", seq));
  RETURN_IF_ERROR(audit_->Commit({std::move(entry)}, &batch));
  return sample;
}

absl::StatusOr<std::vector<v1::SpotCheckSample>> SpotSamples::List(
    int limit) const {
  if (limit <= 0) limit = 50;
  std::vector<v1::SpotCheckSample> out;
  auto it = store_->NewIterator(Cf::kSamples);
  const std::string prefix = keys::SamplePrefix();
  for (it->SeekToLast();
       it->Valid() && it->key().starts_with(rocksdb::Slice(prefix)) &&
       static_cast<int>(out.size()) < limit;
       it->Prev()) {
    v1::SpotCheckSample s;
    if (!s.ParseFromArray(it->value().data(),
                          static_cast<int>(it->value().size()))) {
      return absl::DataLossError("unreadable stored spot-check sample");
    }
    s.clear_households();
    out.push_back(std::move(s));
  }
  RETURN_IF_ERROR(FromRocks(it->status(), "read the samples"));
  return out;
}

absl::StatusOr<v1::SpotCheckSample> SpotSamples::Get(int64_t sample_seq) const {
  if (sample_seq <= 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("sample ", sample_seq, ": a sample number is 1 or more"));
  }
  ASSIGN_OR_RETURN(
      std::optional<std::string> bytes,
      store_->Get(Cf::kSamples,
                  keys::SampleKey(static_cast<uint64_t>(sample_seq))));
  if (!bytes) {
    return absl::NotFoundError(
        absl::StrCat("there is no spot-check sample ", sample_seq));
  }
  v1::SpotCheckSample s;
  if (!s.ParseFromString(*bytes)) {
    return absl::DataLossError(
        absl::StrCat("spot-check sample ", sample_seq, " is unreadable"));
  }
  return s;
}

}  // namespace dibao
