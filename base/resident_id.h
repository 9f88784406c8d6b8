// Resident ID numbers (GB 11643-1999): normalisation, validation, derivation.
//
// Every match in dibao-audit is keyed by the normalised 18-character ID, so
// this is the one place that decides what an ID is. Input may be anything:
// partner feeds carry old 15-digit numbers, full-width digits, lower-case x,
// spaces and hyphens, and sometimes plain garbage or invalid UTF-8. Parsing
// never crashes and never reads out of bounds; it returns a specific error.
//
// Thread-safe: all functions are pure, apart from the first use of ICU's
// normaliser, which ICU makes thread-safe.
#ifndef DIBAO_BASE_RESIDENT_ID_H_
#define DIBAO_BASE_RESIDENT_ID_H_

#include <array>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"

namespace dibao {

enum class Sex { kMale, kFemale };

// A valid, normalised resident ID and what it says about its holder.
// Holds the number inline: parsing allocates nothing on the ASCII fast path.
class ResidentId {
 public:
  static constexpr int kLength = 18;

  // The normalised number: 17 digits and a check character 0-9 or X.
  absl::string_view number() const { return {digits_.data(), digits_.size()}; }
  absl::CivilDay birth_date() const { return birth_date_; }
  Sex sex() const { return sex_; }
  // "11" for Beijing, ...
  absl::string_view province_code() const { return number().substr(0, 2); }
  // The Chinese name of the province, e.g. "北京市".
  absl::string_view province_name() const;
  absl::string_view address_code() const { return number().substr(0, 6); }
  // True when the input was an old 15-digit number.
  bool upgraded_from_15() const { return upgraded_from_15_; }

  friend bool operator==(const ResidentId& a, const ResidentId& b) {
    return a.digits_ == b.digits_;
  }

 private:
  friend absl::StatusOr<ResidentId> ParseResidentId(absl::string_view,
                                                    absl::CivilDay);
  std::array<char, kLength> digits_{};
  absl::CivilDay birth_date_;
  Sex sex_ = Sex::kMale;
  bool upgraded_from_15_ = false;
};

// Normalises then validates `input` as of the calendar day `today` (birth
// dates after it are refused).
//
// Normalisation: surrounding and internal white space (Unicode, including the
// ideographic space) and hyphens/dashes are removed, full-width digits and
// letters become ASCII (ICU NFKC), a lower-case x becomes X. A 15-digit
// number (6 address digits, YYMMDD birth date in the 1900s, 3 sequence
// digits) is upgraded to 18 by inserting "19" and computing the check
// character.
//
// Validation: 18 characters, 17 digits and a check character; a 6-digit
// address code whose first two digits are a real province code; a birth date
// that is a real calendar date, not before 1900-01-01 and not after `today`;
// the ISO 7064 MOD 11-2 check character.
//
// Errors are INVALID_ARGUMENT with a message naming what is wrong, e.g.
// "check character is 3, expected X".
absl::StatusOr<ResidentId> ParseResidentId(absl::string_view input,
                                           absl::CivilDay today);

// The ISO 7064 MOD 11-2 check character ('0'..'9' or 'X') of 17 digits.
// `first17` must hold exactly 17 ASCII digits.
char ResidentIdCheckCharacter(absl::string_view first17);

// Province name for a two-digit code, or empty if the code is not a province.
absl::string_view ProvinceName(absl::string_view two_digits);

// An ID (or any identifier) for log lines and messages that may leave the
// process: at most the first 6 and last 4 characters, the rest as '*'.
// Input of 10 characters or fewer is fully masked.
std::string MaskId(absl::string_view id);

// `text` with every resident ID in it masked as MaskId does: a run of 18
// characters (17 digits and a digit or X) or of 15 digits, not part of a
// longer run of digits or letters. Whether the check character fits does
// not matter: a mistyped ID still names a person.
std::string MaskIdsInText(absl::string_view text);

// A name for log lines: the first character (UTF-8 aware), then '*'s.
std::string MaskName(absl::string_view name);

}  // namespace dibao

#endif  // DIBAO_BASE_RESIDENT_ID_H_
