#include "base/resident_id.h"

#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>
#include <unicode/utf8.h>

#include <cstdint>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/string_view.h"

namespace dibao {
namespace {

// GB/T 2260 province-level codes. 71/81/82 are Taiwan, Hong Kong and Macau;
// 83 is used on residence permits of Taiwan residents.
struct Province {
  const char* code;
  const char* name;
};
constexpr Province kProvinces[] = {
    {"11", "北京市"},
    {"12", "天津市"},
    {"13", "河北省"},
    {"14", "山西省"},
    {"15", "内蒙古自治区"},
    {"21", "辽宁省"},
    {"22", "吉林省"},
    {"23", "黑龙江省"},
    {"31", "上海市"},
    {"32", "江苏省"},
    {"33", "浙江省"},
    {"34", "安徽省"},
    {"35", "福建省"},
    {"36", "江西省"},
    {"37", "山东省"},
    {"41", "河南省"},
    {"42", "湖北省"},
    {"43", "湖南省"},
    {"44", "广东省"},
    {"45", "广西壮族自治区"},
    {"46", "海南省"},
    {"50", "重庆市"},
    {"51", "四川省"},
    {"52", "贵州省"},
    {"53", "云南省"},
    {"54", "西藏自治区"},
    {"61", "陕西省"},
    {"62", "甘肃省"},
    {"63", "青海省"},
    {"64", "宁夏回族自治区"},
    {"65", "新疆维吾尔自治区"},
    {"71", "台湾省"},
    {"81", "香港特别行政区"},
    {"82", "澳门特别行政区"},
    {"83", "台湾地区（居住证）"},
};

// Longest normalised form we collect before giving up: enough to say
// "has 19 characters" without scanning unbounded garbage into a buffer.
constexpr int kMaxCollected = 32;

// The normalised characters of an input, collected without heap allocation.
struct Collected {
  char chars[kMaxCollected];
  int size = 0;       // characters stored (<= kMaxCollected)
  int64_t total = 0;  // characters seen, may exceed kMaxCollected
  void Add(char c) {
    if (size < kMaxCollected) chars[size++] = c;
    ++total;
  }
};

bool IsAsciiSeparator(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' ||
         c == '\f' || c == '-';
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

std::string DescribeChar(UChar32 c) {
  if (c >= 0x21 && c < 0x7f)
    return absl::StrFormat("'%c'", static_cast<char>(c));
  return absl::StrFormat("U+%04X", static_cast<uint32_t>(c));
}

// Adds one code point of normalised text; returns an error for a character
// that can never be part of an ID.
absl::Status AddCodePoint(UChar32 c, int64_t position, Collected& out) {
  // ASCII first: it is nearly all input, and ICU property lookups cost more
  // than the rest of parsing together.
  if (c < 0x80) {
    const char ch = static_cast<char>(c);
    if (IsDigit(ch) || (ch >= 'A' && ch <= 'Z')) {
      out.Add(ch);
      return absl::OkStatus();
    }
    if (ch >= 'a' && ch <= 'z') {
      out.Add(ch == 'x' ? 'X' : ch);
      return absl::OkStatus();
    }
    if (IsAsciiSeparator(ch)) return absl::OkStatus();
  } else if (u_isUWhiteSpace(c) || u_charType(c) == U_DASH_PUNCTUATION) {
    return absl::OkStatus();
  }
  return absl::InvalidArgumentError(
      absl::StrCat("character ", DescribeChar(c), " at position ", position,
                   " cannot be part of an ID number"));
}

// Slow path for input with non-ASCII bytes: strict UTF-8 decoding, then ICU
// NFKC, which maps full-width digits, letters and spaces to ASCII.
absl::Status CollectUnicode(absl::string_view input, Collected& out) {
  const auto* bytes = reinterpret_cast<const uint8_t*>(input.data());
  const int32_t length =
      input.size() > INT32_MAX ? INT32_MAX : static_cast<int32_t>(input.size());
  int32_t i = 0;
  while (i < length) {
    const int32_t start = i;
    UChar32 c;
    U8_NEXT(bytes, i, length, c);
    if (c < 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("not valid UTF-8 at byte ", start + 1));
    }
  }
  UErrorCode error = U_ZERO_ERROR;
  const icu::Normalizer2* nfkc = icu::Normalizer2::getNFKCInstance(error);
  if (U_FAILURE(error)) {
    return absl::InternalError(
        absl::StrCat("ICU NFKC normaliser unavailable: ", u_errorName(error)));
  }
  icu::UnicodeString normalised = nfkc->normalize(
      icu::UnicodeString::fromUTF8(icu::StringPiece(input.data(), length)),
      error);
  if (U_FAILURE(error)) {
    return absl::InvalidArgumentError(
        absl::StrCat("cannot normalise: ", u_errorName(error)));
  }
  int64_t position = 0;
  for (int32_t k = 0; k < normalised.length();) {
    const UChar32 c = normalised.char32At(k);
    k += U16_LENGTH(c);
    ++position;
    absl::Status s = AddCodePoint(c, position, out);
    if (!s.ok()) return s;
  }
  return absl::OkStatus();
}

absl::Status Collect(absl::string_view input, Collected& out) {
  for (char ch : input) {
    if (static_cast<unsigned char>(ch) >= 0x80) {
      out = Collected();
      return CollectUnicode(input, out);
    }
  }
  int64_t position = 0;
  for (char ch : input) {
    ++position;
    absl::Status s =
        AddCodePoint(static_cast<unsigned char>(ch), position, out);
    if (!s.ok()) return s;
  }
  return absl::OkStatus();
}

absl::Status RequireDigits(const char* chars, int count, int first_position,
                           absl::string_view what) {
  for (int i = 0; i < count; ++i) {
    if (!IsDigit(chars[i])) {
      return absl::InvalidArgumentError(absl::StrCat(
          "character '", absl::string_view(&chars[i], 1), "' at position ",
          first_position + i, " is not a digit", what));
    }
  }
  return absl::OkStatus();
}

int Digits(absl::string_view s) {
  int v = 0;
  for (char c : s) v = v * 10 + (c - '0');
  return v;
}

}  // namespace

char ResidentIdCheckCharacter(absl::string_view first17) {
  static constexpr int kWeights[17] = {7, 9, 10, 5,  8, 4, 2, 1, 6,
                                       3, 7, 9,  10, 5, 8, 4, 2};
  int sum = 0;
  for (int i = 0; i < 17 && i < static_cast<int>(first17.size()); ++i) {
    sum += (first17[i] - '0') * kWeights[i];
  }
  const int check = (12 - sum % 11) % 11;
  return check == 10 ? 'X' : static_cast<char>('0' + check);
}

absl::string_view ProvinceName(absl::string_view two_digits) {
  // Indexed by the two digits: a hot path (every ID of every feed record).
  static const auto* const kByCode = [] {
    auto* table = new std::array<const char*, 100>{};
    for (const Province& p : kProvinces) {
      (*table)[(p.code[0] - '0') * 10 + (p.code[1] - '0')] = p.name;
    }
    return table;
  }();
  if (two_digits.size() != 2 || !IsDigit(two_digits[0]) ||
      !IsDigit(two_digits[1])) {
    return {};
  }
  const char* name =
      (*kByCode)[(two_digits[0] - '0') * 10 + (two_digits[1] - '0')];
  return name == nullptr ? absl::string_view() : absl::string_view(name);
}

absl::string_view ResidentId::province_name() const {
  return ProvinceName(province_code());
}

absl::StatusOr<ResidentId> ParseResidentId(absl::string_view input,
                                           absl::CivilDay today) {
  Collected c;
  if (absl::Status s = Collect(input, c); !s.ok()) return s;
  if (c.total == 0) {
    return absl::InvalidArgumentError("ID number is empty");
  }
  ResidentId id;
  char* d = id.digits_.data();
  if (c.total == 15) {
    if (absl::Status s =
            RequireDigits(c.chars, 15, 1, " (a 15-digit number is all digits)");
        !s.ok()) {
      return s;
    }
    std::copy(c.chars, c.chars + 6, d);
    d[6] = '1';
    d[7] = '9';
    std::copy(c.chars + 6, c.chars + 15, d + 8);
    d[17] = ResidentIdCheckCharacter(absl::string_view(d, 17));
    id.upgraded_from_15_ = true;
  } else if (c.total == 18) {
    if (absl::Status s = RequireDigits(c.chars, 17, 1, ""); !s.ok()) return s;
    const char last = c.chars[17];
    if (!IsDigit(last) && last != 'X') {
      return absl::InvalidArgumentError(
          absl::StrCat("check character '", absl::string_view(&last, 1),
                       "' at position 18 is not a digit or X"));
    }
    std::copy(c.chars, c.chars + 18, d);
  } else {
    return absl::InvalidArgumentError(absl::StrCat(
        "ID number has ", c.total,
        " characters, expected 18 (or 15 for an old-style number)"));
  }

  const absl::string_view number(d, ResidentId::kLength);
  if (ProvinceName(number.substr(0, 2)).empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("address code ", number.substr(0, 6), ": ",
                     number.substr(0, 2), " is not a province code"));
  }

