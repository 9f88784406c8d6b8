#include "matcher/feed_store.h"

#include <filesystem>
#include <set>

#include "absl/strings/str_cat.h"
#include "matcher/commit_sink.h"
#include "matcher/dates.h"
#include "matcher/external_sort.h"
#include "matcher/feed_kinds.h"
#include "matcher/feed_validation.h"
#include "matcher/keys.h"
#include "matcher/resident_id.h"
#include "matcher/sha256.h"
#include "matcher/status_macros.h"

namespace dibao {
namespace {

constexpr char kBatchSeqName[] = "feed_batch_seq";
constexpr size_t kMaxBatchIdLength = 128;
constexpr size_t kFingerprintBytes = 16;

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

void AppendVarint(uint64_t v, std::string* out) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>(v | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

// A length-delimited protobuf field: appending serialized fields to a
// serialized message is the same as setting them (the wire format merges),
// which lets the commit build stored versions without parsing records.
void AppendBytesField(int field_number, absl::string_view bytes,
                      std::string* out) {
  AppendVarint(static_cast<uint64_t>(field_number) << 3 | 2, out);
  AppendVarint(bytes.size(), out);
  out->append(bytes.data(), bytes.size());
}

// A staged record: [16-byte fingerprint][serialized record]. The
// fingerprint identifies the fact's content: the normalised record without
// its file line or the spelling its ID arrived in (so a re-sent fact with a
// reformatted ID is unchanged), while the stored bytes keep that spelling.
// Writes into `out`, reusing `canonical` as scratch: no allocation per
// record once the buffers have grown.
void StagedValue(v1::FeedRecord& record, std::string* canonical,
                 std::string* out) {
  std::string original = std::move(*record.mutable_id_number_original());
  record.clear_id_number_original();
  record.clear_source_line();
  record.SerializeToString(canonical);
  unsigned char digest[32];
  Sha256::Of(*canonical, digest);
  out->assign(reinterpret_cast<const char*>(digest), kFingerprintBytes);
  out->append(*canonical);
  if (!original.empty()) {
    AppendBytesField(v1::FeedRecord::kIdNumberOriginalFieldNumber, original,
                     out);
  }
}

// Sort key of a staged record: person, natural key (both length-prefixed,
// the order of fact and index keys), then position for stable duplicates.
void StagingKey(absl::string_view id, absl::string_view natural_key,
                uint64_t position, std::string* out) {
  out->clear();
  keys::PutString(out, id);
  keys::PutString(out, natural_key);
  keys::PutFixed64(out, position);
}

}  // namespace

struct FeedUpload::State {
  FeedStore* owner = nullptr;
  v1::BatchHeader header;
  const FeedKindSpec* spec = nullptr;
  std::string actor;
  std::string dir;
  absl::CivilDay today;
  std::unique_ptr<ExternalSorter> records;
  std::unique_ptr<ExternalSorter> rejections;
  Sha256 digest;
  int64_t rejected = 0;
  std::vector<v1::RecordRejection> listed;
  // Per-record scratch, reused so that staging does not allocate.
  std::string bytes, prefix, key, value;
};

FeedUpload::~FeedUpload() {
  if (state_) {
    // Sorters first: they delete their run files, then the directory goes.
    std::string dir = state_->dir;
    state_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
}

absl::Status FeedUpload::Add(v1::FeedRecord record) {
  State& s = *state_;
  if (added_ >= s.header.record_count()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "more records than the header's record_count of ",
        s.header.record_count(), "; nothing of this batch was stored"));
  }
  const int64_t position = ++added_;

  // The digest covers each record as sent (without its file line), length-
  // prefixed so that record boundaries count.
  {
    const int64_t line = record.source_line();
    record.clear_source_line();
    record.SerializeToString(&s.bytes);
    s.prefix.clear();
    keys::PutFixed32(&s.prefix, static_cast<uint32_t>(s.bytes.size()));
    s.digest.Update(s.prefix);
    s.digest.Update(s.bytes);
    record.set_source_line(line);
  }

