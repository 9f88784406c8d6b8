#include "matcher/cycle.h"

#include <algorithm>
#include <atomic>
#include <optional>
#include <set>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/blocking_counter.h"
#include "absl/synchronization/notification.h"
#include "base/dates.h"
#include "base/status_macros.h"
#include "feeds/dirty_marks.h"
#include "google/protobuf/util/time_util.h"
#include "matcher/household_assessor.h"
#include "matcher/household_case.h"
#include "matcher/policy.h"
#include "registry/registry_reader.h"
#include "storage/keys.h"

namespace dibao {
namespace {

constexpr char kStateName[] = "cycle_state";

uint32_t Yyyymmdd(absl::CivilDay d) {
  return static_cast<uint32_t>(d.year() * 10000 + d.month() * 100 + d.day());
}

absl::StatusOr<v1::CycleState> LoadState(const Store& store) {
  ASSIGN_OR_RETURN(auto bytes, store.Get(Cf::kMeta, keys::MetaKey(kStateName)));
  v1::CycleState state;
  if (bytes && !state.ParseFromString(*bytes)) {
    return absl::DataLossError("unreadable cycle state");
  }
  return state;
}

void AddCounts(const FlagCounts& counts, v1::CycleReport* report) {
  FlagCounts all;
  for (const auto& r : report->rules()) {
    all[r.rule()] = {r.new_flags(), r.still_open(), r.auto_resolved(),
                     r.reopened(), r.updated()};
  }
  for (const auto& [rule, c] : counts) {
    RuleCounts& a = all[rule];
    a.new_flags += c.new_flags;
    a.still_open += c.still_open;
    a.auto_resolved += c.auto_resolved;
    a.reopened += c.reopened;
    a.updated += c.updated;
  }
  report->clear_rules();
  for (const auto& [rule, c] : all) {
    auto* r = report->add_rules();
    r->set_rule(rule);
    r->set_new_flags(c.new_flags);
    r->set_still_open(c.still_open);
    r->set_auto_resolved(c.auto_resolved);
    r->set_reopened(c.reopened);
    r->set_updated(c.updated);
  }
}

}  // namespace

// One block of households, assessed and reconciled in parallel and
// committed as one write.
struct CycleRunner::Block {
  struct Slot {
    std::string id;
    std::string raw;  // the stored household; empty: read it
    bool found = false;
    v1::Household household;
    std::vector<StoredFlag> existing;
    absl::Status status;
    HouseholdResult result;
    FlagMatch match;  // which stored flag each finding is
    // The flag IDs its new flags take: [first_flag_seq + 1, + new_flags].
    int new_flags = 0;
    uint64_t first_flag_seq = 0;
  };
  // What one worker's households write, and did to the flags.
  struct Output {
    rocksdb::WriteBatch batch;
    FlagCounts counts;
  };
  // Slots are reused from block to block (their messages keep their
  // memory); the first `size` are this block's.
  std::vector<Slot> slots;
  size_t size = 0;
  std::vector<Output> outputs;  // one per worker
  const rocksdb::Snapshot* snapshot = nullptr;
  // A full cycle's facts, read in one pass; null: seek per member.
  const FactPrefetch* prefetch = nullptr;

  Slot& Add() {
    if (size == slots.size()) slots.emplace_back();
    Slot& s = slots[size++];
    s.raw.clear();
    s.found = false;
    s.status = absl::OkStatus();
    s.result.findings.clear();
    s.result.sustaining.clear();
    s.match = FlagMatch();
    s.new_flags = 0;
    return s;
  }
};

namespace {

// Copies the puts and deletes of worker batches into the block's batch, so
// that a block still commits as one write.
class BatchAppender : public rocksdb::WriteBatch::Handler {
 public:
  BatchAppender(const Store& store, rocksdb::WriteBatch* to) : to_(to) {
    for (int c = 0; c < kCfCount; ++c) {
      rocksdb::ColumnFamilyHandle* h = store.handle(static_cast<Cf>(c));
      if (h->GetID() >= handles_.size()) handles_.resize(h->GetID() + 1);
      handles_[h->GetID()] = h;
    }
  }
  rocksdb::Status PutCF(uint32_t cf, const rocksdb::Slice& key,
                        const rocksdb::Slice& value) override {
    return to_->Put(handles_.at(cf), key, value);
  }
  rocksdb::Status DeleteCF(uint32_t cf, const rocksdb::Slice& key) override {
    return to_->Delete(handles_.at(cf), key);
  }

