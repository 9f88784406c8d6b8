#include "sample/sample_district.h"

#include <algorithm>
#include <cstdint>
#include <iterator>
#include <random>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/civil_time.h"
#include "base/dates.h"
#include "base/resident_id.h"
#include "base/status_macros.h"
#include "dibao/v1/common.pb.h"
#include "dibao/v1/registry.pb.h"
#include "sample/names.h"
#include "sample/rng.h"

namespace dibao {
namespace {

namespace names = sample_internal;
using sample_internal::Rng;

// ---------------------------------------------------------------------------
// The report's figures. Every count below is reproduced exactly.

constexpr int kHouseholds = 465;
constexpr int kPersons = 1013;

struct BySex {
  int male;
  int female;
};

// Table 2: age bands on `as_of`.
constexpr BySex kChildren{127, 128};
constexpr BySex kWorkingAge{284, 302};
constexpr BySex kElderly{82, 90};

// Table 1: reported identity.
constexpr int kEmployed = 55;
constexpr int kLaidOff = 47;
constexpr int kUnemployed = 56;
constexpr int kRetired = 22;
constexpr int kCivilAffairs = 64;
constexpr int kStudents = 223;
constexpr int kOther = 546;

constexpr BySex kDisabled{46, 23};

// How Table 1 splits over the age bands. The report does not say; these are
// our plausible choices. Students of working age are 18-22 (college or
// vocational school). Civil-affairs targets are elderly or, below that age,
// mostly disabled.
constexpr int kStudentsOfWorkingAge = 23;
constexpr int kCivilAffairsElderly = 34;

// Ages.
constexpr int kAdultAge = 18;
constexpr int kMaxAge = 95;
// Birthdays keep this far from `as_of`, so nobody changes age (and so band)
// within 40 days either side of it.
constexpr int kBirthdayMarginDays = 40;

// Share of households whose registered and actual addresses differ (人户分离,
// common after demolition), and of households with a seriously ill member.
constexpr int kSeparatedPercent = 5;
constexpr int kSeriouslyIllPercent = 3;

// Share of IDs issued elsewhere in the province (people who moved in).
constexpr int kLocalIdPercent = 88;

// Per-capita income stays at least this far below the standard: these
// households are clearly eligible, not borderline.
constexpr int64_t kMinTopUpFen = 1000;

// ---------------------------------------------------------------------------
// Monthly incomes, in whole yuan, as households report them.
//
// Calibrated to the report's outlay: 451,893 yuan in a half-year is about
// 75,300 yuan a month, an average top-up of 74 yuan a person, so the average
// per-capita income is about 131 of the 205 yuan standard. With a quarter of
// the people children and another third students, unemployed or
// civil-affairs targets with no income, the adults of "other" identity must
// earn: the working-age ones mostly do odd jobs (打零工, 灵活就业) and the
// elderly ones mostly get support from children living elsewhere (赡养费).
// Were they mostly without income, the outlay would be more than twice the
// report's. Over seeds 1-20 these values give 7.19-7.87 million fen a month
// against the report's 7.53 million.

struct YuanRange {
  int lo;
  int hi;
};
// The report's "300 yuan a month" job, up to twice that.
constexpr YuanRange kEmployedIncome{300, 600};
// Laid-off workers' basic living allowance (下岗基本生活费), often unpaid.
constexpr YuanRange kLaidOffIncome{0, 150};
// A small enterprise pension.
constexpr YuanRange kPensionIncome{80, 180};
// Working-age "other": odd jobs. The rest are housewives and the like.
constexpr int kOddJobPercent = 90;
constexpr YuanRange kOddJobIncome{220, 450};
// Elderly "other": support from children elsewhere.
constexpr int kFamilySupportPercent = 88;
constexpr YuanRange kFamilySupportIncome{160, 300};
// Disabled members of "other" identity rarely earn anything.
constexpr int kDisabledEarnerPercent = 20;

// ---------------------------------------------------------------------------
// The model: people with roles in households of a few kinds.

enum class Band { kChild, kWorking, kElderly };

// First age above working age (the report's bands differ by sex).
int RetirementAge(Sex sex) { return sex == Sex::kMale ? 60 : 55; }

Band BandOf(int age, Sex sex) {
  if (age < kAdultAge) return Band::kChild;
  if (age < RetirementAge(sex)) return Band::kWorking;
  return Band::kElderly;
}

enum class Kind {
  kElderlySingle,
  kElderlyCouple,
  kElderlyWithAdultChild,  // often a disabled or jobless son or daughter
  kGrandparents,           // grandparents raising grandchildren (隔代家庭)
  kSingleAdult,
  kSiblings,
  kCouple,  // working-age couple whose children have left
  kSingleParent,
  kCoupleWithChildren,
  kThreeGenerations,  // a couple, their children and one elderly parent
};

// The household mix. Together the fixed members use exactly the 172 elderly
// and leave 80 working-age places for grown children still at home; the
// children's places are spread over the families at random.
struct KindCount {
  Kind kind;
  int households;
};
constexpr KindCount kHouseholdMix[] = {
    {Kind::kElderlySingle, 70},
    {Kind::kElderlyCouple, 25},
    {Kind::kElderlyWithAdultChild, 20},
    {Kind::kGrandparents, 12},
    {Kind::kSingleAdult, 110},
    {Kind::kSiblings, 5},
    {Kind::kCouple, 20},
    {Kind::kSingleParent, 80},
    {Kind::kCoupleWithChildren, 109},
    {Kind::kThreeGenerations, 14},
};

bool RaisesChildren(Kind kind) {
  return kind == Kind::kSingleParent || kind == Kind::kCoupleWithChildren ||
         kind == Kind::kThreeGenerations;
}

// Most children a family of this kind holds (households stay within 6).
int MaxChildren(Kind kind) { return kind == Kind::kCoupleWithChildren ? 4 : 3; }

enum class Role { kHead, kSpouse, kChild, kGrandchild, kParent, kOther };

std::string_view RelationName(Role role) {
  switch (role) {
    case Role::kHead:
      return "户主";
    case Role::kSpouse:
      return "配偶";
    case Role::kChild:
      return "子女";
    case Role::kGrandchild:
      return "孙子女";
    case Role::kParent:
      return "父母";
    case Role::kOther:
      return "其他";
  }
  return "其他";
}

struct Person {
  Kind kind = Kind::kSingleAdult;  // of the household, for quick rules
  Role role = Role::kHead;
  Band band = Band::kWorking;
  Sex sex = Sex::kFemale;
  bool sex_fixed = false;  // spouses: the husband is male, the wife female
  v1::ReportedStatus status = v1::REPORTED_STATUS_UNSPECIFIED;
  bool disabled = false;
  bool able_to_work = false;
  int age = 0;
  absl::CivilDay birth_date;
  std::string id_number;
  std::string name;
  int64_t income_fen = 0;
};

struct Home {
  Kind kind = Kind::kSingleAdult;
  std::vector<int> members;  // indices into District::people; [0] is head
  std::string street;
  std::string community;
  std::string registered_address;
  std::string residence_address;
  bool seriously_ill = false;
};

struct District {
  std::vector<Person> people;
  std::vector<Home> homes;
};

bool IsYoungAdultChild(const Person& p) {
  return RaisesChildren(p.kind) && p.role == Role::kChild &&
         p.band == Band::kWorking;
}

bool IsParentOfChildren(const Person& p) {
  return RaisesChildren(p.kind) &&
         (p.role == Role::kHead || p.role == Role::kSpouse);
}

bool IsAlone(const Person& p) {
  return p.kind == Kind::kElderlySingle || p.kind == Kind::kSingleAdult;
}

// ---------------------------------------------------------------------------
// Step 1: households and the places in them (role and age band).

int AddPerson(District& d, int home, Role role, Band band) {
  Person p;
  p.kind = d.homes[home].kind;
  p.role = role;
  p.band = band;
  d.people.push_back(std::move(p));
  const int index = static_cast<int>(d.people.size()) - 1;
  d.homes[home].members.push_back(index);
  return index;
}

// A husband as head and his wife, in the same age band.
void AddCouple(District& d, int home, Band band) {
  Person& husband = d.people[AddPerson(d, home, Role::kHead, band)];
  husband.sex = Sex::kMale;
  husband.sex_fixed = true;
  Person& wife = d.people[AddPerson(d, home, Role::kSpouse, band)];
  wife.sex = Sex::kFemale;
  wife.sex_fixed = true;
}

int CountBand(const District& d, Band band) {
  return static_cast<int>(
      std::count_if(d.people.begin(), d.people.end(),
                    [band](const Person& p) { return p.band == band; }));
}

absl::Status PlanHouseholds(Rng& rng, District& d) {
  for (const KindCount& kc : kHouseholdMix) {
    for (int i = 0; i < kc.households; ++i) {
      Home home;
      home.kind = kc.kind;
      d.homes.push_back(std::move(home));
      const int h = static_cast<int>(d.homes.size()) - 1;
      switch (kc.kind) {
        case Kind::kElderlySingle:
          AddPerson(d, h, Role::kHead, Band::kElderly);
          break;
        case Kind::kElderlyCouple:
          AddCouple(d, h, Band::kElderly);
          break;
        case Kind::kElderlyWithAdultChild:
          AddPerson(d, h, Role::kHead, Band::kElderly);
          AddPerson(d, h, Role::kChild, Band::kWorking);
          break;
        case Kind::kGrandparents: {
          // Half are a widowed grandparent, half a couple.
          if (i < kc.households / 2) {
            AddPerson(d, h, Role::kHead, Band::kElderly);
          } else {
            AddCouple(d, h, Band::kElderly);
          }
          const int grandchildren = rng.Uniform(1, 2);
          for (int g = 0; g < grandchildren; ++g) {
            AddPerson(d, h, Role::kGrandchild, Band::kChild);
          }
          break;
        }
        case Kind::kSingleAdult:
          AddPerson(d, h, Role::kHead, Band::kWorking);
          break;
        case Kind::kSiblings:
          AddPerson(d, h, Role::kHead, Band::kWorking);
          AddPerson(d, h, Role::kOther, Band::kWorking);
          break;
        case Kind::kCouple:
        case Kind::kCoupleWithChildren:
          AddCouple(d, h, Band::kWorking);
          break;
        case Kind::kSingleParent:
          AddPerson(d, h, Role::kHead, Band::kWorking);
          break;
        case Kind::kThreeGenerations:
          AddCouple(d, h, Band::kWorking);
          AddPerson(d, h, Role::kParent, Band::kElderly);
          break;
      }
    }
  }
  if (static_cast<int>(d.homes.size()) != kHouseholds) {
    return absl::InternalError(
        absl::StrCat("household mix has ", d.homes.size(), " households"));
  }
  if (CountBand(d, Band::kElderly) != kElderly.male + kElderly.female) {
    return absl::InternalError(absl::StrCat("household mix places ",
                                            CountBand(d, Band::kElderly),
                                            " elderly people"));
  }

  // Whatever children and working-age people are left live as children in
  // the families: every family gets one, the rest go one by one to random
  // families with room.
  const int young_children =
      kChildren.male + kChildren.female - CountBand(d, Band::kChild);
  const int grown_children =
      kWorkingAge.male + kWorkingAge.female - CountBand(d, Band::kWorking);
  std::vector<int> families;
  int room = 0;
  for (int h = 0; h < kHouseholds; ++h) {
    if (RaisesChildren(d.homes[h].kind)) {
      families.push_back(h);
      room += MaxChildren(d.homes[h].kind);
    }
  }
  const int places = young_children + grown_children;
  if (young_children < 0 || grown_children < 0 ||
      places < static_cast<int>(families.size()) || places > room) {
    return absl::InternalError(absl::StrCat(
        "household mix leaves ", young_children, " children and ",
        grown_children, " grown children for ", families.size(), " families"));
  }
  std::vector<int> children(families.size(), 1);
  for (int extra = places - static_cast<int>(families.size()); extra > 0;) {
    const int f = static_cast<int>(rng.Below(families.size()));
    if (children[f] < MaxChildren(d.homes[families[f]].kind)) {
      ++children[f];
      --extra;
    }
  }
  std::vector<int> child_places;
  for (size_t f = 0; f < families.size(); ++f) {
    for (int c = 0; c < children[f]; ++c) {
      child_places.push_back(
          AddPerson(d, families[f], Role::kChild, Band::kChild));
    }
  }
  for (int i : rng.Distinct(places, grown_children)) {
    d.people[child_places[i]].band = Band::kWorking;
  }
  if (static_cast<int>(d.people.size()) != kPersons) {
    return absl::InternalError(
        absl::StrCat("household mix places ", d.people.size(), " people"));
  }
  return absl::OkStatus();
}

// ---------------------------------------------------------------------------
// Steps 2-4: sex, reported identity and disability, drawn to the exact
// counts, with weights that put each where it is plausible.

// Draws `count` distinct people, each draw proportional to `weight(person)`;
// people of weight 0 are never drawn.
template <typename WeightFn>
absl::StatusOr<std::vector<int>> DrawPeople(Rng& rng,
                                            const std::vector<Person>& people,
                                            int count, WeightFn weight,
                                            std::string_view what) {
  std::vector<int64_t> weights(people.size());
  int64_t total = 0;
  for (size_t i = 0; i < people.size(); ++i) {
    weights[i] = weight(people[i]);
    total += weights[i];
  }
  std::vector<int> drawn;
  for (int k = 0; k < count; ++k) {
    if (total <= 0) {
      return absl::InternalError(
          absl::StrCat("sample plan: only ", k, " candidates for ",
                       std::string(what), ", need ", count));
    }
    int64_t r = static_cast<int64_t>(rng.Below(static_cast<uint64_t>(total)));
    size_t j = 0;
    while (r >= weights[j]) r -= weights[j++];
    drawn.push_back(static_cast<int>(j));
    total -= weights[j];
    weights[j] = 0;
  }
  return drawn;
}

absl::Status AssignSexes(Rng& rng, District& d) {
  struct Target {
    Band band;
    BySex count;
  };
  for (const Target& t :
       {Target{Band::kChild, kChildren}, Target{Band::kWorking, kWorkingAge},
        Target{Band::kElderly, kElderly}}) {
    int fixed_men = 0;
    for (const Person& p : d.people) {
      if (p.band == t.band && p.sex_fixed && p.sex == Sex::kMale) ++fixed_men;
    }
    // Lone parents are mostly mothers.
    auto weight = [&t](const Person& p) -> int64_t {
      if (p.band != t.band || p.sex_fixed) return 0;
      return p.kind == Kind::kSingleParent && p.role == Role::kHead ? 1 : 3;
    };
    ASSIGN_OR_RETURN(
        std::vector<int> men,
        DrawPeople(rng, d.people, t.count.male - fixed_men, weight, "men"));
    for (int i : men) d.people[i].sex = Sex::kMale;
  }
  return absl::OkStatus();
}

// Gives `status` to `count` people of `band` who have none yet, drawn in
// proportion to `weight`.
absl::Status AssignStatus(Rng& rng, District& d, Band band,
                          v1::ReportedStatus status, int count,
                          int64_t (*weight)(const Person&)) {
  auto eligible = [band, weight](const Person& p) -> int64_t {
    if (p.band != band || p.status != v1::REPORTED_STATUS_UNSPECIFIED) {
      return 0;
    }
    return weight(p);
  };
  ASSIGN_OR_RETURN(std::vector<int> drawn,
                   DrawPeople(rng, d.people, count, eligible,
                              v1::ReportedStatus_Name(status)));
  for (int i : drawn) d.people[i].status = status;
  return absl::OkStatus();
}

int64_t Anyone(const Person&) { return 1; }

// Working-age students are grown children still living with their parents.
int64_t WorkingAgeStudentWeight(const Person& p) {
  return IsYoungAdultChild(p) ? 1 : 0;
}

// Civil-affairs targets mostly live alone or with an old parent or sibling.
int64_t CivilAffairsWeight(const Person& p) {
  if (IsAlone(p)) return p.band == Band::kElderly ? 8 : 10;
  if (p.kind == Kind::kElderlyWithAdultChild || p.role == Role::kOther) {
    return 6;
  }
  return 1;
}

// Laid-off workers had years in a state enterprise first: not the grown
// children; more often parents.
int64_t LaidOffWeight(const Person& p) {
  if (IsYoungAdultChild(p)) return 0;
  return IsParentOfChildren(p) ? 4 : 3;
}

// A wage shared with dependants keeps a family eligible; alone, it would lift
// a person off dibao, so the employed are mostly parents.
int64_t EmployedWeight(const Person& p) {
  if (IsParentOfChildren(p)) return 6;
  if (p.kind == Kind::kCouple) return 3;
  if (IsAlone(p)) return 1;
  return 2;
}

// School leavers without work are the most common unemployed.
int64_t UnemployedWeight(const Person& p) {
  return IsYoungAdultChild(p) ? 3 : 2;
}

absl::Status AssignStatuses(Rng& rng, District& d) {
  // Children: school age or not yet (their ages follow, see AllowedAges).
  RETURN_IF_ERROR(AssignStatus(rng, d, Band::kChild,
                               v1::REPORTED_STATUS_STUDENT,
                               kStudents - kStudentsOfWorkingAge, Anyone));
  // Working age, most constrained identities first.
  RETURN_IF_ERROR(AssignStatus(rng, d, Band::kWorking,
                               v1::REPORTED_STATUS_STUDENT,
                               kStudentsOfWorkingAge, WorkingAgeStudentWeight));
  RETURN_IF_ERROR(
      AssignStatus(rng, d, Band::kWorking, v1::REPORTED_STATUS_CIVIL_AFFAIRS,
                   kCivilAffairs - kCivilAffairsElderly, CivilAffairsWeight));
  RETURN_IF_ERROR(AssignStatus(rng, d, Band::kWorking,
                               v1::REPORTED_STATUS_LAID_OFF, kLaidOff,
                               LaidOffWeight));
  RETURN_IF_ERROR(AssignStatus(rng, d, Band::kWorking,
                               v1::REPORTED_STATUS_EMPLOYED, kEmployed,
                               EmployedWeight));
  RETURN_IF_ERROR(AssignStatus(rng, d, Band::kWorking,
                               v1::REPORTED_STATUS_UNEMPLOYED, kUnemployed,
                               UnemployedWeight));
  // Elderly.
  RETURN_IF_ERROR(AssignStatus(rng, d, Band::kElderly,
                               v1::REPORTED_STATUS_CIVIL_AFFAIRS,
                               kCivilAffairsElderly, CivilAffairsWeight));
  RETURN_IF_ERROR(AssignStatus(rng, d, Band::kElderly,
                               v1::REPORTED_STATUS_RETIRED, kRetired, Anyone));

  // Everyone else: small children, housewives, odd-job workers, old people
  // without a pension.
  int other = 0;
  for (Person& p : d.people) {
    if (p.status == v1::REPORTED_STATUS_UNSPECIFIED) {
      p.status = v1::REPORTED_STATUS_OTHER;
      ++other;
    }
  }
  if (other != kOther) {
    return absl::InternalError(
        absl::StrCat("sample plan: ", other, " people of other identity"));
  }
  return absl::OkStatus();
}

absl::Status AssignDisability(Rng& rng, District& d) {
  for (const Sex sex : {Sex::kMale, Sex::kFemale}) {
    // Civil-affairs targets are often disabled; nobody with a job, a
    // pension or a laid-off allowance is drawn.
    auto weight = [sex](const Person& p) -> int64_t {
      if (p.sex != sex) return 0;
      if (p.band == Band::kChild) return 1;
      switch (p.status) {
        case v1::REPORTED_STATUS_CIVIL_AFFAIRS:
          return 12;
        case v1::REPORTED_STATUS_OTHER:
          return 2;
        case v1::REPORTED_STATUS_UNEMPLOYED:
          return 1;
        default:
          return 0;
      }
    };
    const int count = sex == Sex::kMale ? kDisabled.male : kDisabled.female;
    ASSIGN_OR_RETURN(std::vector<int> drawn,
                     DrawPeople(rng, d.people, count, weight, "disabled"));
    for (int i : drawn) d.people[i].disabled = true;
  }
  // A disabled person registered as unemployed is looking for work, so
  // counts as able to work; other disabled people do not.
  for (Person& p : d.people) {
    p.able_to_work =
        p.band == Band::kWorking &&
        (!p.disabled || p.status == v1::REPORTED_STATUS_UNEMPLOYED);
  }
  return absl::OkStatus();
}

// ---------------------------------------------------------------------------
// Step 5: ages, consistent with band, status and family relations.

struct AgeRange {
  int lo;
  int hi;  // lo <= hi always
};

// The ages a person may have, from band, sex and status alone.
AgeRange AllowedAges(const Person& p) {
  switch (p.band) {
    case Band::kChild:
      // Pre-school children report "other".
      return p.status == v1::REPORTED_STATUS_STUDENT ? AgeRange{6, 17}
                                                     : AgeRange{0, 5};
    case Band::kWorking: {
      AgeRange r{kAdultAge, RetirementAge(p.sex) - 1};
      if (p.status == v1::REPORTED_STATUS_STUDENT) {
        r.hi = 22;
      } else if (IsYoungAdultChild(p)) {
        r.hi = 28;
      } else if (p.status == v1::REPORTED_STATUS_LAID_OFF) {
        r.lo = 30;  // laid off after years in a state enterprise
      }
      return r;
    }
    case Band::kElderly:
      return {RetirementAge(p.sex), kMaxAge};
  }
  return {0, 0};
}

// `r` with its lower end raised to `lo`, as far as `r` allows.
AgeRange AtLeast(AgeRange r, int lo) {
  r.lo = std::min(std::max(r.lo, lo), r.hi);
  return r;
}

// `r` with its upper end lowered to `hi`, as far as `r` allows.
AgeRange AtMost(AgeRange r, int hi) {
  r.hi = std::max(std::min(r.hi, hi), r.lo);
  return r;
}

int Clamp(int age, AgeRange r) { return std::min(std::max(age, r.lo), r.hi); }

int UniformAge(Rng& rng, AgeRange r) { return rng.Uniform(r.lo, r.hi); }

// Favours the young end: the old-old are fewer.
int YoungerAge(Rng& rng, AgeRange r) {
  return std::min(UniformAge(rng, r), UniformAge(rng, r));
}

// Favours the old end: dibao adults living alone are mostly middle-aged.
int OlderAge(Rng& rng, AgeRange r) {
  return std::max(UniformAge(rng, r), UniformAge(rng, r));
}

// A wife's age from her husband's: usually a few years younger.
int WifeAge(Rng& rng, int husband_age, AgeRange wife) {
  return Clamp(husband_age - rng.Uniform(-2, 6), wife);
}

void AssignAges(Rng& rng, District& d) {
  for (Home& home : d.homes) {
    Person& head = d.people[home.members[0]];
    Person* spouse = nullptr;
    Person* parent = nullptr;
    Person* other = nullptr;
    std::vector<Person*> children;
    for (size_t m = 1; m < home.members.size(); ++m) {
      Person& p = d.people[home.members[m]];
      switch (p.role) {
        case Role::kSpouse:
          spouse = &p;
          break;
        case Role::kParent:
          parent = &p;
          break;
        case Role::kOther:
          other = &p;
          break;
        default:
          children.push_back(&p);
      }
    }
    // Children (and grandchildren) first: their elders' ages follow.
    int oldest = 0;
    if (home.kind != Kind::kElderlyWithAdultChild) {
      for (Person* c : children) {
        c->age = UniformAge(rng, AllowedAges(*c));
        oldest = std::max(oldest, c->age);
      }
    }
    switch (home.kind) {
      case Kind::kElderlySingle:
      case Kind::kElderlyCouple:
        head.age = YoungerAge(rng, AllowedAges(head));
        break;
      case Kind::kElderlyWithAdultChild: {
        head.age = YoungerAge(rng, AllowedAges(head));
        Person& child = *children[0];
        child.age = UniformAge(rng, AtMost(AllowedAges(child), head.age - 20));
        break;
      }
      case Kind::kGrandparents:
        head.age = YoungerAge(rng, AtLeast(AllowedAges(head), oldest + 40));
        break;
      case Kind::kSingleAdult:
      case Kind::kSiblings:
        head.age = OlderAge(rng, AllowedAges(head));
        break;
      case Kind::kCouple:
        head.age = OlderAge(rng, AtLeast(AllowedAges(head), 25));
        break;
      case Kind::kSingleParent:
      case Kind::kCoupleWithChildren:
      case Kind::kThreeGenerations: {
        // A parent 20 to 34 years older than the eldest child.
        const AgeRange r = AtLeast(AllowedAges(head), oldest + 20);
        head.age = UniformAge(rng, AtMost(r, r.lo + 14));
        break;
      }
    }
    if (spouse != nullptr) {
      const int gap = home.kind == Kind::kGrandparents ? 38 : 18;
      spouse->age =
          WifeAge(rng, head.age, AtLeast(AllowedAges(*spouse), oldest + gap));
    }
    if (parent != nullptr) {
      const AgeRange r = AtLeast(AllowedAges(*parent), head.age + 22);
      parent->age = UniformAge(rng, AtMost(r, r.lo + 12));
    }
    if (other != nullptr) {  // a brother or sister
      other->age = Clamp(head.age + rng.Uniform(-8, 8), AllowedAges(*other));
    }
  }
}

// ---------------------------------------------------------------------------
// Step 6: birth dates and resident IDs.

bool IsLeapYear(int64_t y) {
  return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

// The same calendar day `years` earlier (29 February becomes the 28th).
absl::CivilDay YearsBefore(absl::CivilDay day, int years) {
  const int64_t y = day.year() - years;
  if (day.month() == 2 && day.day() == 29 && !IsLeapYear(y)) {
    return absl::CivilDay(y, 2, 28);
  }
  return absl::CivilDay(y, day.month(), day.day());
}

// A birth date giving `age` on `as_of`, with the birthday at least
// kBirthdayMarginDays away from `as_of` on both sides.
absl::StatusOr<absl::CivilDay> DrawBirthDate(Rng& rng, int age,
                                             absl::CivilDay as_of) {
  // Born early enough to have turned `age` by as_of - margin, late enough
  // not to turn age + 1 by as_of + margin. (Shifting the birth date by the
  // margin instead would be off by a day across 29 February.)
  const absl::CivilDay earliest =
      YearsBefore(as_of + kBirthdayMarginDays, age + 1) + 1;
  const absl::CivilDay latest = YearsBefore(as_of - kBirthdayMarginDays, age);
  const absl::CivilDay birth =
      earliest + static_cast<int>(rng.Below(latest - earliest + 1));
  for (const absl::CivilDay day :
       {as_of - kBirthdayMarginDays, as_of, as_of + kBirthdayMarginDays}) {
    if (AgeOn(birth, day) != age) {
      return absl::InternalError(absl::StrCat(
          "birth date ", absl::FormatCivilTime(birth), " does not give age ",
          age, " around ", absl::FormatCivilTime(as_of)));
    }
  }
  return birth;
}

// The address code on a person's ID: mostly this district's, otherwise
// another district of the same city or another city of the province.
std::string DrawAddressCode(Rng& rng, std::string_view district) {
  if (rng.Percent(kLocalIdPercent)) return std::string(district);
  std::string code;
  do {
    if (rng.Percent(70)) {
      code =
          absl::StrFormat("%s%02d", district.substr(0, 4), rng.Uniform(2, 17));
    } else {
      code = absl::StrFormat("%s%02d%02d", district.substr(0, 2),
                             rng.Uniform(1, 13), rng.Uniform(1, 9));
    }
  } while (code == district);
  return code;
}

absl::Status AssignIds(Rng& rng, const SampleDistrictOptions& options,
                       District& d) {
  std::set<std::string> used;
  for (Person& p : d.people) {
    ASSIGN_OR_RETURN(p.birth_date, DrawBirthDate(rng, p.age, options.as_of));
    const std::string address = DrawAddressCode(rng, options.district_code);
    // Three sequence digits; the last is odd for men.
    do {
      const int sequence =
          static_cast<int>(rng.Below(500)) * 2 + (p.sex == Sex::kMale ? 1 : 0);
      const std::string first17 =
          absl::StrFormat("%s%04d%02d%02d%03d", address, p.birth_date.year(),
                          p.birth_date.month(), p.birth_date.day(), sequence);
      p.id_number = first17 + ResidentIdCheckCharacter(first17);
    } while (!used.insert(p.id_number).second);
  }
  return absl::OkStatus();
}

// ---------------------------------------------------------------------------
// Step 7: names.

template <size_t N>
std::string_view PickFrom(Rng& rng, const std::string_view (&list)[N]) {
  return list[rng.Below(N)];
}

// Surnames weighted towards the most common.
std::string_view DrawSurname(Rng& rng) {
  constexpr size_t n = std::size(names::kSurnames);
  while (true) {
    const size_t i = rng.Below(n);
    // Front dozen 4x, next two dozen 2x, the rest 1x (as acceptance odds).
    const int keep = i < 12 ? 4 : i < 36 ? 2 : 1;
    if (rng.Below(4) < static_cast<uint64_t>(keep)) return names::kSurnames[i];
  }
}

std::string_view DrawGivenName(Rng& rng, Sex sex, int64_t birth_year) {
  const bool male = sex == Sex::kMale;
  if (birth_year < 1965) {
    return male ? PickFrom(rng, names::kOldMaleNames)
                : PickFrom(rng, names::kOldFemaleNames);
  }
  if (birth_year < 1995) {
    return male ? PickFrom(rng, names::kMiddleMaleNames)
                : PickFrom(rng, names::kMiddleFemaleNames);
  }
  return male ? PickFrom(rng, names::kYoungMaleNames)
              : PickFrom(rng, names::kYoungFemaleNames);
}

void AssignNames(Rng& rng, District& d) {
  for (const Home& home : d.homes) {
    const std::string_view family = DrawSurname(rng);
    std::set<std::string> taken;
    for (int index : home.members) {
      Person& p = d.people[index];
      // Wives keep their own surname, and so does the head's mother;
      // children, grandchildren, siblings and the head's father share it.
      const bool own_surname =
          p.role == Role::kSpouse ||
          (p.role == Role::kParent && p.sex == Sex::kFemale);
      std::string_view surname = family;
      if (own_surname) {
        do {
          surname = DrawSurname(rng);
        } while (surname == family);
      }
      // Two people of one household never share a full name.
      for (int attempt = 0; attempt < 50; ++attempt) {
        p.name = std::string(surname);
        p.name += DrawGivenName(rng, p.sex, p.birth_date.year());
        if (taken.insert(p.name).second) break;
      }
    }
  }
}

// ---------------------------------------------------------------------------
// Step 8: streets, communities and addresses.

struct Community {
  std::string_view street;
  std::string_view name;
};

std::vector<Community> DrawCommunities(Rng& rng) {
  const std::vector<int> streets =
      rng.Distinct(std::size(names::kStreetNames), rng.Uniform(4, 6));
  // At most 6 streets x 4 communities, fewer than the names available.
  const std::vector<int> pool = rng.Distinct(std::size(names::kCommunityNames),
                                             std::size(names::kCommunityNames));
  std::vector<Community> communities;
  size_t next = 0;
  for (int s : streets) {
    for (int c = rng.Uniform(2, 4); c > 0; --c) {
      communities.push_back(
          {names::kStreetNames[s], names::kCommunityNames[pool[next++]]});
    }
  }
  return communities;
}

// "东风街道建设社区12栋3单元402室", never one already handed out.
std::string DrawAddress(Rng& rng, const Community& c,
                        std::set<std::string>& used) {
  std::string address;
  do {
    address = absl::StrFormat("%s%s%d栋%d单元%d0%d室", c.street, c.name,
                              rng.Uniform(1, 36), rng.Uniform(1, 4),
                              rng.Uniform(1, 7), rng.Uniform(1, 4));
  } while (!used.insert(address).second);
  return address;
}

// A count of households from a percentage, rounded to nearest.
int ShareOf(int percent) { return (kHouseholds * percent + 50) / 100; }

void AssignAddresses(Rng& rng, District& d) {
  const std::vector<Community> communities = DrawCommunities(rng);
  std::set<std::string> used;
  std::vector<int> community_of(d.homes.size());
  for (size_t h = 0; h < d.homes.size(); ++h) {
    Home& home = d.homes[h];
    community_of[h] = static_cast<int>(rng.Below(communities.size()));
    const Community& c = communities[community_of[h]];
    home.street = std::string(c.street);
    home.community = std::string(c.name);
    home.registered_address = DrawAddress(rng, c, used);
    home.residence_address = home.registered_address;
  }
  // 人户分离: these households live in another community of the district,
  // typically after their building was demolished.
  for (int h : rng.Distinct(kHouseholds, ShareOf(kSeparatedPercent))) {
    int elsewhere = community_of[h];
    while (elsewhere == community_of[h]) {
      elsewhere = static_cast<int>(rng.Below(communities.size()));
    }
    d.homes[h].residence_address =
        DrawAddress(rng, communities[elsewhere], used);
  }
}

// ---------------------------------------------------------------------------
// Step 9: incomes, capped so every household is clearly eligible.

int64_t Yuan(int yuan) { return int64_t{100} * yuan; }

int64_t DrawIncome(Rng& rng, YuanRange r) {
  return Yuan(rng.Uniform(r.lo, r.hi));
}

int64_t DrawIncome(Rng& rng, const Person& p) {
  switch (p.status) {
    case v1::REPORTED_STATUS_EMPLOYED:
      return DrawIncome(rng, kEmployedIncome);
    case v1::REPORTED_STATUS_LAID_OFF:
      return DrawIncome(rng, kLaidOffIncome);
    case v1::REPORTED_STATUS_RETIRED:
      return DrawIncome(rng, kPensionIncome);
    case v1::REPORTED_STATUS_OTHER:
      if (p.band == Band::kChild) return 0;
      if (p.disabled && !rng.Percent(kDisabledEarnerPercent)) return 0;
      if (p.band == Band::kWorking) {
        return rng.Percent(kOddJobPercent) ? DrawIncome(rng, kOddJobIncome) : 0;
      }
      return rng.Percent(kFamilySupportPercent)
                 ? DrawIncome(rng, kFamilySupportIncome)
                 : 0;
    default:  // unemployed, students, civil-affairs targets: nothing
      return 0;
  }
}

void AssignIncomes(Rng& rng, int64_t standard_fen, District& d) {
  for (Person& p : d.people) p.income_fen = DrawIncome(rng, p);
  // A household whose per-capita income is not clearly below the standard
  // would not be on dibao: lower the largest incomes, in whole yuan, until
  // it is (a household reports what keeps it eligible).
  for (const Home& home : d.homes) {
    const int64_t n = static_cast<int64_t>(home.members.size());
    const int64_t cap = (standard_fen - kMinTopUpFen) * n;
    int64_t total = 0;
    for (int i : home.members) total += d.people[i].income_fen;
    while (total > cap) {
      Person* top = &d.people[home.members[0]];
      for (int i : home.members) {
        if (d.people[i].income_fen > top->income_fen) top = &d.people[i];
      }
      const int64_t excess = (total - cap + 99) / 100 * 100;  // whole yuan
      const int64_t cut = std::min(excess, top->income_fen);
      top->income_fen -= cut;
      total -= cut;
    }
  }
}

// ---------------------------------------------------------------------------
// Step 10: the proto messages.

std::vector<v1::Category> CategoriesOf(const Home& home,
                                       const std::vector<Person>& people) {
  std::set<v1::Category> categories;  // ordered: sorted and unique
  for (int i : home.members) {
    const Person& p = people[i];
    if (p.disabled) categories.insert(v1::CATEGORY_DISABLED);
    if (p.band == Band::kElderly) categories.insert(v1::CATEGORY_ELDERLY);
    if (p.status == v1::REPORTED_STATUS_LAID_OFF) {
      categories.insert(v1::CATEGORY_LAID_OFF);
    }
    if (p.status == v1::REPORTED_STATUS_UNEMPLOYED) {
      categories.insert(v1::CATEGORY_UNEMPLOYED);
    }
  }
  // 三无: alone, unable to work, no income, supported by civil affairs.
  if (home.members.size() == 1) {
    const Person& p = people[home.members[0]];
    if (p.status == v1::REPORTED_STATUS_CIVIL_AFFAIRS && p.income_fen == 0 &&
        !p.able_to_work && (p.band == Band::kElderly || p.disabled)) {
      categories.insert(v1::CATEGORY_THREE_NO);
    }
  }
  if (home.seriously_ill) categories.insert(v1::CATEGORY_SERIOUSLY_ILL);
  return {categories.begin(), categories.end()};
}

v1::Household ToHousehold(Rng& rng, const Home& home,
                          const std::vector<Person>& people,
                          const SampleDistrictOptions& options,
                          const std::string& household_id) {
  v1::Household h;
  h.set_household_id(household_id);
  h.set_district_code(options.district_code);
  h.set_street(home.street);
  h.set_community(home.community);
  h.set_registered_address(home.registered_address);
  h.set_residence_address(home.residence_address);
  h.set_status(v1::HOUSEHOLD_STATUS_ACTIVE);

  std::vector<const Person*> members;
  int64_t income = 0;
  for (int i : home.members) {
    members.push_back(&people[i]);
    income += people[i].income_fen;
  }
  std::sort(members.begin(), members.end(),
            [](const Person* a, const Person* b) {
              return a->id_number < b->id_number;
            });
  for (const Person* p : members) {
    v1::Member* m = h.add_members();
    m->set_household_id(household_id);
    m->set_id_number(p->id_number);
    m->set_name(p->name);
    m->set_sex(p->sex == Sex::kMale ? v1::SEX_MALE : v1::SEX_FEMALE);
    *m->mutable_birth_date() = ToProto(p->birth_date);
    m->set_relation(std::string(RelationName(p->role)));
    m->set_reported_status(p->status);
    m->set_reported_monthly_income_fen(p->income_fen);
    m->set_disabled(p->disabled);
    m->set_able_to_work(p->able_to_work);
  }

  // The top-up (补差), in whole fen: per-capita income rounds down.
  const int64_t n = static_cast<int64_t>(members.size());
  h.set_monthly_benefit_fen((options.standard_fen - income / n) * n);

  // On dibao since some day from 2000 on, once the head was an adult.
  const absl::CivilDay head_birth = people[home.members[0]].birth_date;
  const absl::CivilDay first =
      std::max(absl::CivilDay(2000, 1, 1),
               absl::CivilDay(head_birth.year() + kAdultAge, head_birth.month(),
                              head_birth.day()));
  *h.mutable_benefit_start_date() =
      ToProto(first + static_cast<int>(rng.Below(options.as_of - first + 1)));
  for (v1::Category c : CategoriesOf(home, people)) h.add_categories(c);
  return h;
}

// ---------------------------------------------------------------------------
// Checks.

absl::Status ValidateOptions(const SampleDistrictOptions& options) {
  const std::string& code = options.district_code;
  if (code.size() != 6 || !std::all_of(code.begin(), code.end(), [](char c) {
        return c >= '0' && c <= '9';
      })) {
    return absl::InvalidArgumentError(
        absl::StrCat("district_code \"", code, "\": must be exactly 6 digits"));
  }
  if (ProvinceName(code.substr(0, 2)).empty()) {
    return absl::InvalidArgumentError(absl::StrCat("district_code \"", code,
                                                   "\": ", code.substr(0, 2),
                                                   " is not a province code"));
  }
  // Benefits start from 2000; the oldest member (95) must be born in a year
  // an ID can hold.
  if (options.as_of < absl::CivilDay(2000, 1, 1) ||
      options.as_of > absl::CivilDay(9999, 12, 31)) {
    return absl::InvalidArgumentError(
        absl::StrCat("as_of ", absl::FormatCivilTime(options.as_of),
                     ": must be between 2000-01-01 and 9999-12-31"));
  }
  // Everyone's per-capita income must fit at least kMinTopUpFen below the
  // standard; the upper bound keeps benefit arithmetic far from overflow.
  if (options.standard_fen < kMinTopUpFen ||
      options.standard_fen > 100'000'000) {
    return absl::InvalidArgumentError(
        absl::StrCat("standard_fen ", options.standard_fen,
                     ": must be between ", kMinTopUpFen, " and 100000000"));
  }
  return absl::OkStatus();
}

// Recounts the finished households against the report's tables and checks
// every ID, so a change to the plan can never ship a wrong sample.
absl::Status CheckSample(const std::vector<v1::Household>& households,
                         absl::CivilDay as_of) {
  int persons = 0;
  int statuses[v1::ReportedStatus_ARRAYSIZE] = {};
  BySex bands[3] = {};
  BySex disabled = {};
  for (const v1::Household& h : households) {
    for (const v1::Member& m : h.members()) {
      ++persons;
      ++statuses[m.reported_status()];
      ASSIGN_OR_RETURN(ResidentId id, ParseResidentId(m.id_number(), as_of));
      const Sex sex = m.sex() == v1::SEX_MALE ? Sex::kMale : Sex::kFemale;
      const absl::CivilDay birth(m.birth_date().year(), m.birth_date().month(),
                                 m.birth_date().day());
      if (id.sex() != sex || id.birth_date() != birth) {
        return absl::InternalError(
            absl::StrCat("member ", MaskId(m.id_number()),
                         ": sex or birth date disagrees with the ID"));
      }
      const bool male = sex == Sex::kMale;
      BySex& band = bands[static_cast<int>(BandOf(AgeOn(birth, as_of), sex))];
      ++(male ? band.male : band.female);
      if (m.disabled()) ++(male ? disabled.male : disabled.female);
    }
  }
  auto same = [](BySex a, BySex b) {
    return a.male == b.male && a.female == b.female;
  };
  const bool ok =
      static_cast<int>(households.size()) == kHouseholds &&
      persons == kPersons &&
      statuses[v1::REPORTED_STATUS_EMPLOYED] == kEmployed &&
      statuses[v1::REPORTED_STATUS_LAID_OFF] == kLaidOff &&
      statuses[v1::REPORTED_STATUS_UNEMPLOYED] == kUnemployed &&
      statuses[v1::REPORTED_STATUS_RETIRED] == kRetired &&
      statuses[v1::REPORTED_STATUS_CIVIL_AFFAIRS] == kCivilAffairs &&
      statuses[v1::REPORTED_STATUS_STUDENT] == kStudents &&
      statuses[v1::REPORTED_STATUS_OTHER] == kOther &&
      same(bands[static_cast<int>(Band::kChild)], kChildren) &&
      same(bands[static_cast<int>(Band::kWorking)], kWorkingAge) &&
      same(bands[static_cast<int>(Band::kElderly)], kElderly) &&
      same(disabled, kDisabled);
  if (!ok) {
    return absl::InternalError(
        "generated sample does not match the report's tables");
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::vector<v1::Household>> GenerateSampleDistrict(
    const SampleDistrictOptions& options) {
  RETURN_IF_ERROR(ValidateOptions(options));
  Rng rng(options.seed);
  District d;
  RETURN_IF_ERROR(PlanHouseholds(rng, d));
  RETURN_IF_ERROR(AssignSexes(rng, d));
  RETURN_IF_ERROR(AssignStatuses(rng, d));
  RETURN_IF_ERROR(AssignDisability(rng, d));
  AssignAges(rng, d);
  RETURN_IF_ERROR(AssignIds(rng, options, d));
  AssignNames(rng, d);
  AssignAddresses(rng, d);
  AssignIncomes(rng, options.standard_fen, d);
  for (int h : rng.Distinct(kHouseholds, ShareOf(kSeriouslyIllPercent))) {
    d.homes[h].seriously_ill = true;
  }

  // Households were planned kind by kind; shuffle them so that household
  // numbers say nothing about the kind.
  std::vector<int> order(d.homes.size());
  for (size_t h = 0; h < order.size(); ++h) order[h] = static_cast<int>(h);
  rng.Shuffle(order);
  std::vector<v1::Household> households;
  households.reserve(order.size());
  for (size_t i = 0; i < order.size(); ++i) {
    const std::string household_id =
        absl::StrFormat("%s-%04d", options.district_code, i + 1);
    households.push_back(
        ToHousehold(rng, d.homes[order[i]], d.people, options, household_id));
  }
  RETURN_IF_ERROR(CheckSample(households, options.as_of));
  return households;
}

}  // namespace dibao
