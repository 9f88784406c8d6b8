// Matching-cycle benchmark: a generated province (by default 1,000,000
// beneficiaries in about 460,000 households and about 20 million partner
// facts from all five agencies, most of them about non-beneficiaries)
// through a full cycle, a nightly cycle after a feed touched 1% of the
// households, and a cycle after the agencies moved 1% of the beneficiaries'
// amounts by one yuan (which must resolve and raise no flag). Prints
// households/s, time, peak RSS and what the cycles did to the flags.
//
//   build/bench/cycle_bench                      # generate, then measure
//   build/bench/cycle_bench --data_dir=D --reuse # measure an existing store
//   build/bench/cycle_bench --data_dir=D --generate_only  # then copy D and
//                                                # measure each copy --reuse
//
// The province is loaded the way the server loads it (Registry::Upsert,
// FeedStore uploads), then a fresh process opens the store and runs the
// cycles, so its RSS is the cycle's and not the generator's.
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "base/aes_ctr.h"
#include "base/clock.h"
#include "base/dates.h"
#include "base/resident_id.h"
#include "feeds/feed_store.h"
#include "formats/feed_kinds.h"
#include "matcher/cycle.h"
#include "matcher/flag_store.h"
#include "matcher/policy.h"
#include "registry/registry.h"
#include "services/metrics.h"
#include "storage/encryption.h"
#include "storage/store.h"

ABSL_FLAG(int64_t, beneficiaries, 1'000'000, "beneficiaries in the registry");
ABSL_FLAG(int64_t, population, 8'000'000,
          "people the agencies know (beneficiaries included)");
ABSL_FLAG(std::string, data_dir, "", "store directory (default: a temp dir)");
ABSL_FLAG(bool, reuse, false, "measure the store in --data_dir as it is");
ABSL_FLAG(std::string, policy, "deploy/policy.textproto", "policy file");
ABSL_FLAG(int, block_cache_mb, 64, "RocksDB block cache of the cycle process");
ABSL_FLAG(int, threads, 0, "cycle threads (0: one per core)");
ABSL_FLAG(bool, skip_full, false, "measure only the nightly cycle");
ABSL_FLAG(
    bool, encrypted, false,
    "encrypt the store at rest (a random key in <data_dir>/../bench.key)");
ABSL_FLAG(bool, generate_only, false,
          "generate the province in --data_dir and stop: copies of it can "
          "then be measured with --reuse, each from the same start");
ABSL_FLAG(std::string, phase, "all", "internal: all, or cycle (the child)");

extern char** environ;

