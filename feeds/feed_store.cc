#include "feeds/feed_store.h"

#include <filesystem>
#include <map>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "base/dates.h"
#include "base/resident_id.h"
#include "base/sha256.h"
#include "base/status_macros.h"
#include "feeds/fact_reader.h"
#include "feeds/internal/fact_merge.h"
#include "feeds/internal/feed_staging.h"
#include "feeds/internal/feed_validation.h"
#include "formats/feed_kinds.h"
#include "storage/commit_sink.h"
#include "storage/external_sort.h"
#include "storage/keys.h"

namespace dibao {
namespace {

constexpr size_t kMaxBatchIdLength = 128;

bool IsPrintableAscii(absl::string_view s) {
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return c > 0x20 && c < 0x7f; });
}

// Header fields that define a batch; `source` is informational only.
bool SameBatch(const v1::BatchHeader& a, const v1::BatchHeader& b) {
  return a.agency() == b.agency() && a.kind() == b.kind() &&
         a.mode() == b.mode() && a.record_count() == b.record_count() &&
         a.as_of().SerializeAsString() == b.as_of().SerializeAsString();
}

// The first `max` rejections by position.
void SortAndCap(std::vector<v1::RecordRejection>& rejections, int max) {
  std::stable_sort(
      rejections.begin(), rejections.end(),
      [](const v1::RecordRejection& a, const v1::RecordRejection& b) {
        return a.position() < b.position();
      });
  if (static_cast<int>(rejections.size()) > max) rejections.resize(max);
}

}  // namespace

struct FeedUpload::State {
  FeedStore* owner = nullptr;
  v1::BatchHeader header;
  const FeedKindSpec* spec = nullptr;
  std::string actor;
  std::string dir;
  absl::CivilDay today;

  // Chunks are staged in parallel and applied here in order, under `mu`.
  absl::Mutex mu;
  int64_t chunks_submitted ABSL_GUARDED_BY(mu) = 0;
  int64_t chunks_applied ABSL_GUARDED_BY(mu) = 0;
  // Staged chunks waiting for an earlier one, by chunk number.
  std::map<int64_t, std::pair<std::unique_ptr<FeedChunk>,
                              std::unique_ptr<StagedRecords>>>
      staged ABSL_GUARDED_BY(mu);
  std::vector<std::unique_ptr<FeedChunk>> spare_chunks ABSL_GUARDED_BY(mu);
  std::vector<std::unique_ptr<StagedRecords>> spare_staged ABSL_GUARDED_BY(mu);
  // The first failure; later chunks are then dropped.
  absl::Status error ABSL_GUARDED_BY(mu);

  // Applied state.
  std::unique_ptr<ExternalSorter> records ABSL_GUARDED_BY(mu);
  std::unique_ptr<ExternalSorter> rejections ABSL_GUARDED_BY(mu);
  Sha256 digest ABSL_GUARDED_BY(mu);
  int64_t rejected ABSL_GUARDED_BY(mu) = 0;
  int64_t unreadable ABSL_GUARDED_BY(mu) = 0;
  int64_t rejected_without_person ABSL_GUARDED_BY(mu) = 0;
  // People whose records were rejected (ResidentId::kLength bytes each).
  std::string held_ids ABSL_GUARDED_BY(mu);
  std::vector<v1::RecordRejection> listed ABSL_GUARDED_BY(mu);
  std::string rejection_key ABSL_GUARDED_BY(mu);

  bool Idle() const ABSL_SHARED_LOCKS_REQUIRED(mu) {
    return chunks_applied == chunks_submitted;
  }
  void AwaitIdle() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
    mu.Await(absl::Condition(this, &State::Idle));
  }
  // Folds one staged chunk into the upload, in position order.
  void Apply(const StagedRecords& chunk) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu);
};

void FeedUpload::State::Apply(const StagedRecords& chunk) {
  if (!error.ok()) return;
  digest.Update(chunk.digest_pieces());
  for (size_t i = 0; i < chunk.size() && error.ok(); ++i) {
    error = records->Add(chunk.key(i), chunk.value(i));
  }
  rejected += chunk.rejected_records();
  unreadable += chunk.unreadable_records();
  rejected_without_person += chunk.rejected_without_person();
  held_ids.append(chunk.held_ids().data(), chunk.held_ids().size());
  int64_t last_position = -1;
  uint32_t n = 0;
  for (const v1::RecordRejection& r : chunk.rejections()) {
    if (!error.ok()) break;
    n = r.position() == last_position ? n + 1 : 0;
    last_position = r.position();
    rejection_key.clear();
    keys::PutFixed64(&rejection_key, static_cast<uint64_t>(r.position()));
    keys::PutFixed32(&rejection_key, n);
    error = rejections->Add(rejection_key, r.SerializeAsString());
    if (static_cast<int>(listed.size()) <
        owner->options_.max_listed_rejections) {
      listed.push_back(r);
    }
  }
}

