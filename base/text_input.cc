#include "base/text_input.h"

#include <unicode/ucnv.h>
#include <unicode/ucnv_cb.h>

#include <algorithm>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "base/utf8.h"

namespace dibao {
namespace {

constexpr size_t kSampleBytes = 1 << 20;
constexpr size_t kBlockBytes = 64 << 10;

struct Encoding {
  const char* flag;  // as --encoding spells it
  const char* icu;   // ICU converter name; nullptr: UTF-8, no conversion
  const char* name;  // as messages spell it
};

constexpr Encoding kEncodings[] = {
    {"utf-8", nullptr, "UTF-8"},          {"utf8", nullptr, "UTF-8"},
    {"gb18030", "GB18030", "GB18030"},    {"gbk", "GBK", "GBK"},
    {"gb2312", "GB18030", "GB18030"},     {"utf-16", "UTF-16", "UTF-16"},
    {"utf-16le", "UTF-16LE", "UTF-16LE"}, {"utf-16be", "UTF-16BE", "UTF-16BE"},
};

const Encoding* FindEncoding(absl::string_view flag) {
  const std::string lower = absl::AsciiStrToLower(flag);
  for (const Encoding& e : kEncodings) {
    if (lower == e.flag) return &e;
  }
  return nullptr;
}

// Undecodable bytes become U+FFFD, whatever the converter's own habit
// (some substitute U+001A), so the readers can find them.
void ToReplacement(const void*, UConverterToUnicodeArgs* args, const char*,
                   int32_t, UConverterCallbackReason reason, UErrorCode* err) {
  if (reason > UCNV_IRREGULAR) return;  // reset, close, clone
  static const UChar kFffd = 0xFFFD;
  *err = U_ZERO_ERROR;
  ucnv_cbToUWriteUChars(args, &kFffd, 1, 0, err);
}

struct ConverterCloser {
  void operator()(UConverter* c) const { ucnv_close(c); }
};
using ConverterPtr = std::unique_ptr<UConverter, ConverterCloser>;

absl::StatusOr<ConverterPtr> OpenConverter(const char* name) {
  UErrorCode err = U_ZERO_ERROR;
  ConverterPtr c(ucnv_open(name, &err));
  if (U_FAILURE(err)) {
    return absl::InternalError(absl::StrCat("ICU cannot open the ", name,
                                            " converter: ", u_errorName(err)));
  }
  return c;
}

// True when `sample` decodes as GB18030 without an illegal sequence (the
// end of a sample cut mid-character aside).
bool IsGb18030(absl::string_view sample, bool whole_file) {
  auto c = OpenConverter("GB18030");
  if (!c.ok()) return false;
  UErrorCode err = U_ZERO_ERROR;
  ucnv_setToUCallBack(c->get(), UCNV_TO_U_CALLBACK_STOP, nullptr, nullptr,
                      nullptr, &err);
  std::vector<UChar> out(kBlockBytes);
  const char* source = sample.data();
  const char* const limit = sample.data() + sample.size();
  while (source < limit && U_SUCCESS(err)) {
    UChar* target = out.data();
    ucnv_toUnicode(c->get(), &target, out.data() + out.size(), &source, limit,
                   nullptr, /*flush=*/whole_file, &err);
    if (err == U_BUFFER_OVERFLOW_ERROR) err = U_ZERO_ERROR;
  }
  return U_SUCCESS(err);
}

std::string Thousands(int64_t n) {
  const std::string digits = absl::StrCat(n);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out.push_back(',');
    out.push_back(digits[i]);
  }
  return out;
}

}  // namespace

// The file's bytes converted to UTF-8 by ICU, a block at a time. The pivot
// buffer carries a character split across two blocks to the next call.
class TextInput::Converter : public std::streambuf {
 public:
  Converter(std::istream* file, ConverterPtr source, ConverterPtr utf8)
      : file_(file),
        source_(std::move(source)),
        utf8_(std::move(utf8)),
        in_(kBlockBytes),
        pivot_(kBlockBytes),
        out_(4 * kBlockBytes) {
    pivot_source_ = pivot_target_ = pivot_.data();
  }

 protected:
  int_type underflow() override {
    if (gptr() < egptr()) return traits_type::to_int_type(*gptr());
    while (!done_) {
      if (in_pos_ == in_end_ && !eof_) {
        file_->read(in_.data(), static_cast<std::streamsize>(in_.size()));
        in_end_ = static_cast<size_t>(file_->gcount());
        in_pos_ = 0;
        if (in_end_ == 0) {
          // The stream's contract for a failed read: an exception from the
          // buffer sets badbit on the istream reading it.
          if (file_->bad()) throw std::ios_base::failure("read error");
          eof_ = true;
        }
      }
      char* target = out_.data();
      const char* source = in_.data() + in_pos_;
      UErrorCode err = U_ZERO_ERROR;
      ucnv_convertEx(utf8_.get(), source_.get(), &target,
                     out_.data() + out_.size(), &source, in_.data() + in_end_,
                     pivot_.data(), &pivot_source_, &pivot_target_,
                     pivot_.data() + pivot_.size(), /*reset=*/first_,
                     /*flush=*/eof_, &err);
      first_ = false;
      in_pos_ = static_cast<size_t>(source - in_.data());
      if (err == U_BUFFER_OVERFLOW_ERROR) {
        err = U_ZERO_ERROR;
      } else if (U_FAILURE(err)) {
        // Unreachable with the replacement callback; end the text rather
        // than loop.
        done_ = true;
      } else if (eof_) {
        done_ = true;  // flushed
      }
      if (target > out_.data()) {
        setg(out_.data(), out_.data(), target);
        return traits_type::to_int_type(*gptr());
      }
    }
    return traits_type::eof();
  }