namespace dibao {
namespace {

const absl::CivilDay kDay(2026, 11, 1);

// Deterministic per-person draws: basis points (0..9999) of a hash.
uint64_t Mix(uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}
int Bp(int64_t i, int salt) {
  return static_cast<int>(Mix(static_cast<uint64_t>(i) * 131 + salt) % 10000);
}

constexpr int kDistricts = 16;

std::string DistrictOf(int64_t i) {
  return absl::StrFormat("4201%02d", 2 + static_cast<int>(i % kDistricts));
}

void PutDigits(char* out, int64_t value, int width) {
  for (int i = width - 1; i >= 0; --i, value /= 10) {
    out[i] = static_cast<char>('0' + value % 10);
  }
}

// Person i's ID: 16 district codes in turn, a thousand people born on each
// day from 1940 on in each: valid and distinct for any population up to
// about 480 million.
std::string IdOf(int64_t i) {
  char id[18];
  std::memcpy(id, DistrictOf(i).data(), 6);
  const int64_t j = i / kDistricts;
  const absl::CivilDay born = absl::CivilDay(1940, 1, 1) + (j / 1000);
  PutDigits(id + 6, born.year(), 4);
  PutDigits(id + 10, born.month(), 2);
  PutDigits(id + 12, born.day(), 2);
  PutDigits(id + 14, j % 1000, 3);
  id[17] = ResidentIdCheckCharacter(absl::string_view(id, 17));
  return std::string(id, 18);
}

// Beneficiary b is person 8b + (3b mod 8): spread over the ID space as
// they are in life, not clustered.
int64_t PersonOfBeneficiary(int64_t b) { return 8 * b + (3 * b) % 8; }
bool IsBeneficiary(int64_t i, int64_t beneficiaries) {
  const int64_t b = i / 8;
  return b < beneficiaries && i % 8 == (3 * b) % 8;
}

v1::ReportedStatus StatusOf(int64_t i) {
  const int bp = Bp(i, 1);
  if (bp < 500) return v1::REPORTED_STATUS_EMPLOYED;
  if (bp < 1000) return v1::REPORTED_STATUS_LAID_OFF;
  if (bp < 1600) return v1::REPORTED_STATUS_UNEMPLOYED;
  if (bp < 1800) return v1::REPORTED_STATUS_RETIRED;
  if (bp < 4000) return v1::REPORTED_STATUS_STUDENT;
  return v1::REPORTED_STATUS_OTHER;
}

int64_t ReportedIncomeOf(int64_t i) {
  switch (StatusOf(i)) {
    // Low incomes, as on the benefit: per-capita below the 205 yuan
    // standard in nearly every household.
    case v1::REPORTED_STATUS_EMPLOYED:
      return 100 * (120 + Bp(i, 2) % 80);
    case v1::REPORTED_STATUS_RETIRED:
      return 100 * (100 + Bp(i, 2) % 80);
    default:
      return 100 * (Bp(i, 2) % 60);
  }
}

// Households: consecutive beneficiaries, 1-4 members (mean about 2.17).
std::vector<int64_t> HouseholdStarts(int64_t beneficiaries) {
  std::vector<int64_t> starts;
  for (int64_t b = 0; b < beneficiaries;) {
    starts.push_back(b);
    const int bp = Bp(b, 3);
    b += bp < 3000 ? 1 : bp < 6500 ? 2 : bp < 8700 ? 3 : 4;
  }
  return starts;
}

// How many records of `kind` person i has (0 for most), and the k-th.
struct Province {
  int64_t beneficiaries;
  int64_t population;
  // Household district of each beneficiary's household.
  std::vector<uint8_t> district_of_beneficiary;

  bool Ben(int64_t i) const { return IsBeneficiary(i, beneficiaries); }

  int Count(v1::FeedKind kind, int64_t i) const {
    const bool ben = Ben(i);
    const v1::ReportedStatus s = ben ? StatusOf(i) : v1::REPORTED_STATUS_OTHER;
    const int bp = Bp(i, 100 + kind);
    switch (kind) {
      case v1::FEED_KIND_HUKOU:
        return 1;
      case v1::FEED_KIND_EMPLOYMENT:
        if (!ben) return bp < 6500;
        return s == v1::REPORTED_STATUS_EMPLOYED || bp < 100;
      case v1::FEED_KIND_PENSION:
        return ben ? s == v1::REPORTED_STATUS_RETIRED : bp < 2000;
      case v1::FEED_KIND_UNEMPLOYMENT_BENEFIT:
        return ben ? bp < 100 : bp < 400;
      case v1::FEED_KIND_LAID_OFF:
        return ben ? s == v1::REPORTED_STATUS_LAID_OFF : bp < 300;
      case v1::FEED_KIND_TRAINING:
        return bp < 100;
      case v1::FEED_KIND_CONVERSION:
        return bp < 100;
      case v1::FEED_KIND_PROPERTY:
        if (ben) return bp < 10 ? 3 : bp < 300;
        return bp < 3500;
      case v1::FEED_KIND_HARDSHIP:
        return ben ? bp < 30 : bp < 100;
      case v1::FEED_KIND_ASSISTANCE:
        return bp < 100;
      case v1::FEED_KIND_RESIDENCE:
        return ben ? bp < 30 : bp < 500;
      case v1::FEED_KIND_VEHICLE:
        return ben ? bp < 30 : bp < 2200;
      case v1::FEED_KIND_CUSTODY:
        return bp < 50 ? 2 : 0;
      default:
        return 0;
    }
  }

