// Random spot-check samples (定期抽查): a share of the ACTIVE households drawn
// for a home visit, reproducible from its seed and stored with it, so that
// anyone can check afterwards that the officer did not pick the households.
//
// The draw depends only on (seed, fraction, stratification, the IDs of the
// ACTIVE households in the area): each stratum (the whole area, a street or
// a community) takes k = max(1, round-half-up(fraction x stratum size))
// households, at most all of them: the k with the smallest
// SHA-256(seed as 8 big-endian bytes || household_id), ties by ID. A hash
// rank, not a PRNG stream, so the order households are read in and the
// library's implementation cannot change it; any machine with SHA-256 can
// redraw it.
//
// A drawn sample is stored (samples family, key keys::SampleKey(seq), the
// seq counted in meta under kSampleSeqCounter) with its parameters, who drew
// it and when, together with its audit entry (AUDIT_ACTION_SAMPLE_DRAWN) in
// one write when there is an audit log.
//
// Thread-safe: drawing serialises on an internal mutex (the seq is a
// read-modify-write); reads run concurrently.
#ifndef DIBAO_REPORTS_SPOT_SAMPLE_H_
#define DIBAO_REPORTS_SPOT_SAMPLE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "base/clock.h"
#include "dibao/v1/reports.pb.h"
#include "registry/registry.h"
#include "storage/audit_log.h"
#include "storage/store.h"

namespace dibao {

// How the households are ranked, as recorded in every sample.
inline constexpr char kSampleMethod[] =
    "rank by sha256(seed as 8 big-endian bytes || household_id), ties by ID; "
    "per stratum take k = max(1, round-half-up(fraction x stratum size)) "
    "smallest";

// The draw alone: validates the request and ranks the households; stores
// nothing and leaves sample_seq, drawn_by and drawn_at unset.
// INVALID_ARGUMENT for a fraction outside (0, 1], an unknown stratification
// or a bad area; FAILED_PRECONDITION when the area has no ACTIVE household.
absl::StatusOr<v1::SpotCheckSample> DrawSpotCheckSample(
    const Registry& registry, const v1::DrawSampleRequest& request);

class SpotSamples {
 public:
  // `store`, `clock` and `audit` (when given) must outlive this.
  SpotSamples(Store* store, Clock* clock, AuditLog* audit = nullptr)
      : store_(store), clock_(clock), audit_(audit) {}

  // Draws, numbers, stamps and stores a sample (with its audit entry).
  // `actor` must not be empty. Errors as DrawSpotCheckSample.
  absl::StatusOr<v1::SpotCheckSample> Draw(const Registry& registry,
                                           const v1::DrawSampleRequest& request,
                                           absl::string_view actor);

  // Stored samples, newest first, at most `limit` (<= 0: 50), without their
  // household lists.
  absl::StatusOr<std::vector<v1::SpotCheckSample>> List(int limit) const;
  // One sample in full; NOT_FOUND when there is none with that seq.
  absl::StatusOr<v1::SpotCheckSample> Get(int64_t sample_seq) const;

 private:
  Store* const store_;
  Clock* const clock_;
  AuditLog* const audit_;
  absl::Mutex mu_;
};

}  // namespace dibao

#endif  // DIBAO_REPORTS_SPOT_SAMPLE_H_
