// Every RocksDB key dibao-audit writes is encoded here, and only here.
//
// Layout: [1-byte tag][fields], where integers are big-endian fixed width
// (so byte order is numeric order) and strings are a big-endian uint32 length
// followed by the bytes (so a key can be split without escaping and every
// complete leading component is a usable scan prefix). The tag names the key
// type even though column families already separate them: a key read from
// the wrong family fails to decode instead of being misread.
//
// STORED ON DISK: never change a tag or a layout; add a new tag instead.
#ifndef DIBAO_STORAGE_KEYS_H_
#define DIBAO_STORAGE_KEYS_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace dibao::keys {

// Low-level pieces, exposed for tests and for the decoders below.
void PutFixed32(std::string* out, uint32_t v);
void PutFixed64(std::string* out, uint64_t v);
void PutString(std::string* out, absl::string_view s);

// Reads the pieces back from the front of `in`, advancing it. Return false
// on truncated input.
bool GetFixed32(absl::string_view* in, uint32_t* v);
bool GetFixed64(absl::string_view* in, uint64_t* v);
bool GetString(absl::string_view* in, absl::string_view* s);

// meta: named singletons such as the schema version.
std::string MetaKey(absl::string_view name);

// households: household_id -> dibao.v1.Household (members included).
std::string HouseholdKey(absl::string_view household_id);
// The prefix every household key starts with.
std::string HouseholdPrefix();
absl::StatusOr<absl::string_view> DecodeHouseholdKey(absl::string_view key);

// member_index: id_number -> household_id of the person's current household.
std::string MemberKey(absl::string_view id_number);
// The `std::string* out` forms here and below replace the contents of a
// buffer the caller reuses: they are on the path of every feed record.
void MemberKey(absl::string_view id_number, std::string* out);
std::string MemberPrefix();
absl::StatusOr<absl::string_view> DecodeMemberKey(absl::string_view key);

// area_index: (district, street, community, household_id) -> 1 byte status.
// The prefix helpers take the leading components a filter fixes.
std::string AreaKey(absl::string_view district, absl::string_view street,
                    absl::string_view community,
                    absl::string_view household_id);
std::string AreaPrefix();
std::string AreaPrefix(absl::string_view district);
std::string AreaPrefix(absl::string_view district, absl::string_view street);
std::string AreaPrefix(absl::string_view district, absl::string_view street,
                       absl::string_view community);
struct AreaKeyParts {
  absl::string_view district, street, community, household_id;
};
absl::StatusOr<AreaKeyParts> DecodeAreaKey(absl::string_view key);

// household_history: (household_id, version) -> dibao.v1.HouseholdChange.
std::string HistoryKey(absl::string_view household_id, uint64_t version);
std::string HistoryPrefix(absl::string_view household_id);
struct HistoryKeyParts {
  absl::string_view household_id;
  uint64_t version = 0;
};
absl::StatusOr<HistoryKeyParts> DecodeHistoryKey(absl::string_view key);

// registry_changes: change_seq -> the HistoryKey of that change. Replaying
// the registry in order is a scan of this family.
std::string ChangeKey(uint64_t seq);
absl::StatusOr<uint64_t> DecodeChangeKey(absl::string_view key);

// facts: (id_number, kind, natural key, batch_seq) -> dibao.v1.FactVersion.
// Person first, so every fact about one person is one range scan.
std::string FactKey(absl::string_view id_number, uint32_t kind,
                    absl::string_view natural_key, uint64_t batch_seq);
void FactKey(absl::string_view id_number, uint32_t kind,
             absl::string_view natural_key, uint64_t batch_seq,
             std::string* out);
std::string FactPrefix(absl::string_view id_number);
// Every version of one fact: FactKey without the batch number.
std::string FactVersionsPrefix(absl::string_view id_number, uint32_t kind,
                               absl::string_view natural_key);
// The length of FactPrefix() for a normalised (18-character) ID: the facts
// family's prefix-filter length.
inline constexpr size_t kFactPersonPrefixLength = 1 + 4 + 18;
struct FactKeyParts {
  absl::string_view id_number;
  uint32_t kind = 0;
  absl::string_view natural_key;
  uint64_t batch_seq = 0;
};
absl::StatusOr<FactKeyParts> DecodeFactKey(absl::string_view key);

// fact_index: (kind, id_number, natural key) -> [batch_seq][fingerprint]
// of the current (not retired) version. Kind first, so a SNAPSHOT can walk
// every current fact of its kind in the same order as its sorted records.
void FactIndexKey(uint32_t kind, absl::string_view id_number,
                  absl::string_view natural_key, std::string* out);
std::string FactIndexPrefix(uint32_t kind);
struct FactIndexKeyParts {
  uint32_t kind = 0;
  absl::string_view id_number;
  absl::string_view natural_key;
};
absl::StatusOr<FactIndexKeyParts> DecodeFactIndexKey(absl::string_view key);
// The index value: the current version's batch and 16-byte fingerprint.
void EncodeFactIndexValue(uint64_t batch_seq, absl::string_view fingerprint,
                          std::string* out);
// Just the fingerprint, viewed in `value`.
absl::StatusOr<absl::string_view> FactIndexFingerprint(absl::string_view value);