FeedChunk::FeedChunk()
    : arena_([] {
        google::protobuf::ArenaOptions o;
        o.start_block_size = 256 << 10;
        o.max_block_size = 1 << 20;
        return o;
      }()) {
  Reset();
}

void FeedChunk::Reset() {
  arena_.Reset();
  message_ = google::protobuf::Arena::CreateMessage<v1::UploadRequest>(&arena_);
}

FeedUpload::~FeedUpload() {
  if (state_) {
    // Chunks still being staged refer to the state: let them finish.
    {
      absl::MutexLock lock(&state_->mu);
      state_->AwaitIdle();
    }
    // Sorters first: they delete their run files, then the directory goes.
    std::string dir = state_->dir;
    state_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
}

absl::Status FeedUpload::Add(v1::FeedRecord& record) {
  State& s = *state_;
  if (added_ >= s.header.record_count()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "more records than the header's record_count of ",
        s.header.record_count(), "; nothing of this batch was stored"));
  }
  const int64_t position = ++added_;
  StagedRecords staged;
  staged.Stage(*s.spec, s.today, position, record);
  absl::MutexLock lock(&s.mu);
  s.AwaitIdle();
  s.Apply(staged);
  return s.error;
}

absl::Status FeedUpload::Add(v1::FeedRecord&& record) { return Add(record); }

std::unique_ptr<FeedChunk> FeedUpload::NewChunk() {
  absl::MutexLock lock(&state_->mu);
  if (state_->spare_chunks.empty()) {
    return std::unique_ptr<FeedChunk>(new FeedChunk());
  }
  std::unique_ptr<FeedChunk> chunk = std::move(state_->spare_chunks.back());
  state_->spare_chunks.pop_back();
  return chunk;
}

absl::Status FeedUpload::AddChunk(std::unique_ptr<FeedChunk> chunk) {
  State& s = *state_;
  const int64_t n = chunk->message()->records().records_size();
  if (added_ + n > s.header.record_count()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "more records than the header's record_count of ",
        s.header.record_count(), "; nothing of this batch was stored"));
  }
  const int64_t first_position = added_ + 1;
  added_ += n;

  int64_t number;
  StagedRecords* staged;
  {
    absl::MutexLock lock(&s.mu);
    const int64_t limit = s.owner->options_.max_chunks_in_flight;
    auto room = [&s, limit]() ABSL_SHARED_LOCKS_REQUIRED(s.mu) {
      return !s.error.ok() || s.chunks_submitted - s.chunks_applied < limit;
    };
    s.mu.Await(absl::Condition(&room));
    if (!s.error.ok()) return s.error;
    number = s.chunks_submitted++;
    if (s.spare_staged.empty()) {
      staged = new StagedRecords();
    } else {
      staged = s.spare_staged.back().release();
      s.spare_staged.pop_back();
    }
  }
  FeedChunk* raw = chunk.release();
  s.owner->staging_.Schedule([&s, number, first_position, raw, staged] {
    std::unique_ptr<FeedChunk> chunk(raw);
    std::unique_ptr<StagedRecords> out(staged);
    out->Clear();
    auto* records = chunk->message()->mutable_records()->mutable_records();
    for (int i = 0; i < records->size(); ++i) {
      out->Stage(*s.spec, s.today, first_position + i, *records->Mutable(i));
    }
    absl::MutexLock lock(&s.mu);
    s.staged.emplace(number, std::make_pair(std::move(chunk), std::move(out)));
    // Apply this chunk and any that were waiting for it, in order.
    for (auto it = s.staged.begin();
         it != s.staged.end() && it->first == s.chunks_applied;
         it = s.staged.erase(it)) {
      s.Apply(*it->second.second);
      ++s.chunks_applied;
      it->second.first->Reset();
      s.spare_chunks.push_back(std::move(it->second.first));
      s.spare_staged.push_back(std::move(it->second.second));
    }
  });
  return absl::OkStatus();
}