 private:
  std::istream* file_;
  ConverterPtr source_, utf8_;
  std::vector<char> in_;
  size_t in_pos_ = 0, in_end_ = 0;
  std::vector<UChar> pivot_;
  UChar* pivot_source_;
  UChar* pivot_target_;
  std::vector<char> out_;
  bool first_ = true;
  bool eof_ = false;
  bool done_ = false;
};

TextInput::~TextInput() = default;

absl::StatusOr<std::unique_ptr<TextInput>> TextInput::Open(
    const std::string& path, absl::string_view encoding) {
  const bool detect =
      encoding.empty() || absl::EqualsIgnoreCase(encoding, "auto");
  const Encoding* chosen = nullptr;
  if (!detect) {
    chosen = FindEncoding(encoding);
    if (chosen == nullptr) {
      return absl::InvalidArgumentError(absl::StrCat(
          "unknown encoding '", encoding, "' (one of ", kTextEncodings, ")"));
    }
  }
  auto input = std::unique_ptr<TextInput>(new TextInput());
  input->file_.open(path, std::ios::binary);
  if (!input->file_) {
    return absl::NotFoundError(absl::StrCat("cannot read ", path));
  }

  if (detect) {
    std::string sample(kSampleBytes, '\0');
    input->file_.read(sample.data(),
                      static_cast<std::streamsize>(kSampleBytes));
    sample.resize(static_cast<size_t>(input->file_.gcount()));
    const bool whole_file = sample.size() < kSampleBytes;
    input->file_.clear();
    input->file_.seekg(0);
    if (!input->file_) {
      return absl::UnavailableError(absl::StrCat("cannot re-read ", path));
    }
    if (absl::StartsWith(sample, "\xEF\xBB\xBF")) {
      chosen = FindEncoding("utf-8");
      input->why_ = "detected: UTF-8 byte-order mark";
    } else if (absl::StartsWith(sample, "\xFF\xFE") ||
               absl::StartsWith(sample, "\xFE\xFF")) {
      chosen = FindEncoding("utf-16");
      input->why_ = "detected: UTF-16 byte-order mark";
    } else if (absl::StartsWith(sample, "\x84\x31\x95\x33")) {
      chosen = FindEncoding("gb18030");
      input->why_ = "detected: GB18030 byte-order mark";
    } else {
      const int64_t bad = FirstInvalidUtf8Byte(sample);
      // A sample cut inside a character is not evidence against UTF-8.
      if (bad < 0 ||
          (!whole_file && bad + 4 > static_cast<int64_t>(sample.size()))) {
        chosen = FindEncoding("utf-8");
        input->why_ = "detected";
      } else if (IsGb18030(sample, whole_file)) {
        chosen = FindEncoding("gb18030");
        input->why_ =
            absl::StrCat("detected: not UTF-8 at byte ", Thousands(bad + 1),
                         ", valid GB18030, which includes GBK");
      } else {
        chosen = FindEncoding("utf-8");
        input->why_ = absl::StrCat(
            "neither UTF-8 (byte ", Thousands(bad + 1),
            ") nor GB18030: lines that are not UTF-8 are refused; say "
            "--encoding if you know it");
      }
    }
  } else {
    input->why_ = "as given by --encoding";
  }

  input->encoding_ = chosen->name;
  if (chosen->icu == nullptr) {
    input->stream_ = &input->file_;
    return input;
  }
  auto source = OpenConverter(chosen->icu);
  if (!source.ok()) return source.status();
  UErrorCode err = U_ZERO_ERROR;
  ucnv_setToUCallBack(source->get(), ToReplacement, nullptr, nullptr, nullptr,
                      &err);
  auto utf8 = OpenConverter("UTF-8");
  if (!utf8.ok()) return utf8.status();
  input->converter_ = std::make_unique<Converter>(
      &input->file_, *std::move(source), *std::move(utf8));
  input->converted_stream_ =
      std::make_unique<std::istream>(input->converter_.get());
  input->stream_ = input->converted_stream_.get();
  input->converted_ = true;
  return input;
}

std::string TextInput::describe() const {
  return absl::StrCat(encoding_, " (", why_, ")");
}

}  // namespace dibao
