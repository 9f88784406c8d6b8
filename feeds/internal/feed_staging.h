// Turning received feed records into sort entries: the per-record part of
// an upload (validation, normalisation, fingerprint, keys), which needs no
// shared state and so runs on several threads at once.
//
// A staged record is a sort entry:
//   key:   PutString(id) PutString(natural key) PutFixed64(position)
//   value: [16-byte fingerprint][action: kStagedUpsert or kStagedWithdrawal]
//          [PutFixed64(line in the agency's file)][serialized record]
// (what the commit needs to tell an upsert from a withdrawal, and to name
// both lines when one batch holds both for one fact, without parsing).
// The fingerprint identifies the fact's content: the normalised record
// without its file line or the spelling its ID arrived in (so a re-sent fact
// with a reformatted ID is unchanged), while the stored bytes keep that
// spelling (appended as its own field, which protobuf merges on parse).
//
// Every record, accepted or not, also leaves a 32-byte digest piece: the
// SHA-256 of what was sent (the record without its file line). The batch
// digest is taken over the pieces in position order, so it depends on the
// records and their order but not on how they were split into messages.
#ifndef DIBAO_FEEDS_INTERNAL_FEED_STAGING_H_
#define DIBAO_FEEDS_INTERNAL_FEED_STAGING_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "dibao/v1/feeds.pb.h"
#include "feeds/internal/feed_validation.h"
#include "formats/feed_kinds.h"

namespace dibao {

inline constexpr size_t kFingerprintBytes = 16;
inline constexpr char kStagedUpsert = 'u';
inline constexpr char kStagedWithdrawal = 'w';
// The fingerprint, action and line before a staged record's bytes.
inline constexpr size_t kStagedHeaderBytes = kFingerprintBytes + 1 + 8;
inline constexpr size_t kDigestPieceBytes = 32;

// The staged form of consecutive records. Reused: Clear() keeps capacity,
// so a chunk of records stages without allocating once buffers have grown.
class StagedRecords {
 public:
  void Clear();

  // Validates, normalises and stages `record` (working on it in place; it
  // is scratch afterwards) at 1-based `position`.
  void Stage(const FeedKindSpec& spec, absl::CivilDay today, int64_t position,
             v1::FeedRecord& record);

  // Accepted records, in staging order.
  size_t size() const { return entries_.size(); }
  absl::string_view key(size_t i) const;
  absl::string_view value(size_t i) const;
  // kDigestPieceBytes per record staged, accepted or not, in order.
  absl::string_view digest_pieces() const { return pieces_; }
  // One per refused field; several may share a position.
  const std::vector<v1::RecordRejection>& rejections() const {
    return rejections_;
  }
  int64_t rejected_records() const { return rejected_records_; }
  // Of those: lines the client could not read.
  int64_t unreadable_records() const { return unreadable_records_; }
  // The people (normalised IDs, ResidentId::kLength bytes each, back to back)
  // whose records were rejected, and how many rejected records name no
  // readable person: a SNAPSHOT must not retire facts that may be theirs.
  absl::string_view held_ids() const { return held_ids_; }
  int64_t rejected_without_person() const { return rejected_without_person_; }

 private:
  struct Entry {
    size_t offset;
    uint32_t key_size;
    uint32_t value_size;
  };
  std::string data_;  // keys and values back to back
  std::vector<Entry> entries_;
  std::string pieces_;
  std::vector<v1::RecordRejection> rejections_;
  int64_t rejected_records_ = 0;
  int64_t unreadable_records_ = 0;
  std::string held_ids_;
  int64_t rejected_without_person_ = 0;
  // Records a rejection of the record at `position`; notes whose it is.
  void Reject(int64_t position, int64_t line, absl::CivilDay today,
              absl::string_view id_as_sent, std::vector<RecordError> errors);
  // Per-record scratch.
  std::string canonical_, original_, natural_key_, sent_;
};

}  // namespace dibao

#endif  // DIBAO_FEEDS_INTERNAL_FEED_STAGING_H_