  void Fill(v1::FeedKind kind, int64_t i, int k, v1::FeedRecord* r) const {
    r->set_id_number(IdOf(i));
    r->set_name(absl::StrCat("居民", i));
    const bool ben = Ben(i);
    const int bp = Bp(i, 200 + kind);
    auto day = [](absl::CivilDay d) { return ToProto(d); };
    switch (kind) {
      case v1::FEED_KIND_HUKOU: {
        auto* h = r->mutable_hukou();
        h->set_sex((i / kDistricts) % 2 == 1 ? v1::SEX_MALE : v1::SEX_FEMALE);
        const std::string& id = r->id_number();
        h->mutable_birth_date()->set_year(std::stoi(id.substr(6, 4)));
        h->mutable_birth_date()->set_month(std::stoi(id.substr(10, 2)));
        h->mutable_birth_date()->set_day(std::stoi(id.substr(12, 2)));
        h->set_address_code(
            ben ? absl::StrFormat("4201%02d",
                                  2 + district_of_beneficiary[i / 8])
                : DistrictOf(i));
        h->set_status(v1::HUKOU_STATUS_NORMAL);
        if (ben && bp < 20) {
          h->set_status(v1::HUKOU_STATUS_DECEASED);
          *h->mutable_status_date() = day(kDay - 30 - bp);
        } else if (ben && bp < 50) {
          h->set_status(v1::HUKOU_STATUS_MOVED_OUT);
          *h->mutable_status_date() = day(kDay - 60 - bp);
        }
        break;
      }
      case v1::FEED_KIND_EMPLOYMENT: {
        auto* e = r->mutable_employment();
        e->set_employer_code(absl::StrFormat("914201%012d", bp % 5000));
        e->set_employer_name(absl::StrCat("企业", bp % 5000));
        *e->mutable_start_date() = day(kDay - 30 - bp % 3000);
        int64_t wage = 100 * (1800 + bp % 6000);
        if (ben && StatusOf(i) == v1::REPORTED_STATUS_EMPLOYED) {
          // Declared: the wage reported, except one in ten.
          wage = ReportedIncomeOf(i) + (bp < 1000 ? 60000 : 0);
        }
        e->set_monthly_wage_fen(wage);
        if (bp % 10 == 0) *e->mutable_end_date() = day(kDay - 10 - bp % 20);
        break;
      }
      case v1::FEED_KIND_PENSION: {
        auto* p = r->mutable_pension();
        *p->mutable_start_date() = day(kDay - 400 - bp);
        p->set_monthly_amount_fen(ben ? ReportedIncomeOf(i) +
                                            (bp < 500 ? 40000 : 0)
                                      : 100 * (1500 + bp % 3000));
        break;
      }
      case v1::FEED_KIND_UNEMPLOYMENT_BENEFIT: {
        auto* u = r->mutable_unemployment_benefit();
        const absl::CivilMonth start = absl::CivilMonth(kDay) - bp % 30;
        u->mutable_start_month()->set_year(static_cast<int>(start.year()));
        u->mutable_start_month()->set_month(start.month());
        const absl::CivilMonth end = start + 23;
        u->mutable_end_month()->set_year(static_cast<int>(end.year()));
        u->mutable_end_month()->set_month(end.month());
        u->set_monthly_amount_fen(100 * (1100 + bp % 500));
        break;
      }
      case v1::FEED_KIND_LAID_OFF: {
        auto* l = r->mutable_laid_off();
        l->set_former_employer_code(absl::StrFormat("914201%012d", bp % 3000));
        *l->mutable_laid_off_date() = day(kDay - 100 - bp % 3000);
        break;
      }
      case v1::FEED_KIND_TRAINING: {
        auto* t = r->mutable_training();
        *t->mutable_offered_date() = day(kDay - 5 - bp % 300);
        t->set_outcome(bp % 3 == 0   ? v1::TRAINING_OUTCOME_REFUSED
                       : bp % 3 == 1 ? v1::TRAINING_OUTCOME_ATTENDED
                                     : v1::TRAINING_OUTCOME_NO_SHOW);
        break;
      }
      case v1::FEED_KIND_CONVERSION: {
        auto* c = r->mutable_conversion();
        *c->mutable_conversion_date() = day(kDay - 100 - bp % 3000);
        *c->mutable_paid_date() = day(kDay - 50 - bp % 3000);
        c->set_compensation_fen(100 * 1000 * (40 + bp % 150));
        break;
      }
      case v1::FEED_KIND_PROPERTY: {
        auto* p = r->mutable_property();
        p->set_property_id(absl::StrCat("P", i, "-", k));
        p->set_area_m2(30 + bp % 90);
        *p->mutable_acquired_date() = day(kDay - 100 - bp % 8000);
        break;
      }
      case v1::FEED_KIND_HARDSHIP: {
        auto* h = r->mutable_hardship();
        h->set_employer_code(absl::StrFormat("914201%012d", bp % 5000));
        *h->mutable_registered_date() = day(kDay - 10 - bp % 700);
        h->set_status(bp % 4 == 0 ? v1::HARDSHIP_STATUS_CLOSED
                                  : v1::HARDSHIP_STATUS_ACTIVE);
        break;
      }
      case v1::FEED_KIND_ASSISTANCE: {
        auto* a = r->mutable_assistance();
        *a->mutable_paid_date() = day(kDay - 1 - bp % 200);
        a->set_amount_fen(100 * 100 * (3 + bp % 20));
        break;
      }
      case v1::FEED_KIND_RESIDENCE: {
        auto* s = r->mutable_residence();
        s->set_residence_address(absl::StrCat("某区某街道", bp % 900, "号"));
        *s->mutable_since_date() = day(kDay - 10 - bp % 2000);
        break;
      }
      case v1::FEED_KIND_VEHICLE: {
        auto* v = r->mutable_vehicle();
        v->set_plate(absl::StrFormat("鄂A%07d", i % 10000000));
        v->set_vehicle_type(bp % 10 == 0 ? "残疾人专用机动轮椅车" : "小型轿车");
        *v->mutable_registered_date() = day(kDay - 30 - bp % 3000);
        v->set_value_fen(100 * 1000 * (5 + bp % 200));
        if (bp % 7 == 0) *v->mutable_deregistered_date() = day(kDay - 5);
        break;
      }
      case v1::FEED_KIND_CUSTODY: {
        auto* c = r->mutable_custody();
        const absl::CivilDay in = kDay - 50 - bp % 1000;
        c->set_event(k == 0 ? v1::CUSTODY_EVENT_INCARCERATED
                            : v1::CUSTODY_EVENT_RELEASED);
        *c->mutable_event_date() = day(k == 0 ? in : in + 30 + bp % 600);
        c->set_institution("某监狱");
        break;
      }
      default:
        break;
    }
  }
};

double RssMiB() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::stod(line.substr(6)) / 1024;
  }
  return -1;
}