  std::vector<RecordError> errors =
      ValidateFeedRecord(*s.spec, record, s.today);
  if (!errors.empty()) {
    ++s.rejected;
    // Validation keeps the ID as sent in id_number_original when it changed
    // it; otherwise id_number still is what was sent.
    const std::string& sent_id = record.id_number_original().empty()
                                     ? record.id_number()
                                     : record.id_number_original();
    for (uint32_t i = 0; i < errors.size(); ++i) {
      v1::RecordRejection r;
      r.set_position(position);
      r.set_source_line(record.source_line());
      r.set_field(errors[i].field);
      r.set_reason(errors[i].reason);
      r.set_id_number_masked(MaskId(sent_id));
      std::string key;
      keys::PutFixed64(&key, static_cast<uint64_t>(position));
      keys::PutFixed32(&key, i);
      RETURN_IF_ERROR(s.rejections->Add(key, r.SerializeAsString()));
      if (static_cast<int>(s.listed.size()) <
          s.owner->options_.max_listed_rejections) {
        s.listed.push_back(std::move(r));
      }
    }
    return absl::OkStatus();
  }
  StagingKey(record.id_number(), keys::NaturalKey(*s.spec, record),
             static_cast<uint64_t>(position), &s.key);
  StagedValue(record, &s.bytes, &s.value);
  return s.records->Add(s.key, s.value);
}

absl::StatusOr<v1::Receipt> FeedUpload::Commit() {
  if (!state_) return absl::FailedPreconditionError("upload already finished");
  if (added_ != state_->header.record_count()) {
    return absl::InvalidArgumentError(
        absl::StrCat("the header announced ", state_->header.record_count(),
                     " records but the stream carried ", added_,
                     "; nothing of this batch was stored"));
  }
  return state_->owner->CommitUpload(*state_);
}

absl::StatusOr<std::unique_ptr<FeedStore>> FeedStore::Create(
    Store* store, Clock* clock, FeedStoreOptions options) {
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
  if (header.record_count() < 0 ||
      header.record_count() > options_.max_records_per_batch) {
    return absl::InvalidArgumentError(
        absl::StrCat("header.record_count ", header.record_count(),
                     " is outside 0 .. ", options_.max_records_per_batch));
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
      ExternalSorter::Options{s.dir + "/rejections", 4 << 20});
  v1::BatchHeader defining = s.header;
  defining.clear_source();
  s.digest.Update(defining.SerializeAsString());
  return upload;
}

absl::StatusOr<v1::Receipt> FeedStore::CommitUpload(FeedUpload::State& s) {
  const std::string digest = Sha256::Hex(s.digest.Finish());
  const v1::BatchHeader& h = s.header;
  const uint32_t kind = static_cast<uint32_t>(h.kind());
  const bool snapshot = h.mode() == v1::BATCH_MODE_SNAPSHOT;

  absl::MutexLock lock(&commit_mu_);
  ASSIGN_OR_RETURN(std::optional<v1::Receipt> existing,
                   FindBatch(h.batch_id()));
  if (existing) {
    if (existing->digest() == digest && SameBatch(existing->header(), h)) {
      existing->set_replayed(true);
      return *existing;
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

  const std::string seq_key = keys::MetaKey(kBatchSeqName);
  ASSIGN_OR_RETURN(uint64_t seq, store_->GetCounter(kBatchSeqName));
  ++seq;
  std::string seq_value;
  keys::PutFixed64(&seq_value, seq);

  const int64_t staged = s.records->size();
  CommitSink sink(
      store_, staged > options_.sst_threshold_records ? s.dir + "/sst" : "",
      {Cf::kFacts, Cf::kFactIndex, Cf::kDirtyPersons, Cf::kFeedRejections});
  ASSIGN_OR_RETURN(auto records, s.records->Finish());
  ASSIGN_OR_RETURN(auto rejections, s.rejections->Finish());

  v1::Receipt receipt;
  *receipt.mutable_header() = h;
  receipt.set_batch_seq(static_cast<int64_t>(seq));
  receipt.set_digest(digest);
  receipt.set_rejected(s.rejected);

  // Every read below sees the store as it was when the commit began.
  Store::Snapshot snap(*store_);
  std::string last_marked;
  std::set<std::string> households;
  // Member-index keys ('M' + ID) sort like the IDs the merge walks.
  auto members = store_->NewIterator(Cf::kMemberIndex, snap.get());
  members->Seek(keys::MemberKey(""));
  constexpr int kMaxMemberSteps = 16;
  auto mark_dirty = [&](absl::string_view id) -> absl::Status {
    if (id == last_marked) return absl::OkStatus();
    last_marked.assign(id.data(), id.size());
    sink.Put(Cf::kDirtyPersons, keys::DirtyPersonKey(id), seq_value);
    receipt.set_persons_marked(receipt.persons_marked() + 1);
    // People arrive in ID order, the member index is in ID order: walk it
    // alongside instead of a point lookup per person (most people are not
    // beneficiaries, and once the index is passed there is nothing to do).
    const std::string member_key = keys::MemberKey(id);
    int steps = 0;
    while (members->Valid() &&
           absl::string_view(members->key().data(), members->key().size()) <
               member_key) {
      if (++steps > kMaxMemberSteps) {
        members->Seek(member_key);
        break;
      }
      members->Next();
    }
    if (members->Valid() &&
        absl::string_view(members->key().data(), members->key().size()) ==
            member_key) {
      households.emplace(members->value().data(), members->value().size());
    }
    return absl::OkStatus();
  };

  v1::FactVersion version;
  version.set_batch_seq(static_cast<int64_t>(seq));
  version.set_batch_id(h.batch_id());
  *version.mutable_as_of() = h.as_of();

  // Retires one current fact the SNAPSHOT no longer holds.
  auto retire = [&](absl::string_view index_key) -> absl::Status {
    ASSIGN_OR_RETURN(keys::FactIndexKeyParts parts,
                     keys::DecodeFactIndexKey(index_key));
    version.clear_record();
    version.set_retired(true);
    sink.Put(Cf::kFacts,
             keys::FactKey(parts.id_number, kind, parts.natural_key, seq),
             version.SerializeAsString());
    sink.Delete(Cf::kFactIndex, index_key);
    receipt.set_retired(receipt.retired() + 1);
    return mark_dirty(parts.id_number);
  };

  const std::string index_prefix = keys::FactIndexPrefix(kind);
  auto index = store_->NewIterator(Cf::kFactIndex, snap.get());
  if (snapshot) index->Seek(index_prefix);
  auto index_valid = [&] {
    return index->Valid() && index->key().starts_with(index_prefix);
  };

  // Stores one record (the last of its natural key in the batch).
  // The stored version is [record bytes as field 1] + this suffix.
  std::string version_suffix;
  {
    v1::FactVersion v;
    v.set_batch_seq(static_cast<int64_t>(seq));
    v.set_batch_id(h.batch_id());
    *v.mutable_as_of() = h.as_of();
    version_suffix = v.SerializeAsString();
  }
  std::string version_bytes;
  std::string index_key;
  auto apply = [&](absl::string_view staged, absl::string_view id,
                   absl::string_view natural_key) -> absl::Status {
    const absl::string_view fingerprint = staged.substr(0, kFingerprintBytes);
    const absl::string_view record_bytes = staged.substr(kFingerprintBytes);
    index_key = keys::FactIndexKey(kind, id, natural_key);
    std::optional<keys::FactIndexValue> current;
    if (snapshot) {
      while (index_valid() &&
             absl::string_view(index->key().data(), index->key().size()) <
                 index_key) {
        RETURN_IF_ERROR(retire(
            absl::string_view(index->key().data(), index->key().size())));
        index->Next();
      }
      if (index_valid() &&
          absl::string_view(index->key().data(), index->key().size()) ==
              index_key) {
        ASSIGN_OR_RETURN(current,
                         keys::DecodeFactIndexValue(absl::string_view(
                             index->value().data(), index->value().size())));
        index->Next();
      }
    } else {
      ASSIGN_OR_RETURN(std::optional<std::string> value,
                       store_->Get(Cf::kFactIndex, index_key, snap.get()));
      if (value) {
        ASSIGN_OR_RETURN(current, keys::DecodeFactIndexValue(*value));
      }
    }
    if (current && current->fingerprint == fingerprint) {
      receipt.set_unchanged(receipt.unchanged() + 1);
      return absl::OkStatus();
    }
    version_bytes.clear();
    AppendBytesField(v1::FactVersion::kRecordFieldNumber, record_bytes,
                     &version_bytes);
    version_bytes += version_suffix;
    sink.Put(Cf::kFacts, keys::FactKey(id, kind, natural_key, seq),
             version_bytes);
    sink.Put(Cf::kFactIndex, index_key,
             keys::EncodeFactIndexValue({seq, std::string(fingerprint)}));
    receipt.set_accepted(receipt.accepted() + 1);
    return mark_dirty(id);
  };

  // Walk the sorted records; of several with one natural key the last wins
  // and the earlier ones count as unchanged (superseded).
  std::string pending, pending_id, pending_key;
  bool have_pending = false;
  for (; records->Valid(); records->Next()) {
    absl::string_view key = records->key();
    absl::string_view id, natural_key;
    if (!keys::GetString(&key, &id) || !keys::GetString(&key, &natural_key) ||
        records->value().size() < kFingerprintBytes) {
      return absl::InternalError("malformed staged record");
    }
    if (have_pending && id == pending_id && natural_key == pending_key) {
      receipt.set_unchanged(receipt.unchanged() + 1);
    } else if (have_pending) {
      RETURN_IF_ERROR(apply(pending, pending_id, pending_key));
    }
    pending.assign(records->value().data(), records->value().size());
    pending_id.assign(id.data(), id.size());
    pending_key.assign(natural_key.data(), natural_key.size());
    have_pending = true;
  }
  RETURN_IF_ERROR(records->status());
  if (have_pending) RETURN_IF_ERROR(apply(pending, pending_id, pending_key));
  if (snapshot) {
    for (; index_valid(); index->Next()) {
      RETURN_IF_ERROR(
          retire(absl::string_view(index->key().data(), index->key().size())));
    }
  }
  RETURN_IF_ERROR(FromRocks(index->status(), "scan fact index"));

  for (; rejections->Valid(); rejections->Next()) {
    absl::string_view key = rejections->key();
    uint64_t position;
    uint32_t n;
    if (!keys::GetFixed64(&key, &position) || !keys::GetFixed32(&key, &n)) {
      return absl::InternalError("malformed rejection key");
    }
    sink.Put(Cf::kFeedRejections, keys::FeedRejectionKey(seq, position, n),
             rejections->value());
  }
  RETURN_IF_ERROR(rejections->status());

  for (const std::string& household : households) {
    sink.Put(Cf::kDirtyHouseholds, keys::DirtyHouseholdKey(household),
             seq_value);
  }
  receipt.set_households_marked(static_cast<int64_t>(households.size()));
  for (auto& r : s.listed) *receipt.add_rejections() = std::move(r);
  *receipt.mutable_committed_at() = ToProto(clock_->Now());
  receipt.set_committed_by(s.actor);
  sink.Put(Cf::kFeedBatches, keys::FeedBatchKey(h.batch_id()),
           receipt.SerializeAsString());
  sink.Put(Cf::kFeedBatches, keys::FeedBatchSeqKey(seq), h.batch_id());
  sink.Put(Cf::kMeta, seq_key, seq_value);
  RETURN_IF_ERROR(sink.Commit());
  return receipt;
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

absl::Status FeedStore::ScanPerson(
    absl::string_view id_number,
    const std::function<absl::Status(uint32_t, absl::string_view,
                                     v1::FactVersion&)>& fn) const {
  auto id = ParseResidentId(id_number, clock_->Today());
  if (!id.ok()) return id.status();
  const std::string prefix = keys::FactPrefix(id->number());
  auto it = store_->NewIterator(Cf::kFacts);
  v1::FactVersion v;
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix);
       it->Next()) {
    ASSIGN_OR_RETURN(keys::FactKeyParts parts,
                     keys::DecodeFactKey(absl::string_view(it->key().data(),
                                                           it->key().size())));
    if (!v.ParseFromArray(it->value().data(),
                          static_cast<int>(it->value().size()))) {
      return absl::DataLossError("unreadable stored fact");
    }
    RETURN_IF_ERROR(fn(parts.kind, parts.natural_key, v));
  }
  return FromRocks(it->status(), "scan facts");
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
    const bool same_fact = open && kind == open_kind && natural_key == open_key;
    if (same_fact) {
      // This version ends the open one.
      *out.back().mutable_valid_to() = v.as_of();
      out.back().set_ended_by_batch(v.batch_id());
    }
    open = !v.retired();
    open_kind = kind;
    open_key.assign(natural_key.data(), natural_key.size());
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
