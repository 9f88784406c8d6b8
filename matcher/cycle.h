// The matching cycle: every household whose facts changed (or all of them)
// re-assessed against the partners' facts on an as-of day, with the flags
// brought up to date and a report of what changed.
//
// Which households: those a feed batch marked (dirty_households), those
// changed in the registry since the last cycle, and those due by date (the
// wake index: a job, benefit, custody term or look-back ending between the
// last cycle and this one). A full cycle takes every household; one runs by
// itself on the first cycle, after a policy change, and when a standard
// takes effect.
//
// Safe to interrupt: households are assessed in blocks, in household order,
// and each block's flags, assessments and the cycle's progress commit in one
// WriteBatch. A cycle for the same day and scope started after a crash
// resumes after the last committed block; any other day restarts (flags are
// keyed by their evidence, so nothing is duplicated either way).
// Deterministic: the same store, policy and day give the same flags, flag
// IDs included, whatever the thread count.
//
// Thread-safe: cycles run one at a time (a second caller waits).
#ifndef DIBAO_MATCHER_CYCLE_H_
#define DIBAO_MATCHER_CYCLE_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/civil_time.h"
#include "base/clock.h"
#include "base/thread_pool.h"
#include "dibao/v1/matching.pb.h"
#include "dibao/v1/policy.pb.h"
#include "matcher/flag_store.h"
#include "matcher/household_case.h"
#include "registry/registry_reader.h"
#include "storage/store.h"

namespace dibao {

struct CycleOptions {
  // Threads assessing households; 0: one per core.
  int threads = 0;
  // Households per committed block. Larger blocks mean fewer writes and
  // more work redone after a crash.
  int block_households = 512;
  // Test seam: after this many committed blocks the cycle stops with
  // ABORTED, as if the process had died there. Negative: never.
  int64_t abort_after_blocks = -1;
  // A full cycle first reads every registry member's facts in one pass in
  // ID order (FactPrefetch) when they fit in this many MiB (about 200 MiB
  // per million beneficiaries); otherwise, and for partial cycles, it seeks
  // member by member.
  int prefetch_budget_mb = 1024;
  // Problems listed in a report; all are counted.
  int max_listed_problems = 100;
};

class CycleRunner {
 public:
  // `store`, `flags` and `clock` must outlive the runner. `policy` may be
  // null: cycles then fail with FAILED_PRECONDITION saying so.
  CycleRunner(Store* store, FlagStore* flags, Clock* clock,
              std::shared_ptr<const v1::Policy> policy, CycleOptions options);
  ~CycleRunner();

  // Runs (or resumes) the cycle for `as_of`. `actor` is recorded in the
  // report.
  absl::StatusOr<v1::CycleReport> Run(absl::CivilDay as_of, bool full,
                                      absl::string_view actor);

  // Completed cycles, newest first.
  absl::StatusOr<std::vector<v1::CycleReport>> List(int limit) const;

  // A household's reassessment with its explanation: the one the last
  // cycle stored (for households with findings), else computed now for the
  // last cycle's day (today before any cycle). NOT_FOUND for an unknown
  // household.
  absl::StatusOr<v1::Assessment> GetAssessment(
      absl::string_view household_id) const;

  // The policy in force (null without one). A reload replaces it; a cycle
  // already running keeps the one it began with, and so does a caller
  // holding the pointer.
  std::shared_ptr<const v1::Policy> policy() const;
  // Puts `policy` in force from the next cycle and assessment on.
  void SetPolicy(std::shared_ptr<const v1::Policy> policy);

 private:
  struct Block;
  struct Pass;
  // The phases of Run, in order.
  // Loads the cycle's state and starts the report, or resumes the one an
  // interrupted run of the same day left; decides whether every household
  // is assessed (the first cycle, a new policy, a new standard) and why.
  absl::StatusOr<Pass> Begin(absl::CivilDay as_of, bool full,
                             absl::string_view actor);
  // A partial cycle's households: those feed batches and registry changes
  // marked since the last cycle, and those whose facts change by the day.
  absl::Status CollectWork(Pass& pass);
  // A full cycle reads every member's facts in one pass when they fit in
  // the budget; null when it reads them member by member.
  absl::StatusOr<const FactPrefetch*> Prefetch(
      const Pass& pass, FactPrefetch* prefetch,
      std::optional<Store::Snapshot>* snapshot);
  // Assesses the households of `all` (a full cycle) or of the pass's list
  // block by block, each block committed with the point an interrupted run
  // resumes from.
  absl::Status AssessAll(Pass& pass, HouseholdScan* all,
                         const FactPrefetch* facts);
  // Writes one assessed block, its counts and the resumption point.
  absl::Status CommitBlock(Pass& pass, const Block& block);
  // Consumes the marks the cycle read and keeps the report.
  absl::Status Finish(Pass& pass);

  // Assesses and reconciles the block's households, numbering new flags
  // from *flag_seq on (and advancing it); the writes land in the block's
  // outputs.
  absl::Status AssessBlock(Block& block, absl::CivilDay as_of,
                           uint64_t* flag_seq);
  // Runs fn(worker) on every worker (the calling thread is worker 0);
  // the first error.
  template <typename Fn>
  absl::Status OnWorkers(Fn&& fn);

  Store* const store_;
  FlagStore* const flags_;
  Clock* const clock_;
  mutable absl::Mutex policy_mu_;
  std::shared_ptr<const v1::Policy> policy_ ABSL_GUARDED_BY(policy_mu_);
  // The running cycle's policy (set under run_mu_ at its start).
  std::shared_ptr<const v1::Policy> run_policy_;
  const CycleOptions options_;
  std::unique_ptr<ThreadPool> pool_;
  // One per worker, reused across blocks (used only under run_mu_).
  std::vector<HouseholdCase> cases_;
  absl::Mutex run_mu_;
};

}  // namespace dibao

#endif  // DIBAO_MATCHER_CYCLE_H_