absl::StatusOr<v1::Receipt> FeedUpload::Commit() {
  if (!state_) return absl::FailedPreconditionError("upload already finished");
  {
    absl::MutexLock lock(&state_->mu);
    state_->AwaitIdle();
    if (!state_->error.ok()) {
      state_->owner->NoteDiskFull(state_->error);
      return state_->error;
    }
  }
  if (added_ != state_->header.record_count()) {
    return absl::InvalidArgumentError(
        absl::StrCat("the header announced ", state_->header.record_count(),
                     " records but the stream carried ", added_,
                     "; nothing of this batch was stored"));
  }
  absl::StatusOr<v1::Receipt> receipt = state_->owner->CommitUpload(*state_);
  if (!receipt.ok()) state_->owner->NoteDiskFull(receipt.status());
  return receipt;
}

void FeedStore::NoteDiskFull(const absl::Status& status) {
  // The scratch runs and SST files are written beside the store, on its
  // disk: when they no longer fit, the store's writes will not either.
  if (absl::IsResourceExhausted(status)) {
    store_->NoteWriteFailure(std::string(status.message()));
  }
}

FeedStore::FeedStore(Store* store, Clock* clock, FeedStoreOptions options)
    : store_(store),
      clock_(clock),
      options_(std::move(options)),
      guards_{options_.max_records_per_batch, options_.mass_retirement_min,
              options_.snapshot_max_rejected_percent},
      staging_(options_.staging_threads > 0
                   ? options_.staging_threads
                   : static_cast<int>(std::thread::hardware_concurrency())) {}

absl::Status CheckFeedGuards(const FeedGuards& guards) {
  if (!(guards.snapshot_max_rejected_percent >= 0 &&
        guards.snapshot_max_rejected_percent <= 100)) {
    return absl::InvalidArgumentError(
        "feeds.snapshot_max_rejected_percent must be between 0 and 100");
  }
  if (guards.max_records_per_batch < 1) {
    return absl::InvalidArgumentError(
        "feeds.max_records_per_batch must be at least 1");
  }
  if (guards.mass_retirement_min < 0) {
    return absl::InvalidArgumentError(
        "feeds.mass_retirement_min must not be negative");
  }
  return absl::OkStatus();
}

FeedGuards FeedStore::guards() const {
  absl::MutexLock lock(&guards_mu_);
  return guards_;
}