 private:
  rocksdb::WriteBatch* to_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;
};

}  // namespace

CycleRunner::CycleRunner(Store* store, FlagStore* flags, Clock* clock,
                         std::shared_ptr<const v1::Policy> policy,
                         CycleOptions options)
    : store_(store),
      flags_(flags),
      clock_(clock),
      policy_(std::move(policy)),
      options_(options) {
  int threads = options_.threads;
  if (threads <= 0) {
    threads =
        std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
  }
  // The calling thread works too.
  if (threads > 1) pool_ = std::make_unique<ThreadPool>(threads - 1);
  cases_ = std::vector<HouseholdCase>(threads);
}

std::shared_ptr<const v1::Policy> CycleRunner::policy() const {
  absl::MutexLock lock(&policy_mu_);
  return policy_;
}

void CycleRunner::SetPolicy(std::shared_ptr<const v1::Policy> policy) {
  absl::MutexLock lock(&policy_mu_);
  policy_ = std::move(policy);
}

CycleRunner::~CycleRunner() = default;

template <typename Fn>
absl::Status CycleRunner::OnWorkers(Fn&& fn) {
  const int workers = pool_ ? pool_->size() + 1 : 1;
  std::vector<absl::Status> errors(workers);
  absl::BlockingCounter done(workers - 1);
  for (int w = 1; w < workers; ++w) {
    pool_->Schedule([&, w] {
      errors[w] = fn(w);
      done.DecrementCount();
    });
  }
  errors[0] = fn(0);
  done.Wait();
  for (const absl::Status& s : errors) RETURN_IF_ERROR(s);
  return absl::OkStatus();
}

absl::Status CycleRunner::AssessBlock(Block& block, absl::CivilDay as_of,
                                      uint64_t* flag_seq) {
  const size_t n = block.size;
  // Workers take the block's households a few at a time, so that none waits
  // long for the others (some households cost far more than others, and in
  // a fresh process some reads are cold); each still reads in ascending
  // order, as the flag cursor prefers.
  constexpr size_t kChunk = 8;
  std::atomic<size_t> claimed{0};
  auto for_my_slots = [&](auto&& fn) -> absl::Status {
    for (size_t from = claimed.fetch_add(kChunk); from < n;
         from = claimed.fetch_add(kChunk)) {
      for (size_t i = from; i < std::min(n, from + kChunk); ++i) {
        RETURN_IF_ERROR(fn(block.slots[i]));
      }
    }
    return absl::OkStatus();
  };
  const RegistryReader households(store_);
  RETURN_IF_ERROR(OnWorkers([&](int w) -> absl::Status {
    FactReader reader(store_, block.snapshot, block.prefetch);
    FlagStore::Cursor flag_cursor(*flags_, block.snapshot);
    HouseholdCase& hc = cases_[w];
    return for_my_slots([&](Block::Slot& s) -> absl::Status {
      if (s.raw.empty()) {
        ASSIGN_OR_RETURN(const bool stored, households.ReadHousehold(
                                                s.id, block.snapshot, &s.raw));
        if (!stored) return absl::OkStatus();  // never stored
      }
      if (!s.household.ParseFromString(s.raw)) {
        return absl::DataLossError(
            absl::StrCat("household ", s.id, " is unreadable"));
      }
      s.found = true;
      RETURN_IF_ERROR(flag_cursor.Read(s.id, &s.existing));
      const bool active = s.household.status() == v1::HOUSEHOLD_STATUS_ACTIVE;
      if (active) {
        s.status = reader.Load(s.household, as_of, &hc);
        if (!s.status.ok()) return s.status;
        auto result =
            AssessHousehold(hc, *run_policy_, /*always_explain=*/false);
        if (!result.ok()) {
          s.status = result.status();
          return absl::OkStatus();  // reported, and tried again next cycle
        }
        s.result = *std::move(result);
      }
      ASSIGN_OR_RETURN(s.match,
                       FlagStore::Match(active ? &s.result.findings : nullptr,
                                        active ? &s.result.sustaining : nullptr,
                                        s.existing, as_of, *run_policy_));
      s.new_flags = s.match.new_flags;
      return absl::OkStatus();
    });
  }));

  // New flags are numbered in household order, whichever worker found them.
  for (size_t i = 0; i < n; ++i) {
    Block::Slot& s = block.slots[i];
    s.first_flag_seq = *flag_seq;
    *flag_seq += s.new_flags;
  }

  block.outputs.resize(pool_ ? pool_->size() + 1 : 1);
  claimed = 0;
  return OnWorkers([&](int w) -> absl::Status {
    Block::Output& out = block.outputs[w];
    out.batch.Clear();
    out.counts.clear();
    WithdrawalFinder withdrawals(store_, block.snapshot);
    return for_my_slots([&](Block::Slot& s) -> absl::Status {
      if (!s.found || !s.status.ok()) return absl::OkStatus();
      const bool active = s.household.status() == v1::HOUSEHOLD_STATUS_ACTIVE;
      const bool had_flags = !s.existing.empty();
      uint64_t seq = s.first_flag_seq;
      RETURN_IF_ERROR(flags_->Reconcile(s.household, as_of, *run_policy_,
                                        active ? &s.result.findings : nullptr,
                                        active ? &s.result.sustaining : nullptr,
                                        std::move(s.existing), s.match, &seq,
                                        &out.batch, &out.counts, &withdrawals));
      if (seq != s.first_flag_seq + s.new_flags) {
        return absl::InternalError(absl::StrCat(
            "household ", s.id, ": counted ", s.new_flags,
            " new flags, reconciling made ", seq - s.first_flag_seq));
      }
      if (!active) return absl::OkStatus();
      const v1::Assessment& a = s.result.assessment;
      const std::string key = keys::AssessmentKey(s.id);
      if (!s.result.findings.empty()) {
        out.batch.Put(store_->handle(Cf::kAssessments), key,
                      a.SerializeAsString());
      } else if (had_flags) {
        out.batch.Delete(store_->handle(Cf::kAssessments), key);
      }
      if (a.has_next_change()) {
        out.batch.Put(
            store_->handle(Cf::kWakeIndex),
            keys::WakeKey(Yyyymmdd(*FromProto(a.next_change())), s.id), "");
      }
      return absl::OkStatus();
    });
  });
}

// What one run of the cycle works with, from its first phase to its last.
struct CycleRunner::Pass {
  absl::CivilDay as_of;
  absl::Time started;
  v1::CycleState state;  // as stored; in_progress is kept up to date
  v1::CycleReport report;
  bool resumed = false;
  // The last household an interrupted run of this cycle committed.
  std::string done_through;
  // A partial cycle's households, in ID order after done_through.
  std::vector<std::string> work;
  // Households that could not be assessed: marked again for the next cycle.
  std::set<std::string> failed;
  uint64_t flag_seq = 0;  // the last flag number given
};

absl::StatusOr<v1::CycleReport> CycleRunner::Run(absl::CivilDay as_of,
                                                 bool full,
                                                 absl::string_view actor) {
  std::shared_ptr<const v1::Policy> policy = this->policy();
  if (policy == nullptr) {
    return absl::FailedPreconditionError(
        "no policy is loaded: start dibao-server with --policy FILE");
  }
  absl::MutexLock run_lock(&run_mu_);
  run_policy_ = std::move(policy);
  ASSIGN_OR_RETURN(Pass pass, Begin(as_of, full, actor));
  // Where the households come from: the partial cycle's list, or the whole
  // registry in ID order.
  std::optional<HouseholdScan> all;
  if (pass.report.full()) {
    all.emplace(store_, pass.done_through);
  } else {
    RETURN_IF_ERROR(CollectWork(pass));
  }
  FactPrefetch prefetch;
  std::optional<Store::Snapshot> prefetch_snapshot;
  ASSIGN_OR_RETURN(const FactPrefetch* facts,
                   Prefetch(pass, &prefetch, &prefetch_snapshot));
  RETURN_IF_ERROR(AssessAll(pass, all ? &*all : nullptr, facts));
  RETURN_IF_ERROR(Finish(pass));
  return std::move(pass.report);
}

absl::StatusOr<CycleRunner::Pass> CycleRunner::Begin(absl::CivilDay as_of,
                                                     bool full,
                                                     absl::string_view actor) {
  const v1::Policy& policy = *run_policy_;
  Pass pass;
  pass.as_of = as_of;
  pass.started = clock_->Now();
  ASSIGN_OR_RETURN(pass.state, LoadState(*store_));
  const v1::CycleState& state = pass.state;
  v1::CycleReport& report = pass.report;
  // An interrupted run of the same day's cycle goes on where it stopped
  // (a partial one only when this run is partial too).
  pass.resumed =
      state.has_in_progress() &&
      FromProto(state.in_progress().as_of()).value_or(absl::CivilDay()) ==
          as_of &&
      (state.in_progress().full() || !full);
  if (pass.resumed) {
    report = state.in_progress();
    report.set_resumed(true);
    pass.done_through = state.done_through();
  } else {
    report.set_cycle_seq(state.last_cycle_seq() + 1);
    *report.mutable_as_of() = ToProto(as_of);
    report.set_policy_version(policy.version());
    ASSIGN_OR_RETURN(const uint64_t batch_seq, LastFeedBatchSeq(*store_));
    ASSIGN_OR_RETURN(const uint64_t change_seq,
                     RegistryReader(store_).LastChangeSeq());
    report.set_through_batch_seq(static_cast<int64_t>(batch_seq));
    report.set_through_change_seq(static_cast<int64_t>(change_seq));
    // Whether every household is assessed, and why.
    const auto last_as_of = FromProto(state.last_as_of());
    if (full) {
      report.set_full(true);
    } else if (state.last_cycle_seq() == 0) {
      report.set_full(true);
      report.set_full_reason("the first cycle assesses every household");
    } else if (state.last_policy_version() != policy.version()) {
      report.set_full(true);
      report.set_full_reason(absl::StrCat("the policy changed from \"",
                                          state.last_policy_version(),
                                          "\" to \"", policy.version(), "\""));
    } else if (last_as_of.ok() && *last_as_of < as_of &&
               StandardChangesBetween(policy, *last_as_of, as_of)) {
      report.set_full(true);
      report.set_full_reason(absl::StrCat("a standard takes effect after ",
                                          FormatDate(*last_as_of)));
    }
  }
  report.set_run_by(std::string(actor));
  *report.mutable_started_at() = ToProto(pass.started);
  ASSIGN_OR_RETURN(pass.flag_seq, store_->GetCounter(kFlagSeqCounter));
  return pass;
}

absl::Status CycleRunner::CollectWork(Pass& pass) {
  const v1::CycleState& state = pass.state;
  v1::CycleReport& report = pass.report;
  std::set<std::string> ids;
  int64_t feeds = 0, registry = 0, due = 0;
  // Every batch after the last cycle's (and failed households, marked under
  // the last cycle's own batch number).
  RETURN_IF_ERROR(DirtyHouseholds(store_).ForEach(
      static_cast<uint64_t>(state.last_batch_seq()),
      static_cast<uint64_t>(report.through_batch_seq()),
      [&](absl::string_view id) {
        if (ids.emplace(id).second) ++feeds;
      }));
  RETURN_IF_ERROR(RegistryReader(store_).ForEachChangedHousehold(
      static_cast<uint64_t>(state.last_change_seq()),
      static_cast<uint64_t>(report.through_change_seq()),
      [&](absl::string_view id) {
        if (ids.emplace(id).second) ++registry;
      }));
  {
    // Households whose facts change on their own by the cycle's day. Days
    // up to the last cycle's were consumed (and range-deleted).
    auto it = store_->NewIterator(Cf::kWakeIndex);
    const std::string end = keys::WakeKey(Yyyymmdd(pass.as_of + 1), "");
    const auto last = FromProto(state.last_as_of());
    for (it->Seek(last.ok() ? keys::WakeKey(Yyyymmdd(*last + 1), "")
                            : keys::WakePrefix());
         it->Valid() && it->key().compare(end) < 0; it->Next()) {
      ASSIGN_OR_RETURN(keys::WakeKeyParts parts,
                       keys::DecodeWakeKey(absl::string_view(
                           it->key().data(), it->key().size())));
      if (ids.emplace(parts.household_id).second) ++due;
    }
    RETURN_IF_ERROR(FromRocks(it->status(), "read the wake index"));
  }
  if (!pass.resumed) {
    report.set_households_from_feeds(feeds);
    report.set_households_from_registry(registry);
    report.set_households_due(due);
  }
  pass.work.assign(ids.upper_bound(pass.done_through), ids.end());
  return absl::OkStatus();
}

absl::StatusOr<const FactPrefetch*> CycleRunner::Prefetch(
    const Pass& pass, FactPrefetch* prefetch,
    std::optional<Store::Snapshot>* snapshot) {
  if (!pass.report.full() || options_.prefetch_budget_mb <= 0) return nullptr;
  snapshot->emplace(*store_);
  ASSIGN_OR_RETURN(std::vector<std::string> members,
                   RegistryReader(store_).MemberIds((*snapshot)->get()));
  const absl::Status loaded = prefetch->Load(
      *store_, (*snapshot)->get(), members, pool_ ? pool_->size() + 1 : 1,
      static_cast<size_t>(options_.prefetch_budget_mb) << 20);
  if (loaded.ok()) return prefetch;
  // Too big to hold: read member by member instead.
  if (absl::IsResourceExhausted(loaded)) return nullptr;
  return loaded;
}

absl::Status CycleRunner::AssessAll(Pass& pass, HouseholdScan* all,
                                    const FactPrefetch* facts) {
  size_t next = 0;
  const size_t block_size = std::max(1, options_.block_households);
  auto fill = [&](Block& block) -> absl::Status {
    block.size = 0;
    if (!all) {
      for (; block.size < block_size && next < pass.work.size(); ++next) {
        block.Add().id = pass.work[next];
      }
      return absl::OkStatus();
    }
    for (; block.size < block_size && all->Valid(); all->Next()) {
      Block::Slot& s = block.Add();
      s.id.assign(all->id().data(), all->id().size());
      s.raw.assign(all->bytes().data(), all->bytes().size());
    }
    return all->status();
  };

  // The next block's households are read while this one is written.
  Block blocks[2];
  int current = 0;
  int64_t committed = 0;
  RETURN_IF_ERROR(fill(blocks[current]));
  while (blocks[current].size > 0) {
    Block& block = blocks[current];
    Block& following = blocks[1 - current];
    absl::Status filled;
    absl::Notification filling_done;
    bool filling = false;
    const absl::Status written = [&]() -> absl::Status {
      absl::MutexLock flag_lock(&flags_->mutex());
      Store::Snapshot snapshot(*store_);
      block.snapshot = snapshot.get();
      block.prefetch = facts;
      RETURN_IF_ERROR(AssessBlock(block, pass.as_of, &pass.flag_seq));
      if (pool_) {
        filling = true;
        pool_->Schedule([&] {
          filled = fill(following);
          filling_done.Notify();
        });
      }
      return CommitBlock(pass, block);
    }();
    // The filling task refers to this frame: it must finish before any
    // return.
    if (filling) {
      filling_done.WaitForNotification();
    } else if (written.ok()) {
      filled = fill(following);
    }
    RETURN_IF_ERROR(written);
    RETURN_IF_ERROR(filled);
    ++committed;
    if (options_.abort_after_blocks >= 0 &&
        committed >= options_.abort_after_blocks) {
      return absl::AbortedError(absl::StrCat("cycle interrupted after ",
                                             committed, " blocks (test seam)"));
    }
    current = 1 - current;
  }
  return absl::OkStatus();
}

absl::Status CycleRunner::CommitBlock(Pass& pass, const Block& block) {
  v1::CycleReport& report = pass.report;
  rocksdb::WriteBatch batch;
  for (size_t i = 0; i < block.size; ++i) {
    const Block::Slot& s = block.slots[i];
    if (!s.found) continue;
    if (!s.status.ok()) {
      pass.failed.insert(s.id);
      report.set_households_failed(report.households_failed() + 1);
      if (report.problems_size() < options_.max_listed_problems) {
        report.add_problems(
            absl::StrCat("household ", s.id, ": ", s.status.message()));
      }
      continue;
    }
    if (s.household.status() == v1::HOUSEHOLD_STATUS_ACTIVE) {
      report.set_households_assessed(report.households_assessed() + 1);
    }
  }
  BatchAppender append(*store_, &batch);
  for (const Block::Output& out : block.outputs) {
    AddCounts(out.counts, &report);
    RETURN_IF_ERROR(
        FromRocks(out.batch.Iterate(&append), "collect the block's writes"));
  }
  // Where an interrupted run resumes, committed with the block.
  *pass.state.mutable_in_progress() = report;
  pass.state.set_done_through(block.slots[block.size - 1].id);
  std::string seq_value;
  keys::PutFixed64(&seq_value, pass.flag_seq);
  batch.Put(store_->handle(Cf::kMeta), keys::MetaKey(kFlagSeqCounter),
            seq_value);
  batch.Put(store_->handle(Cf::kMeta), keys::MetaKey(kStateName),
            pass.state.SerializeAsString());
  return store_->WriteBuffered(batch);
}

absl::Status CycleRunner::Finish(Pass& pass) {
  v1::CycleReport& report = pass.report;
  v1::CycleState& state = pass.state;
  rocksdb::WriteBatch batch;
  // The marks it consumed go; failed households are marked again under this
  // cycle's last batch, where the next cycle starts reading.
  DirtyHouseholds(store_).Consume(
      static_cast<uint64_t>(report.through_batch_seq()), pass.failed, &batch);
  batch.DeleteRange(store_->handle(Cf::kWakeIndex), keys::WakePrefix(),
                    keys::WakeKey(Yyyymmdd(pass.as_of + 1), ""));
  *report.mutable_duration() =
      google::protobuf::util::TimeUtil::NanosecondsToDuration(
          absl::ToInt64Nanoseconds(clock_->Now() - pass.started));
  state.clear_in_progress();
  state.clear_done_through();
  state.set_last_cycle_seq(report.cycle_seq());
  *state.mutable_last_as_of() = report.as_of();
  state.set_last_batch_seq(report.through_batch_seq());
  state.set_last_change_seq(report.through_change_seq());
  state.set_last_policy_version(report.policy_version());
  // The report is kept.
  batch.Put(store_->handle(Cf::kCycles),
            keys::CycleKey(static_cast<uint64_t>(report.cycle_seq())),
            report.SerializeAsString());
  batch.Put(store_->handle(Cf::kMeta), keys::MetaKey(kStateName),
            state.SerializeAsString());
  return store_->Write(batch);
}

absl::StatusOr<std::vector<v1::CycleReport>> CycleRunner::List(
    int limit) const {
  if (limit <= 0) limit = 20;
  std::vector<v1::CycleReport> out;
  const std::string prefix = keys::CyclePrefix();
  auto it = store_->NewIterator(Cf::kCycles);
  for (it->SeekToLast(); it->Valid() && it->key().starts_with(prefix) &&
                         static_cast<int>(out.size()) < limit;
       it->Prev()) {
    if (!out.emplace_back().ParseFromArray(
            it->value().data(), static_cast<int>(it->value().size()))) {
      return absl::DataLossError("unreadable cycle report");
    }
  }
  RETURN_IF_ERROR(FromRocks(it->status(), "list cycles"));
  return out;
}

absl::StatusOr<v1::Assessment> CycleRunner::GetAssessment(
    absl::string_view household_id) const {
  ASSIGN_OR_RETURN(auto bytes, store_->Get(Cf::kAssessments,
                                           keys::AssessmentKey(household_id)));
  v1::Assessment a;
  if (bytes) {
    if (!a.ParseFromString(*bytes)) {
      return absl::DataLossError("unreadable assessment");
    }
    return a;
  }
  // Not kept (no findings): computed now, as the last cycle would have.
  ASSIGN_OR_RETURN(std::optional<v1::Household> household,
                   RegistryReader(store_).GetHousehold(household_id));
  if (!household) {
    return absl::NotFoundError(absl::StrCat("no household ", household_id));
  }
  const std::shared_ptr<const v1::Policy> policy = this->policy();
  if (policy == nullptr) {
    return absl::FailedPreconditionError(
        "no policy is loaded: start dibao-server with --policy FILE");
  }
  const v1::Household& h = *household;
  ASSIGN_OR_RETURN(const v1::CycleState state, LoadState(*store_));
  const absl::CivilDay day =
      FromProto(state.last_as_of()).value_or(clock_->Today());
  Store::Snapshot snapshot(*store_);
  FactReader reader(store_, snapshot.get());
  HouseholdCase hc;
  RETURN_IF_ERROR(reader.Load(h, day, &hc));
  ASSIGN_OR_RETURN(HouseholdResult result, AssessHousehold(hc, *policy));
  return std::move(result.assessment);
}

}  // namespace dibao