// A record's natural key (used inside FactKey and FactIndexKey) is its
// kind's key fields in order, each appended by one of these (feed
// validation reads them off the serialized record: ValidateFeedFields).
// Dates as YYYYMMDD and months as YYYYMM, so numeric order is time order.
void AppendNaturalKeyString(absl::string_view value, std::string* out);
void AppendNaturalKeyEnum(int value, std::string* out);
void AppendNaturalKeyDate(int year, int month, int day, std::string* out);
void AppendNaturalKeyMonth(int year, int month, std::string* out);

// feed_batches: batch_id -> Receipt, and batch_seq -> batch_id.
std::string FeedBatchKey(absl::string_view batch_id);
std::string FeedBatchSeqKey(uint64_t batch_seq);
std::string FeedBatchSeqPrefix();

// feed_rejections: (batch_seq, position, n-th problem of the record)
// -> RecordRejection.
std::string FeedRejectionKey(uint64_t batch_seq, uint64_t position,
                             uint32_t index);
std::string FeedRejectionPrefix(uint64_t batch_seq);

// dirty_persons: (batch_seq, chunk) -> the IDs (18 characters each, back to
// back, in ID order) of the people that batch changed: a log the matching
// cycle reads from where it stopped. Written in chunks rather than a key per
// person: a ten-million-record snapshot would otherwise write ten million
// more keys. dirty_households: (batch_seq, household_id) -> empty: the
// beneficiary households each batch changed, which the cycle reads from the
// last batch it consumed and then deletes as one range (a key per household
// deleted one by one would leave tombstones every later scan steps over).
std::string DirtyPersonsKey(uint64_t batch_seq, uint32_t chunk);
std::string DirtyPersonsPrefix();
struct DirtyPersonsKeyParts {
  uint64_t batch_seq = 0;
  uint32_t chunk = 0;
};
absl::StatusOr<DirtyPersonsKeyParts> DecodeDirtyPersonsKey(
    absl::string_view key);
std::string DirtyHouseholdKey(uint64_t batch_seq,
                              absl::string_view household_id);
struct DirtyHouseholdKeyParts {
  uint64_t batch_seq = 0;
  absl::string_view household_id;
};
absl::StatusOr<DirtyHouseholdKeyParts> DecodeDirtyHouseholdKey(
    absl::string_view key);

// flags: (household_id, rule, identity) -> dibao.v1.Flag, where identity
// is the flag's Flag.identity (its ID; the evidence fingerprint for flags
// made before flags kept their identity). Household first, so a
// household's flags are one range scan.
std::string FlagKey(absl::string_view household_id, absl::string_view rule,
                    absl::string_view identity);
std::string FlagPrefix();
std::string FlagPrefix(absl::string_view household_id);
struct FlagKeyParts {
  absl::string_view household_id, rule, identity;
};
absl::StatusOr<FlagKeyParts> DecodeFlagKey(absl::string_view key);

// flag_ids: flag sequence number -> the flag's FlagKey.
std::string FlagIdKey(uint64_t flag_seq);

// assessments: household_id -> dibao.v1.Assessment (the latest, for
// households with findings).
std::string AssessmentKey(absl::string_view household_id);

// wake_index: (day as YYYYMMDD, household_id) -> empty: the household's facts
// change on their own that day, so the cycle for that day re-assesses it.
std::string WakeKey(uint32_t yyyymmdd, absl::string_view household_id);
std::string WakePrefix();
struct WakeKeyParts {
  uint32_t yyyymmdd = 0;
  absl::string_view household_id;
};
absl::StatusOr<WakeKeyParts> DecodeWakeKey(absl::string_view key);

// cycles: cycle_seq -> dibao.v1.CycleReport.
std::string CycleKey(uint64_t cycle_seq);
std::string CyclePrefix();

// audit: seq -> dibao.v1.AuditEntry, in chain order.
std::string AuditKey(uint64_t seq);
std::string AuditPrefix();
absl::StatusOr<uint64_t> DecodeAuditKey(absl::string_view key);
// audit_by_household: household/seq -> (empty), a household's entries in
// chain order.
std::string AuditHouseholdKey(absl::string_view household_id, uint64_t seq);
std::string AuditHouseholdPrefix(absl::string_view household_id);
struct AuditHouseholdKeyParts {
  absl::string_view household_id;
  uint64_t seq = 0;
};
absl::StatusOr<AuditHouseholdKeyParts> DecodeAuditHouseholdKey(
    absl::string_view key);

// recommendations: recommendation_seq -> dibao.v1.Recommendation.
std::string RecommendationKey(uint64_t seq);
std::string RecommendationPrefix();
absl::StatusOr<uint64_t> DecodeRecommendationKey(absl::string_view key);

// samples: sample_seq -> dibao.v1.SpotCheckSample (a drawn spot-check
// sample with its seed).
std::string SampleKey(uint64_t seq);
std::string SamplePrefix();
absl::StatusOr<uint64_t> DecodeSampleKey(absl::string_view key);

}  // namespace dibao::keys

#endif  // DIBAO_STORAGE_KEYS_H_