absl::Status FeedStore::SetGuards(const FeedGuards& guards) {
  RETURN_IF_ERROR(CheckFeedGuards(guards));
  absl::MutexLock lock(&guards_mu_);
  guards_ = guards;
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<FeedStore>> FeedStore::Create(
    Store* store, Clock* clock, FeedStoreOptions options) {
  RETURN_IF_ERROR(CheckFeedGuards({options.max_records_per_batch,
                                   options.mass_retirement_min,
                                   options.snapshot_max_rejected_percent}));
  if (options.scratch_dir.empty()) {
    return absl::InvalidArgumentError("FeedStoreOptions.scratch_dir is empty");
  }
  std::error_code ec;
  std::filesystem::remove_all(options.scratch_dir, ec);
  std::filesystem::create_directories(options.scratch_dir, ec);
  if (ec) {
    return absl::UnavailableError(absl::StrCat(
        "cannot create ", options.scratch_dir, ": ", ec.message()));
  }
  return std::unique_ptr<FeedStore>(
      new FeedStore(store, clock, std::move(options)));
}

absl::StatusOr<std::unique_ptr<FeedUpload>> FeedStore::Begin(
    v1::BatchHeader header, std::string actor) {
  const FeedKindSpec* spec = FindFeedKind(header.kind());
  if (spec == nullptr) {
    return absl::InvalidArgumentError("header.kind is required");
  }
  if (header.agency() != spec->agency) {
    return absl::InvalidArgumentError(
        absl::StrCat("header.agency: kind ", spec->name, " comes from agency ",
                     AgencyName(spec->agency)));
  }
  const std::string& id = header.batch_id();
  if (id.empty() || id.size() > kMaxBatchIdLength || !IsPrintableAscii(id)) {
    return absl::InvalidArgumentError(
        "header.batch_id must be 1-128 printable ASCII characters without "
        "spaces");
  }
  const absl::CivilDay today = clock_->Today();
  auto as_of = FromProto(header.as_of());
  if (!IsSet(header.as_of())) {
    return absl::InvalidArgumentError("header.as_of is required");
  }
  if (!as_of.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("header.as_of: ", as_of.status().message()));
  }
  if (*as_of > today) {
    return absl::InvalidArgumentError(
        absl::StrCat("header.as_of ", FormatDate(*as_of), " is after today (",
                     FormatDate(today), ")"));
  }
  if (header.mode() != v1::BATCH_MODE_SNAPSHOT &&
      header.mode() != v1::BATCH_MODE_DELTA) {
    return absl::InvalidArgumentError("header.mode must be SNAPSHOT or DELTA");
  }
  const int64_t max_records = guards().max_records_per_batch;
  if (header.record_count() < 0 || header.record_count() > max_records) {
    return absl::InvalidArgumentError(
        absl::StrCat("header.record_count ", header.record_count(),
                     " is outside 0 .. ", max_records));
  }
  ASSIGN_OR_RETURN(std::optional<v1::Receipt> existing, FindBatch(id));
  if (existing && !SameBatch(existing->header(), header)) {
    return absl::AlreadyExistsError(
        absl::StrCat("batch ", id,
                     " was committed before with a different "
                     "header; nothing was stored"));
  }

  auto upload = std::unique_ptr<FeedUpload>(new FeedUpload());
  upload->state_ = std::make_unique<FeedUpload::State>();
  FeedUpload::State& s = *upload->state_;
  s.owner = this;
  s.header = std::move(header);
  s.spec = spec;
  s.actor = std::move(actor);
  s.today = today;
  s.dir = absl::StrCat(options_.scratch_dir, "/upload-", next_upload_++);
  s.records = std::make_unique<ExternalSorter>(
      ExternalSorter::Options{s.dir + "/records", options_.sort_memory_bytes});
  s.rejections = std::make_unique<ExternalSorter>(
      ExternalSorter::Options{s.dir + "/rejections", 16 << 20});
  v1::BatchHeader defining = s.header;
  defining.clear_source();
  defining.clear_allow_mass_retirement();
  s.digest.Update(defining.SerializeAsString());
  return upload;
}

absl::StatusOr<v1::Receipt> FeedStore::CommitUpload(FeedUpload::State& s) {
  const std::string digest = Sha256::Hex(s.digest.Finish());
  const v1::BatchHeader& h = s.header;
  absl::MutexLock lock(&commit_mu_);

  // 1. A batch committed before: the same content replays its receipt,
  // other content is refused.
  ASSIGN_OR_RETURN(std::optional<v1::Receipt> replayed, Replay(h, digest));
  if (replayed) return *std::move(replayed);

  // 2. The batch's number and its sorted records.
  ASSIGN_OR_RETURN(uint64_t seq, store_->GetCounter(kFeedBatchSeqCounter));
  ++seq;
  const int64_t staged = s.records->size();
  CommitSink sink(
      store_, staged > options_.sst_threshold_records ? s.dir + "/sst" : "",
      {Cf::kFacts, Cf::kFactIndex, Cf::kDirtyPersons, Cf::kFeedRejections});
  ASSIGN_OR_RETURN(auto records, s.records->Finish());
  v1::Receipt receipt;
  *receipt.mutable_header() = h;
  receipt.set_batch_seq(static_cast<int64_t>(seq));
  receipt.set_digest(digest);
  receipt.set_rejected(s.rejected);
  receipt.set_unreadable(s.unreadable);
  receipt.set_rejected_without_person(s.rejected_without_person);

  // 3. A SNAPSHOT with too many rejected records is no snapshot.
  RETURN_IF_ERROR(CheckRejectedShare(s));

  // 4. The records merged with the kind's current facts, holding back the
  // retirements the rejected records may stand for.
  FactMerge merge(store_, h, seq, &sink, &receipt);
  if (h.mode() == v1::BATCH_MODE_SNAPSHOT) {
    merge.HoldRetirements(s.held_ids, s.rejected_without_person > 0);
  }
  RETURN_IF_ERROR(merge.MergeRecords(*records, [&](v1::RecordRejection r) {
    return AddMergeRejection(s, std::move(r));
  }));
  ASSIGN_OR_RETURN(auto rejections, FinishRejections(s));

  // 5. An export that would end most of its kind is refused unless allowed.
  RETURN_IF_ERROR(
      CheckMassRetirement(h, *s.spec, receipt, merge.current_facts()));

  // 6. The dirty marks the matching cycle reads.
  merge.MarkHouseholds();

  // 7. Every rejection, in position order.
  RETURN_IF_ERROR(WriteRejections(seq, *rejections, &sink));

  // 8. The receipt and the batch number, committed with all of the above.
  for (auto& r : s.listed) *receipt.add_rejections() = std::move(r);
  *receipt.mutable_committed_at() = ToProto(clock_->Now());
  receipt.set_committed_by(s.actor);
  sink.Put(Cf::kFeedBatches, keys::FeedBatchKey(h.batch_id()),
           receipt.SerializeAsString());
  sink.Put(Cf::kFeedBatches, keys::FeedBatchSeqKey(seq), h.batch_id());
  std::string seq_value;
  keys::PutFixed64(&seq_value, seq);
  sink.Put(Cf::kMeta, keys::MetaKey(kFeedBatchSeqCounter), seq_value);
  RETURN_IF_ERROR(sink.Commit());
  return receipt;
}