  const int year = Digits(number.substr(6, 4));
  const int month = Digits(number.substr(10, 2));
  const int day = Digits(number.substr(12, 2));
  const absl::CivilDay birth(year, month, day);
  if (month < 1 || month > 12 || day < 1 || birth.month() != month ||
      birth.day() != day) {
    return absl::InvalidArgumentError(absl::StrCat(
        "birth date ", number.substr(6, 8), " is not a calendar date"));
  }
  if (year < 1900) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "birth date %04d-%02d-%02d is before 1900-01-01", year, month, day));
  }
  if (birth > today) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "birth date %04d-%02d-%02d is after today (%04d-%02d-%02d)", year,
        month, day, today.year(), today.month(), today.day()));
  }

  const char expected = ResidentIdCheckCharacter(number.substr(0, 17));
  if (number[17] != expected) {
    return absl::InvalidArgumentError(
        absl::StrCat("check character is ", number.substr(17, 1), ", expected ",
                     absl::string_view(&expected, 1)));
  }

  id.birth_date_ = birth;
  id.sex_ = (number[16] - '0') % 2 == 1 ? Sex::kMale : Sex::kFemale;
  return id;
}

std::string MaskId(absl::string_view id) {
  if (id.size() <= 10) return std::string(id.size(), '*');
  return absl::StrCat(id.substr(0, 6), std::string(id.size() - 10, '*'),
                      id.substr(id.size() - 4));
}