// CPU seconds this process has used, all threads (RocksDB's own included).
double CpuSeconds() {
  rusage u;
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

void Check(const absl::Status& s, absl::string_view what) {
  if (!s.ok()) {
    std::cerr << what << ": " << s << "\n";
    std::exit(1);
  }
}

int64_t Push(FeedStore& feeds, const Province& p, v1::FeedKind kind,
             const std::vector<int64_t>& persons, absl::CivilDay as_of,
             v1::BatchMode mode, const std::string& batch_id) {
  int64_t count = 0;
  for (int64_t i : persons) count += p.Count(kind, i);
  v1::BatchHeader h;
  const FeedKindSpec* spec = FindFeedKind(kind);
  h.set_agency(spec->agency);
  h.set_kind(kind);
  h.set_batch_id(batch_id);
  *h.mutable_as_of() = ToProto(as_of);
  h.set_mode(mode);
  h.set_record_count(count);
  auto upload = feeds.Begin(h, "bench");
  Check(upload.status(), "begin");
  std::unique_ptr<FeedChunk> chunk;
  auto flush = [&] {
    if (chunk) Check((*upload)->AddChunk(std::move(chunk)), "add");
    chunk.reset();
  };
  for (int64_t i : persons) {
    for (int k = 0, n = p.Count(kind, i); k < n; ++k) {
      if (!chunk) chunk = (*upload)->NewChunk();
      p.Fill(kind, i, k, chunk->message()->mutable_records()->add_records());
      if (chunk->message()->records().records_size() == 1000) flush();
    }
  }
  flush();
  auto receipt = (*upload)->Commit();
  Check(receipt.status(), "commit");
  if (receipt->rejected() > 0) {
    std::cerr << batch_id << ": " << receipt->rejected() << " rejected, e.g. "
              << receipt->rejections(0).field() << ": "
              << receipt->rejections(0).reason() << "\n";
  }
  return receipt->accepted() + receipt->unchanged();
}

// With --encrypted: the store's key, made once beside the data directory
// (the cycle's child process opens the same store).
std::string BenchKey(const std::string& dir) {
  if (!absl::GetFlag(FLAGS_encrypted)) return "";
  const std::string path = dir + "/bench.key";
  if (!std::filesystem::exists(path)) {
    auto key = AesCtr::RandomBytes(AesCtr::kKeyBytes);
    Check(key.status(), "key");
    std::ofstream(path) << absl::BytesToHexString(*key) << "\n";
    std::filesystem::permissions(path, std::filesystem::perms::owner_read |
                                           std::filesystem::perms::owner_write);
  }
  auto key = ReadEncryptionKey(path, dir + "/data");
  Check(key.status(), "key file");
  return *key;
}

StoreOptions BenchStoreOptions(const std::string& dir, int block_cache_mb) {
  StoreOptions so;
  so.sync_writes = false;  // a benchmark, not a durability test
  so.block_cache_mb = block_cache_mb;
  so.encryption_key = BenchKey(dir);
  return so;
}

Province MakeProvince(int64_t beneficiaries, int64_t population,
                      const std::vector<int64_t>& starts) {
  Province p{beneficiaries, population, {}};
  p.district_of_beneficiary.resize(beneficiaries);
  for (size_t h = 0; h < starts.size(); ++h) {
    const int64_t end = h + 1 < starts.size() ? starts[h + 1] : beneficiaries;
    const auto d =
        static_cast<uint8_t>(PersonOfBeneficiary(starts[h]) % kDistricts);
    for (int64_t b = starts[h]; b < end; ++b) p.district_of_beneficiary[b] = d;
  }
  return p;
}

void Generate(const std::string& dir, int64_t beneficiaries,
              int64_t population) {
  const absl::Time t0 = absl::Now();
  auto store = Store::Open(dir + "/data", BenchStoreOptions(dir, 64));
  Check(store.status(), "open");
  FakeClock clock(absl::FromCivil(absl::CivilSecond(2026, 11, 1, 2, 0, 0),
                                  BureauTimeZone()));
  Registry registry(store->get(), &clock);
  const std::vector<int64_t> starts = HouseholdStarts(beneficiaries);
  const Province p = MakeProvince(beneficiaries, population, starts);
  int64_t members = 0;
  for (size_t h = 0; h < starts.size(); ++h) {
    const int64_t end = h + 1 < starts.size() ? starts[h + 1] : beneficiaries;
    v1::Household hh;
    const int64_t head = PersonOfBeneficiary(starts[h]);
    hh.set_household_id(absl::StrFormat("%s-%07d", DistrictOf(head), h));
    hh.set_district_code(DistrictOf(head));
    hh.set_street(absl::StrCat("街道", h % 20));
    hh.set_community(absl::StrCat("社区", h % 200));
    hh.set_registered_address(absl::StrCat("某路", h, "号"));
    hh.set_status(v1::HOUSEHOLD_STATUS_ACTIVE);
    int64_t income = 0;
    for (int64_t b = starts[h]; b < end; ++b) {
      const int64_t i = PersonOfBeneficiary(b);
      v1::Member* m = hh.add_members();
      m->set_id_number(IdOf(i));
      m->set_name(absl::StrCat("居民", i));
      m->set_relation(b == starts[h] ? "户主" : "家属");
      m->set_reported_status(StatusOf(i));
      m->set_reported_monthly_income_fen(ReportedIncomeOf(i));
      income += ReportedIncomeOf(i);
      ++members;
    }
    const int64_t n = end - starts[h];
    hh.set_monthly_benefit_fen(
        std::max<int64_t>(1000 * n, (20500 - income / n) * n));
    *hh.mutable_benefit_start_date() = ToProto(kDay - 365);
    Check(registry.Upsert(hh, {"bench", "bench"}).status(), "upsert");
  }
  const absl::Time t1 = absl::Now();
  std::cout << absl::StrFormat(
      "registry: %d households, %d members in %.1f s\n", starts.size(), members,
      absl::ToDoubleSeconds(t1 - t0));
  FeedStoreOptions fo;
  fo.scratch_dir = dir + "/scratch";
  auto feeds = FeedStore::Create(store->get(), &clock, fo);
  Check(feeds.status(), "feeds");
  std::vector<int64_t> everyone(population);
  for (int64_t i = 0; i < population; ++i) everyone[i] = i;
  int64_t facts = 0;
  for (const FeedKindSpec& spec : AllFeedKinds()) {
    const absl::Time k0 = absl::Now();
    const int64_t n =
        Push(**feeds, p, spec.kind, everyone, kDay, v1::BATCH_MODE_SNAPSHOT,
             absl::StrCat("BENCH-", spec.name, "-20261101"));
    facts += n;
    std::cout << absl::StrFormat("  %-22s %9d facts in %.1f s\n", spec.name, n,
                                 absl::ToDoubleSeconds(absl::Now() - k0))
              << std::flush;
  }
  std::cout << absl::StrFormat(
      "feeds: %d partner facts about %d people in %.1f s\n", facts, population,
      absl::ToDoubleSeconds(absl::Now() - t1));
  // What RocksDB does in the background over the rest of the night, done
  // now so that the measurement does not share the cores with it.
  const absl::Time c0 = absl::Now();
  Check((*store)->CompactAll(), "compact");
  std::cout << absl::StrFormat("compaction: %.1f s\n",
                               absl::ToDoubleSeconds(absl::Now() - c0));
  Check((*store)->Close(), "close");
}

// The measured part, in its own process.
int Measure(const std::string& dir, int64_t beneficiaries, int64_t population) {
  auto policy = LoadPolicy(absl::GetFlag(FLAGS_policy));
  Check(policy.status(), "policy");
  auto shared = std::make_shared<const v1::Policy>(*policy);
  auto store =
      Store::Open(dir + "/data",
                  BenchStoreOptions(dir, absl::GetFlag(FLAGS_block_cache_mb)));
  Check(store.status(), "open");
  FakeClock clock(absl::FromCivil(absl::CivilSecond(2026, 11, 2, 2, 0, 0),
                                  BureauTimeZone()));
  SystemClock wall;
  FlagStore flags(store->get());
  CycleOptions co;
  co.threads = absl::GetFlag(FLAGS_threads);
  CycleRunner runner(store->get(), &flags, &wall, shared, co);

  double cpu = CpuSeconds();
  auto report_line = [&cpu](absl::string_view what, const v1::CycleReport& r,
                            absl::Duration d) {
    int64_t fresh = 0, open = 0, resolved = 0, updated = 0, reopened = 0;
    for (const auto& c : r.rules()) {
      fresh += c.new_flags();
      open += c.still_open();
      resolved += c.auto_resolved();
      updated += c.updated();
      reopened += c.reopened();
    }
    std::cout << absl::StrFormat(
        "%-24s %8d households in %6.2f s = %9.0f households/s; flags new %d, "
        "still open %d (updated in place %d), auto-resolved %d, reopened %d; "
        "CPU %.1f s; peak RSS %.0f MiB\n",
        what, r.households_assessed(), absl::ToDoubleSeconds(d),
        r.households_assessed() / absl::ToDoubleSeconds(d), fresh, open,
        updated, resolved, reopened, CpuSeconds() - cpu, RssMiB());
  };

  absl::Time t = absl::Now();
  cpu = CpuSeconds();
  if (!absl::GetFlag(FLAGS_skip_full)) {
    auto full = runner.Run(kDay, /*full=*/true, "bench");
    Check(full.status(), "full cycle");
    report_line("full cycle", *full, absl::Now() - t);
    for (const auto& c : full->rules()) {
      std::cout << absl::StrFormat("    %-32s %8d new flags\n", c.rule(),
                                   c.new_flags());
    }

    t = absl::Now();
    cpu = CpuSeconds();
    auto again = runner.Run(kDay, /*full=*/true, "bench");
    Check(again.status(), "second full cycle");
    report_line("full cycle, again", *again, absl::Now() - t);
  }

  // The next night: the labour bureau reports new jobs for one member of
  // 1% of the households.
  const std::vector<int64_t> starts = HouseholdStarts(beneficiaries);
  const Province p = MakeProvince(beneficiaries, population, starts);
  std::vector<int64_t> touched;
  for (size_t h = 0; h < starts.size(); h += 100) {
    touched.push_back(PersonOfBeneficiary(starts[h]));
  }
  FeedStoreOptions fo;
  fo.scratch_dir = dir + "/scratch";
  auto feeds = FeedStore::Create(store->get(), &clock, fo);
  Check(feeds.status(), "feeds");
  int64_t pushed = 0;
  {
    v1::BatchHeader h;
    h.set_agency(v1::AGENCY_LABOUR);
    h.set_kind(v1::FEED_KIND_EMPLOYMENT);
    h.set_batch_id(
        absl::StrCat("BENCH-NIGHT-", absl::ToUnixSeconds(absl::Now())));
    *h.mutable_as_of() = ToProto(kDay + 1);
    h.set_mode(v1::BATCH_MODE_DELTA);
    h.set_record_count(static_cast<int64_t>(touched.size()));
    auto upload = (*feeds)->Begin(h, "bench");
    Check(upload.status(), "begin");
    for (int64_t i : touched) {
      v1::FeedRecord r;
      r.set_id_number(IdOf(i));
      r.set_name(absl::StrCat("居民", i));
      auto* e = r.mutable_employment();
      e->set_employer_code("914201000000009999");
      e->set_employer_name("新企业");
      *e->mutable_start_date() = ToProto(kDay - 3);
      // A new wage each run, so that a re-run on the same store changes
      // the facts again.
      e->set_monthly_wage_fen(280000 +
                              100 * (absl::ToUnixSeconds(absl::Now()) % 997));
      Check((*upload)->Add(r), "add");
    }
    auto receipt = (*upload)->Commit();
    Check(receipt.status(), "commit");
    pushed = receipt->accepted();
  }
  t = absl::Now();
  cpu = CpuSeconds();
  auto nightly = runner.Run(kDay + 1, /*full=*/false, "bench");
  Check(nightly.status(), "nightly cycle");
  report_line(absl::StrCat("nightly (", pushed, " new jobs)"), *nightly,
              absl::Now() - t);

  // Then the agencies correct 1% of the beneficiaries' wages, pensions and
  // benefits by one yuan, and the cycle runs again for the same day, so
  // that only the amounts differ (a later day would also end conflicts by
  // date, which the wake index handles). A flag is the conflict, not its
  // numbers: none may resolve or be raised for that (by rule below); the
  // open ones are updated in place.
  int64_t moved = 0;
  for (const v1::FeedKind kind :
       {v1::FEED_KIND_EMPLOYMENT, v1::FEED_KIND_PENSION,
        v1::FEED_KIND_UNEMPLOYMENT_BENEFIT}) {
    std::vector<v1::FeedRecord> records;
    for (int64_t b = 37; b < beneficiaries; b += 100) {
      const int64_t i = PersonOfBeneficiary(b);
      for (int k = 0, n = p.Count(kind, i); k < n; ++k) {
        v1::FeedRecord& r = records.emplace_back();
        p.Fill(kind, i, k, &r);
        if (r.has_employment()) {
          r.mutable_employment()->set_monthly_wage_fen(
              r.employment().monthly_wage_fen() + 100);
        } else if (r.has_pension()) {
          r.mutable_pension()->set_monthly_amount_fen(
              r.pension().monthly_amount_fen() + 100);
        } else {
          r.mutable_unemployment_benefit()->set_monthly_amount_fen(
              r.unemployment_benefit().monthly_amount_fen() + 100);
        }
      }
    }
    if (records.empty()) continue;
    v1::BatchHeader h;
    const FeedKindSpec* spec = FindFeedKind(kind);
    h.set_agency(spec->agency);
    h.set_kind(kind);
    h.set_batch_id(absl::StrCat("BENCH-AMOUNTS-", spec->name, "-",
                                absl::ToUnixSeconds(absl::Now())));
    *h.mutable_as_of() = ToProto(kDay + 1);
    h.set_mode(v1::BATCH_MODE_DELTA);
    h.set_record_count(static_cast<int64_t>(records.size()));
    auto upload = (*feeds)->Begin(h, "bench");
    Check(upload.status(), "begin");
    for (v1::FeedRecord& r : records) Check((*upload)->Add(r), "add");
    auto receipt = (*upload)->Commit();
    Check(receipt.status(), "commit");
    moved += receipt->accepted();
  }
  t = absl::Now();
  cpu = CpuSeconds();
  auto amounts = runner.Run(kDay + 1, /*full=*/false, "bench");
  Check(amounts.status(), "amounts cycle");
  report_line(absl::StrCat("amounts (", moved, " facts +1 yuan)"), *amounts,
              absl::Now() - t);
  for (const auto& c : amounts->rules()) {
    if (c.new_flags() + c.auto_resolved() + c.reopened() + c.updated() == 0) {
      continue;
    }
    std::cout << absl::StrFormat(
        "    %-32s new %d, auto-resolved %d, reopened %d, updated %d\n",
        c.rule(), c.new_flags(), c.auto_resolved(), c.reopened(), c.updated());
  }
  // What the server's metrics cost on this store: the start (last batches
  // and cycle read from the store), a recount of every flag (the watch
  // thread's, every minute and after each cycle), and a scrape.
  {
    t = absl::Now();
    MetricsOptions mo;
    mo.flag_count_interval = absl::Hours(24);
    mo.audit_verify_interval = absl::ZeroDuration();
    auto metrics =
        ServerMetrics::Start(mo, MetricsSources{.store = store->get(),
                                                .flags = &flags,
                                                .feeds = feeds->get(),
                                                .cycles = &runner,
                                                .clock = &wall});
    Check(metrics.status(), "metrics");
    const absl::Duration start = absl::Now() - t;
    t = absl::Now();
    (*metrics)->CountFlags();
    const absl::Duration count = absl::Now() - t;
    absl::Duration scrape = absl::InfiniteDuration();
    size_t bytes = 0;
    for (int i = 0; i < 5; ++i) {
      t = absl::Now();
      bytes = (*metrics)->Scrape().size();
      scrape = std::min(scrape, absl::Now() - t);
    }
    std::cout << absl::StrFormat(
        "metrics: start %.1f ms, flag recount %.0f ms, scrape %.2f ms "
        "(%d bytes)\n",
        absl::ToDoubleMilliseconds(start), absl::ToDoubleMilliseconds(count),
        absl::ToDoubleMilliseconds(scrape), bytes);
  }
  Check((*store)->Close(), "close");
  return 0;
}

}  // namespace
}  // namespace dibao

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  const int64_t beneficiaries = absl::GetFlag(FLAGS_beneficiaries);
  const int64_t population =
      std::max(absl::GetFlag(FLAGS_population), 8 * beneficiaries);
  std::string dir = absl::GetFlag(FLAGS_data_dir);
  if (absl::GetFlag(FLAGS_phase) == "cycle") {
    return dibao::Measure(dir, beneficiaries, population);
  }
  if (dir.empty()) {
    dir = absl::StrCat(std::filesystem::temp_directory_path().string(),
                       "/dibao-cycle-bench-", getpid());
  }
  if (!absl::GetFlag(FLAGS_reuse)) {
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    std::cout << "generating a province of " << beneficiaries
              << " beneficiaries among " << population << " people in " << dir
              << "\n";
    dibao::Generate(dir, beneficiaries, population);
    if (absl::GetFlag(FLAGS_generate_only)) return 0;
  }
  // Measure in a fresh process: its peak RSS is the cycle's own.
  std::vector<std::string> args = {
      argv[0],
      "--phase=cycle",
      "--data_dir=" + dir,
      absl::StrCat("--beneficiaries=", beneficiaries),
      absl::StrCat("--population=", population),
      "--policy=" + absl::GetFlag(FLAGS_policy),
      absl::StrCat("--block_cache_mb=", absl::GetFlag(FLAGS_block_cache_mb)),
      absl::StrCat("--threads=", absl::GetFlag(FLAGS_threads)),
      absl::StrCat("--skip_full=", absl::GetFlag(FLAGS_skip_full)),
      absl::StrCat("--encrypted=", absl::GetFlag(FLAGS_encrypted))};
  std::vector<char*> argp;
  for (auto& a : args) argp.push_back(a.data());
  argp.push_back(nullptr);
  pid_t pid;
  if (posix_spawn(&pid, argv[0], nullptr, nullptr, argp.data(), environ) != 0) {
    std::cerr << "cannot start the measuring process\n";
    return 1;
  }
  int status = 0;
  waitpid(pid, &status, 0);
  if (absl::GetFlag(FLAGS_data_dir).empty()) std::filesystem::remove_all(dir);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