absl::StatusOr<std::optional<v1::Receipt>> FeedStore::Replay(
    const v1::BatchHeader& h, absl::string_view digest) const {
  ASSIGN_OR_RETURN(std::optional<v1::Receipt> existing,
                   FindBatch(h.batch_id()));
  if (!existing) return std::optional<v1::Receipt>();
  if (existing->digest() == digest && SameBatch(existing->header(), h)) {
    existing->set_replayed(true);
    return existing;
  }
  return absl::AlreadyExistsError(
      absl::StrCat("batch ", h.batch_id(),
                   " was committed before with different "
                   "content (digest ",
                   existing->digest().substr(0, 12),
                   "..., this "
                   "upload ",
                   digest.substr(0, 12), "...); nothing was stored"));
}

absl::Status FeedStore::CheckMassRetirement(const v1::BatchHeader& h,
                                            const FeedKindSpec& spec,
                                            const v1::Receipt& receipt,
                                            int64_t current_facts) const {
  const int64_t retired = receipt.retired();
  if (h.mode() != v1::BATCH_MODE_SNAPSHOT || h.allow_mass_retirement() ||
      retired == 0) {
    return absl::OkStatus();
  }
  // Whatever the kind's size: a file with nothing readable in it is not
  // the news that every fact ended.
  if (receipt.accepted() + receipt.unchanged() == 0 &&
      retired == current_facts) {
    return absl::FailedPreconditionError(absl::StrCat(
        "SNAPSHOT batch ", h.batch_id(), " holds no ", spec.name,
        " record but would retire all ", retired, " current ", spec.name,
        " facts; if the agency really ended them all, push it again allowing "
        "mass retirement (dibaoctl feed push --allow-mass-retirement); "
        "nothing was stored and the batch ID is still free"));
  }
  if (retired < guards().mass_retirement_min || 2 * retired <= current_facts) {
    return absl::OkStatus();
  }
  return absl::FailedPreconditionError(absl::StrCat(
      "SNAPSHOT batch ", h.batch_id(), " would retire ", retired, " of the ",
      current_facts, " current ", spec.name,
      " facts; if the agency really ended them, push it again allowing "
      "mass retirement (dibaoctl feed push --allow-mass-retirement); "
      "nothing was stored"));
}

absl::Status FeedStore::CheckRejectedShare(const FeedUpload::State& s) const {
  const v1::BatchHeader& h = s.header;
  const double max_percent = guards().snapshot_max_rejected_percent;
  if (h.mode() != v1::BATCH_MODE_SNAPSHOT || s.rejected == 0 ||
      100.0 * static_cast<double>(s.rejected) <=
          max_percent * static_cast<double>(h.record_count())) {
    return absl::OkStatus();
  }
  std::string first;
  int shown = 0;
  int64_t last_position = -1;
  for (const v1::RecordRejection& r : s.listed) {
    if (r.position() == last_position) continue;
    last_position = r.position();
    if (++shown > 3) break;
    absl::StrAppend(&first, shown > 1 ? "; " : "", "line ", r.source_line(),
                    r.field().empty() ? "" : absl::StrCat(" ", r.field()), ": ",
                    r.reason());
  }
  return absl::FailedPreconditionError(absl::StrFormat(
      "SNAPSHOT batch %s: %d of its %d records were rejected (%d of them "
      "lines that could not be read), more than the %g%% a snapshot may "
      "have (feeds.snapshot_max_rejected_percent); a file read in the wrong "
      "encoding or with shifted columns must not stand for everything the "
      "agency knows. Nothing was stored and the batch ID is still free for "
      "the corrected file. First: %s",
      h.batch_id(), s.rejected, h.record_count(), s.unreadable, max_percent,
      first));
}