std::string MaskIdsInText(absl::string_view text) {
  auto digit = [](char c) { return c >= '0' && c <= '9'; };
  auto alnum = [&](char c) {
    return digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  };
  std::string out;
  size_t copied = 0;
  size_t i = 0;
  while (i < text.size()) {
    if (!digit(text[i]) || (i > 0 && alnum(text[i - 1]))) {
      ++i;
      continue;
    }
    size_t end = i;
    while (end < text.size() && digit(text[end])) ++end;
    size_t run = end - i;
    if (run == 17 && end < text.size() &&
        (text[end] == 'X' || text[end] == 'x')) {
      ++end;
      ++run;
    }
    const bool bounded = end == text.size() || !alnum(text[end]);
    if (bounded && (run == 18 || run == 15)) {
      absl::StrAppend(&out, text.substr(copied, i - copied),
                      MaskId(text.substr(i, run)));
      copied = end;
    }
    i = end;
  }
  if (copied == 0) return std::string(text);
  absl::StrAppend(&out, text.substr(copied));
  return out;
}

std::string MaskName(absl::string_view name) {
  const auto* bytes = reinterpret_cast<const uint8_t*>(name.data());
  const int32_t length =
      static_cast<int32_t>(std::min<size_t>(name.size(), INT32_MAX));
  if (length == 0) return "*";
  int32_t i = 0;
  UChar32 c;
  U8_NEXT(bytes, i, length, c);
  std::string out = c < 0 ? std::string("*") : std::string(name.substr(0, i));
  int rest = 0;
  while (i < length) {
    U8_NEXT(bytes, i, length, c);
    ++rest;
  }
  out.append(std::max(rest, 1), '*');
  return out;
}

}  // namespace dibao
