#include "storage/keys.h"

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace dibao::keys {
namespace {

// STORED ON DISK: never renumber.
constexpr char kTagMeta = 'm';
constexpr char kTagHousehold = 'H';
constexpr char kTagMember = 'M';
constexpr char kTagArea = 'A';
constexpr char kTagHistory = 'V';
constexpr char kTagChange = 'C';
constexpr char kTagFact = 'F';
constexpr char kTagFactIndex = 'I';
constexpr char kTagFeedBatch = 'B';
constexpr char kTagFeedBatchSeq = 'Q';
constexpr char kTagFeedRejection = 'R';
constexpr char kTagDirtyPersons = 'L';    // 'P' was a key per person
constexpr char kTagDirtyHousehold = 'E';  // 'D' was household -> seq
constexpr char kTagFlag = 'G';
constexpr char kTagFlagId = 'N';
constexpr char kTagAssessment = 'S';
constexpr char kTagWake = 'W';
constexpr char kTagCycle = 'Y';
constexpr char kTagAudit = 'U';
constexpr char kTagAuditHousehold = 'X';
constexpr char kTagRecommendation = 'O';
constexpr char kTagSample = 'Z';
constexpr size_t kFingerprintSize = 16;

std::string Tagged(char tag) { return std::string(1, tag); }

// Strips the tag or explains why the key is not of this type.
absl::StatusOr<absl::string_view> Untag(absl::string_view key, char tag,
                                        absl::string_view type) {
  if (key.empty() || key[0] != tag) {
    return absl::DataLossError(absl::StrCat("not a ", type, " key"));
  }
  key.remove_prefix(1);
  return key;
}

absl::Status Malformed(absl::string_view type) {
  return absl::DataLossError(absl::StrCat("malformed ", type, " key"));
}

}  // namespace

// One append per number rather than a push_back per byte: these build the
// key of every staged record.
void PutFixed32(std::string* out, uint32_t v) {
  char b[4];
  for (int i = 3; i >= 0; --i, v >>= 8) b[i] = static_cast<char>(v & 0xff);
  out->append(b, 4);
}

void PutFixed64(std::string* out, uint64_t v) {
  char b[8];
  for (int i = 7; i >= 0; --i, v >>= 8) b[i] = static_cast<char>(v & 0xff);
  out->append(b, 8);
}

void PutString(std::string* out, absl::string_view s) {
  PutFixed32(out, static_cast<uint32_t>(s.size()));
  out->append(s.data(), s.size());
}

bool GetFixed32(absl::string_view* in, uint32_t* v) {
  if (in->size() < 4) return false;
  uint32_t r = 0;
  for (int i = 0; i < 4; ++i) r = (r << 8) | static_cast<uint8_t>((*in)[i]);
  in->remove_prefix(4);
  *v = r;
  return true;
}

bool GetFixed64(absl::string_view* in, uint64_t* v) {
  if (in->size() < 8) return false;
  uint64_t r = 0;
  for (int i = 0; i < 8; ++i) r = (r << 8) | static_cast<uint8_t>((*in)[i]);
  in->remove_prefix(8);
  *v = r;
  return true;
}

bool GetString(absl::string_view* in, absl::string_view* s) {
  uint32_t n;
  if (!GetFixed32(in, &n) || in->size() < n) return false;
  *s = in->substr(0, n);
  in->remove_prefix(n);
  return true;
}

std::string MetaKey(absl::string_view name) {
  std::string k = Tagged(kTagMeta);
  PutString(&k, name);
  return k;
}

std::string HouseholdPrefix() { return Tagged(kTagHousehold); }

std::string HouseholdKey(absl::string_view household_id) {
  std::string k = Tagged(kTagHousehold);
  PutString(&k, household_id);
  return k;
}

absl::StatusOr<absl::string_view> DecodeHouseholdKey(absl::string_view key) {
  auto rest = Untag(key, kTagHousehold, "household");
  if (!rest.ok()) return rest.status();
  absl::string_view id;
  if (!GetString(&*rest, &id) || !rest->empty()) return Malformed("household");
  return id;
}

std::string MemberKey(absl::string_view id_number) {
  std::string k;
  MemberKey(id_number, &k);
  return k;
}

void MemberKey(absl::string_view id_number, std::string* out) {
  out->assign(1, kTagMember);
  PutString(out, id_number);
}

std::string AreaPrefix() { return Tagged(kTagArea); }

std::string AreaPrefix(absl::string_view district) {
  std::string k = AreaPrefix();
  PutString(&k, district);
  return k;
}

std::string AreaPrefix(absl::string_view district, absl::string_view street) {
  std::string k = AreaPrefix(district);
  PutString(&k, street);
  return k;
}

std::string AreaPrefix(absl::string_view district, absl::string_view street,
                       absl::string_view community) {
  std::string k = AreaPrefix(district, street);
  PutString(&k, community);
  return k;
}

std::string AreaKey(absl::string_view district, absl::string_view street,
                    absl::string_view community,
                    absl::string_view household_id) {
  std::string k = AreaPrefix(district, street, community);
  PutString(&k, household_id);
  return k;
}

absl::StatusOr<AreaKeyParts> DecodeAreaKey(absl::string_view key) {
  auto rest = Untag(key, kTagArea, "area");
  if (!rest.ok()) return rest.status();
  AreaKeyParts p;
  if (!GetString(&*rest, &p.district) || !GetString(&*rest, &p.street) ||
      !GetString(&*rest, &p.community) || !GetString(&*rest, &p.household_id) ||
      !rest->empty()) {
    return Malformed("area");
  }
  return p;
}

std::string HistoryPrefix(absl::string_view household_id) {
  std::string k = Tagged(kTagHistory);
  PutString(&k, household_id);
  return k;
}

std::string HistoryKey(absl::string_view household_id, uint64_t version) {
  std::string k = HistoryPrefix(household_id);
  PutFixed64(&k, version);
  return k;
}

absl::StatusOr<HistoryKeyParts> DecodeHistoryKey(absl::string_view key) {
  auto rest = Untag(key, kTagHistory, "history");
  if (!rest.ok()) return rest.status();
  HistoryKeyParts p;
  if (!GetString(&*rest, &p.household_id) || !GetFixed64(&*rest, &p.version) ||
      !rest->empty()) {
    return Malformed("history");
  }
  return p;
}

std::string ChangeKey(uint64_t seq) {
  std::string k = Tagged(kTagChange);
  PutFixed64(&k, seq);
  return k;
}

absl::StatusOr<uint64_t> DecodeChangeKey(absl::string_view key) {
  auto rest = Untag(key, kTagChange, "change");
  if (!rest.ok()) return rest.status();
  uint64_t seq;
  if (!GetFixed64(&*rest, &seq) || !rest->empty()) return Malformed("change");
  return seq;
}

std::string FactPrefix(absl::string_view id_number) {
  std::string k = Tagged(kTagFact);
  PutString(&k, id_number);
  return k;
}

std::string FactKey(absl::string_view id_number, uint32_t kind,
                    absl::string_view natural_key, uint64_t batch_seq) {
  std::string k;
  FactKey(id_number, kind, natural_key, batch_seq, &k);
  return k;
}

void FactKey(absl::string_view id_number, uint32_t kind,
             absl::string_view natural_key, uint64_t batch_seq,
             std::string* out) {
  out->assign(1, kTagFact);
  PutString(out, id_number);
  PutFixed32(out, kind);
  PutString(out, natural_key);
  PutFixed64(out, batch_seq);
}

std::string FactVersionsPrefix(absl::string_view id_number, uint32_t kind,
                               absl::string_view natural_key) {
  std::string k(1, kTagFact);
  PutString(&k, id_number);
  PutFixed32(&k, kind);
  PutString(&k, natural_key);
  return k;
}

absl::StatusOr<FactKeyParts> DecodeFactKey(absl::string_view key) {
  auto rest = Untag(key, kTagFact, "fact");
  if (!rest.ok()) return rest.status();
  FactKeyParts p;
  if (!GetString(&*rest, &p.id_number) || !GetFixed32(&*rest, &p.kind) ||
      !GetString(&*rest, &p.natural_key) || !GetFixed64(&*rest, &p.batch_seq) ||
      !rest->empty()) {
    return Malformed("fact");
  }
  return p;
}

std::string FactIndexPrefix(uint32_t kind) {
  std::string k = Tagged(kTagFactIndex);
  PutFixed32(&k, kind);
  return k;
}

void FactIndexKey(uint32_t kind, absl::string_view id_number,
                  absl::string_view natural_key, std::string* out) {
  out->assign(1, kTagFactIndex);
  PutFixed32(out, kind);
  PutString(out, id_number);
  PutString(out, natural_key);
}

absl::StatusOr<FactIndexKeyParts> DecodeFactIndexKey(absl::string_view key) {
  auto rest = Untag(key, kTagFactIndex, "fact index");
  if (!rest.ok()) return rest.status();
  FactIndexKeyParts p;
  if (!GetFixed32(&*rest, &p.kind) || !GetString(&*rest, &p.id_number) ||
      !GetString(&*rest, &p.natural_key) || !rest->empty()) {
    return Malformed("fact index");
  }
  return p;
}

void EncodeFactIndexValue(uint64_t batch_seq, absl::string_view fingerprint,
                          std::string* out) {
  out->clear();
  PutFixed64(out, batch_seq);
  out->append(fingerprint.data(), fingerprint.size());
}

absl::StatusOr<absl::string_view> FactIndexFingerprint(
    absl::string_view value) {
  uint64_t seq;
  if (!GetFixed64(&value, &seq) || value.size() != kFingerprintSize) {
    return absl::DataLossError("malformed fact index value");
  }
  return value;
}

void AppendNaturalKeyString(absl::string_view value, std::string* out) {
  PutString(out, value);
}

void AppendNaturalKeyEnum(int value, std::string* out) {
  PutFixed32(out, static_cast<uint32_t>(value));
}

void AppendNaturalKeyDate(int year, int month, int day, std::string* out) {
  PutFixed32(out, static_cast<uint32_t>(year * 10000 + month * 100 + day));
}

void AppendNaturalKeyMonth(int year, int month, std::string* out) {
  PutFixed32(out, static_cast<uint32_t>(year * 100 + month));
}

std::string FeedBatchKey(absl::string_view batch_id) {
  std::string k = Tagged(kTagFeedBatch);
  PutString(&k, batch_id);
  return k;
}

std::string FeedBatchSeqPrefix() { return Tagged(kTagFeedBatchSeq); }

std::string FeedBatchSeqKey(uint64_t batch_seq) {
  std::string k = FeedBatchSeqPrefix();
  PutFixed64(&k, batch_seq);
  return k;
}

std::string FeedRejectionPrefix(uint64_t batch_seq) {
  std::string k = Tagged(kTagFeedRejection);
  PutFixed64(&k, batch_seq);
  return k;
}

std::string FeedRejectionKey(uint64_t batch_seq, uint64_t position,
                             uint32_t index) {
  std::string k = FeedRejectionPrefix(batch_seq);
  PutFixed64(&k, position);
  PutFixed32(&k, index);
  return k;
}

std::string DirtyPersonsKey(uint64_t batch_seq, uint32_t chunk) {
  std::string k = Tagged(kTagDirtyPersons);
  PutFixed64(&k, batch_seq);
  PutFixed32(&k, chunk);
  return k;
}

std::string DirtyPersonsPrefix() { return Tagged(kTagDirtyPersons); }

absl::StatusOr<DirtyPersonsKeyParts> DecodeDirtyPersonsKey(
    absl::string_view key) {
  auto rest = Untag(key, kTagDirtyPersons, "dirty persons");
  if (!rest.ok()) return rest.status();
  DirtyPersonsKeyParts p;
  if (!GetFixed64(&*rest, &p.batch_seq) || !GetFixed32(&*rest, &p.chunk) ||
      !rest->empty()) {
    return Malformed("dirty persons");
  }
  return p;
}

std::string DirtyHouseholdKey(uint64_t batch_seq,
                              absl::string_view household_id) {
  std::string k = Tagged(kTagDirtyHousehold);
  PutFixed64(&k, batch_seq);
  PutString(&k, household_id);
  return k;
}

std::string MemberPrefix() { return Tagged(kTagMember); }

absl::StatusOr<absl::string_view> DecodeMemberKey(absl::string_view key) {
  auto rest = Untag(key, kTagMember, "member");
  if (!rest.ok()) return rest.status();
  absl::string_view id;
  if (!GetString(&*rest, &id) || !rest->empty()) return Malformed("member");
  return id;
}

absl::StatusOr<DirtyHouseholdKeyParts> DecodeDirtyHouseholdKey(
    absl::string_view key) {
  auto rest = Untag(key, kTagDirtyHousehold, "dirty household");
  if (!rest.ok()) return rest.status();
  DirtyHouseholdKeyParts p;
  if (!GetFixed64(&*rest, &p.batch_seq) ||
      !GetString(&*rest, &p.household_id) || !rest->empty()) {
    return Malformed("dirty household");
  }
  return p;
}

std::string FlagKey(absl::string_view household_id, absl::string_view rule,
                    absl::string_view identity) {
  std::string k = FlagPrefix(household_id);
  PutString(&k, rule);
  PutString(&k, identity);
  return k;
}

std::string FlagPrefix() { return Tagged(kTagFlag); }

std::string FlagPrefix(absl::string_view household_id) {
  std::string k = Tagged(kTagFlag);
  PutString(&k, household_id);
  return k;
}

absl::StatusOr<FlagKeyParts> DecodeFlagKey(absl::string_view key) {
  auto rest = Untag(key, kTagFlag, "flag");
  if (!rest.ok()) return rest.status();
  FlagKeyParts p;
  if (!GetString(&*rest, &p.household_id) || !GetString(&*rest, &p.rule) ||
      !GetString(&*rest, &p.identity) || !rest->empty()) {
    return Malformed("flag");
  }
  return p;
}

std::string FlagIdKey(uint64_t flag_seq) {
  std::string k = Tagged(kTagFlagId);
  PutFixed64(&k, flag_seq);
  return k;
}

std::string AssessmentKey(absl::string_view household_id) {
  std::string k = Tagged(kTagAssessment);
  PutString(&k, household_id);
  return k;
}

std::string WakeKey(uint32_t yyyymmdd, absl::string_view household_id) {
  std::string k = Tagged(kTagWake);
  PutFixed32(&k, yyyymmdd);
  PutString(&k, household_id);
  return k;
}

std::string WakePrefix() { return Tagged(kTagWake); }

absl::StatusOr<WakeKeyParts> DecodeWakeKey(absl::string_view key) {
  auto rest = Untag(key, kTagWake, "wake");
  if (!rest.ok()) return rest.status();
  WakeKeyParts p;
  if (!GetFixed32(&*rest, &p.yyyymmdd) || !GetString(&*rest, &p.household_id) ||
      !rest->empty()) {
    return Malformed("wake");
  }
  return p;
}

std::string CycleKey(uint64_t cycle_seq) {
  std::string k = Tagged(kTagCycle);
  PutFixed64(&k, cycle_seq);
  return k;
}

std::string CyclePrefix() { return Tagged(kTagCycle); }

std::string AuditKey(uint64_t seq) {
  std::string k = Tagged(kTagAudit);
  PutFixed64(&k, seq);
  return k;
}

std::string AuditPrefix() { return Tagged(kTagAudit); }

absl::StatusOr<uint64_t> DecodeAuditKey(absl::string_view key) {
  auto rest = Untag(key, kTagAudit, "audit");
  if (!rest.ok()) return rest.status();
  uint64_t seq;
  if (!GetFixed64(&*rest, &seq) || !rest->empty()) return Malformed("audit");
  return seq;
}

std::string AuditHouseholdKey(absl::string_view household_id, uint64_t seq) {
  std::string k = AuditHouseholdPrefix(household_id);
  PutFixed64(&k, seq);
  return k;
}

std::string AuditHouseholdPrefix(absl::string_view household_id) {
  std::string k = Tagged(kTagAuditHousehold);
  PutString(&k, household_id);
  return k;
}

absl::StatusOr<AuditHouseholdKeyParts> DecodeAuditHouseholdKey(
    absl::string_view key) {
  auto rest = Untag(key, kTagAuditHousehold, "audit household");
  if (!rest.ok()) return rest.status();
  AuditHouseholdKeyParts p;
  if (!GetString(&*rest, &p.household_id) || !GetFixed64(&*rest, &p.seq) ||
      !rest->empty()) {
    return Malformed("audit household");
  }
  return p;
}

std::string RecommendationKey(uint64_t seq) {
  std::string k = Tagged(kTagRecommendation);
  PutFixed64(&k, seq);
  return k;
}

std::string RecommendationPrefix() { return Tagged(kTagRecommendation); }

absl::StatusOr<uint64_t> DecodeRecommendationKey(absl::string_view key) {
  auto rest = Untag(key, kTagRecommendation, "recommendation");
  if (!rest.ok()) return rest.status();
  uint64_t seq;
  if (!GetFixed64(&*rest, &seq) || !rest->empty()) {
    return Malformed("recommendation");
  }
  return seq;
}

std::string SampleKey(uint64_t seq) {
  std::string k = Tagged(kTagSample);
  PutFixed64(&k, seq);
  return k;
}

std::string SamplePrefix() { return Tagged(kTagSample); }

absl::StatusOr<uint64_t> DecodeSampleKey(absl::string_view key) {
  auto rest = Untag(key, kTagSample, "sample");
  if (!rest.ok()) return rest.status();
  uint64_t seq;
  if (!GetFixed64(&*rest, &seq) || !rest->empty()) return Malformed("sample");
  return seq;
}

}  // namespace dibao::keys