absl::Status FeedStore::AddMergeRejection(FeedUpload::State& s,
                                          v1::RecordRejection r) {
  // A record the merge refuses passed staging: it has no rejection yet.
  s.rejection_key.clear();
  keys::PutFixed64(&s.rejection_key, static_cast<uint64_t>(r.position()));
  keys::PutFixed32(&s.rejection_key, 0);
  RETURN_IF_ERROR(s.rejections->Add(s.rejection_key, r.SerializeAsString()));
  s.listed.push_back(std::move(r));
  // Bounded: the first ones by position are kept.
  if (s.listed.size() >
      2 * static_cast<size_t>(options_.max_listed_rejections)) {
    SortAndCap(s.listed, options_.max_listed_rejections);
  }
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<ExternalSorter::Iterator>>
FeedStore::FinishRejections(FeedUpload::State& s) const {
  // The receipt lists the first rejections by position, of staging and
  // merge alike.
  SortAndCap(s.listed, options_.max_listed_rejections);
  return s.rejections->Finish();
}

absl::Status FeedStore::WriteRejections(uint64_t seq,
                                        ExternalSorter::Iterator& rejections,
                                        CommitSink* sink) const {
  for (; rejections.Valid(); rejections.Next()) {
    absl::string_view key = rejections.key();
    uint64_t position;
    uint32_t n;
    if (!keys::GetFixed64(&key, &position) || !keys::GetFixed32(&key, &n)) {
      return absl::InternalError("malformed rejection key");
    }
    sink->Put(Cf::kFeedRejections, keys::FeedRejectionKey(seq, position, n),
              rejections.value());
  }
  return rejections.status();
}

absl::StatusOr<std::optional<v1::Receipt>> FeedStore::FindBatch(
    absl::string_view batch_id) const {
  ASSIGN_OR_RETURN(std::optional<std::string> bytes,
                   store_->Get(Cf::kFeedBatches, keys::FeedBatchKey(batch_id)));
  if (!bytes) return std::optional<v1::Receipt>();
  v1::Receipt receipt;
  if (!receipt.ParseFromString(*bytes)) {
    return absl::DataLossError("unreadable stored receipt");
  }
  return std::optional<v1::Receipt>(std::move(receipt));
}

absl::StatusOr<std::vector<v1::Receipt>> FeedStore::ListBatches(
    v1::Agency agency, int limit) const {
  std::vector<v1::Receipt> out;
  const std::string prefix = keys::FeedBatchSeqPrefix();
  auto it = store_->NewIterator(Cf::kFeedBatches);
  // Newest first: from the end of the sequence keys backwards.
  it->SeekForPrev(keys::FeedBatchSeqKey(UINT64_MAX));
  for (; it->Valid() && it->key().starts_with(prefix) &&
         static_cast<int>(out.size()) < limit;
       it->Prev()) {
    ASSIGN_OR_RETURN(
        std::optional<v1::Receipt> receipt,
        FindBatch(absl::string_view(it->value().data(), it->value().size())));
    if (!receipt) return absl::DataLossError("batch sequence names no receipt");
    if (agency != v1::AGENCY_UNSPECIFIED &&
        receipt->header().agency() != agency) {
      continue;
    }
    out.push_back(*std::move(receipt));
  }
  RETURN_IF_ERROR(FromRocks(it->status(), "scan batches"));
  return out;
}

absl::Status FeedStore::ForEachRejection(
    absl::string_view batch_id,
    const std::function<absl::Status(const v1::RecordRejection&)>& fn) const {
  ASSIGN_OR_RETURN(std::optional<v1::Receipt> receipt, FindBatch(batch_id));
  if (!receipt) {
    return absl::NotFoundError(absl::StrCat("no batch ", batch_id));
  }
  const std::string prefix =
      keys::FeedRejectionPrefix(static_cast<uint64_t>(receipt->batch_seq()));
  auto it = store_->NewIterator(Cf::kFeedRejections);
  v1::RecordRejection r;
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix);
       it->Next()) {
    if (!r.ParseFromArray(it->value().data(),
                          static_cast<int>(it->value().size()))) {
      return absl::DataLossError("unreadable stored rejection");
    }
    RETURN_IF_ERROR(fn(r));
  }
  return FromRocks(it->status(), "scan rejections");
}

absl::Status FeedStore::ForEachDirtyPerson(
    uint64_t after_batch_seq,
    const std::function<absl::Status(absl::string_view, uint64_t)>& fn) const {
  const std::string prefix = keys::DirtyPersonsPrefix();
  auto it = store_->NewIterator(Cf::kDirtyPersons);
  for (it->Seek(keys::DirtyPersonsKey(after_batch_seq + 1, 0));
       it->Valid() && it->key().starts_with(prefix); it->Next()) {
    ASSIGN_OR_RETURN(keys::DirtyPersonsKeyParts parts,
                     keys::DecodeDirtyPersonsKey(absl::string_view(
                         it->key().data(), it->key().size())));
    absl::string_view ids(it->value().data(), it->value().size());
    if (ids.size() % ResidentId::kLength != 0) {
      return absl::DataLossError("malformed dirty persons chunk");
    }
    for (; !ids.empty(); ids.remove_prefix(ResidentId::kLength)) {
      RETURN_IF_ERROR(fn(ids.substr(0, ResidentId::kLength), parts.batch_seq));
    }
  }
  return FromRocks(it->status(), "scan dirty persons");
}

absl::Status FeedStore::ScanPerson(
    absl::string_view id_number,
    const std::function<absl::Status(uint32_t, absl::string_view,
                                     v1::FactVersion&)>& fn) const {
  auto id = ParseResidentId(id_number, clock_->Today());
  if (!id.ok()) return id.status();
  PersonFactReader facts(store_, nullptr);
  v1::FactVersion v;
  return facts.ForEach(
      id->number(), [&](const StoredFactVersion& stored) -> absl::Status {
        if (!v.ParseFromArray(stored.version.data(),
                              static_cast<int>(stored.version.size()))) {
          return absl::DataLossError("unreadable stored fact");
        }
        return fn(stored.kind, stored.natural_key, v);
      });
}

absl::StatusOr<std::vector<v1::FactVersion>> FeedStore::PersonFacts(
    absl::string_view id_number) const {
  std::vector<v1::FactVersion> out;
  RETURN_IF_ERROR(ScanPerson(
      id_number, [&](uint32_t, absl::string_view, v1::FactVersion& v) {
        out.push_back(v);
        return absl::OkStatus();
      }));
  return out;
}

absl::StatusOr<std::vector<v1::Fact>> FeedStore::PersonTimeline(
    absl::string_view id_number) const {
  std::vector<v1::Fact> out;
  // The open version of the fact being read, if any.
  uint32_t open_kind = 0;
  std::string open_key;
  bool open = false;
  RETURN_IF_ERROR(ScanPerson(id_number, [&](uint32_t kind,
                                            absl::string_view natural_key,
                                            v1::FactVersion& v) {
    const bool same_fact = kind == open_kind && natural_key == open_key;
    if (same_fact && open) {
      // This version ends the open one.
      *out.back().mutable_valid_to() = v.as_of();
      out.back().set_ended_by_batch(v.batch_id());
    }
    if (same_fact && v.has_withdrawal() && !out.empty()) {
      // The version before it was sent in error (it may have ended before).
      *out.back().mutable_withdrawal() = v.withdrawal();
    }
    open = !v.retired();
    if (!same_fact) {
      open_kind = kind;
      open_key.assign(natural_key.data(), natural_key.size());
    }
    if (v.retired()) return absl::OkStatus();
    v1::Fact fact;
    const FeedKindSpec* spec = FindFeedKind(static_cast<v1::FeedKind>(kind));
    if (spec != nullptr) fact.set_agency(spec->agency);
    fact.set_kind(static_cast<v1::FeedKind>(kind));
    *fact.mutable_record() = std::move(*v.mutable_record());
    fact.set_batch_id(v.batch_id());
    *fact.mutable_valid_from() = v.as_of();
    out.push_back(std::move(fact));
    return absl::OkStatus();
  }));
  return out;
}

}  // namespace dibao
