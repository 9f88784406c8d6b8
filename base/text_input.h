// Agency and bureau files as UTF-8 text, whatever they were saved in.
//
// Many Chinese agency systems export GBK or GB18030, spreadsheet programs
// write UTF-8 with a byte-order mark or UTF-16; our readers take UTF-8. A
// TextInput opens a file and hands out a stream of UTF-8: the file itself
// when it is UTF-8 (no cost), otherwise the file converted on the fly by
// ICU, block by block, so a file of any size is read in constant memory.
//
// The encoding is given ("utf-8", "gb18030", "gbk", "utf-16", "utf-16le",
// "utf-16be", any case) or detected ("auto" or empty) from the byte-order
// mark, else from the first MiB: valid UTF-8 is UTF-8 (so is pure ASCII);
// otherwise valid GB18030 (which includes GBK and GB2312) is GB18030;
// otherwise it is read as UTF-8 and every line that is not becomes a
// rejected line naming its byte. describe() says which and why, for the
// person who pushed the file.
//
// Bytes that are not valid in the chosen encoding come out as U+FFFD, so
// the readers can refuse the cell that holds them (and only that line).
//
// Not thread-safe: one reader.
#ifndef DIBAO_BASE_TEXT_INPUT_H_
#define DIBAO_BASE_TEXT_INPUT_H_

#include <fstream>
#include <istream>
#include <memory>
#include <streambuf>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace dibao {

// The encodings --encoding accepts, for usage texts.
inline constexpr absl::string_view kTextEncodings =
    "auto, utf-8, gb18030, gbk, utf-16, utf-16le, utf-16be";

class TextInput {
 public:
  // NOT_FOUND when the file cannot be opened; INVALID_ARGUMENT for an
  // encoding we do not read.
  static absl::StatusOr<std::unique_ptr<TextInput>> Open(
      const std::string& path, absl::string_view encoding);
  ~TextInput();
  TextInput(const TextInput&) = delete;
  TextInput& operator=(const TextInput&) = delete;

  // UTF-8 text; bad() after an I/O error.
  std::istream& stream() { return *stream_; }

  // "UTF-8", "GB18030", "UTF-16LE", ...
  const std::string& encoding() const { return encoding_; }
  // True when the bytes are converted (not UTF-8 in the file).
  bool converted() const { return converted_; }
  // E.g. "GB18030 (detected: not UTF-8 at byte 1,204; valid GB18030)".
  std::string describe() const;

 private:
  class Converter;
  TextInput() = default;

  std::ifstream file_;
  std::unique_ptr<Converter> converter_;
  std::unique_ptr<std::istream> converted_stream_;
  std::istream* stream_ = nullptr;
  std::string encoding_;
  std::string why_;
  bool converted_ = false;
};

// The UTF-8 bytes of U+FFFD, which TextInput puts where bytes could not be
// decoded.
inline constexpr absl::string_view kReplacementCharacter = "\xEF\xBF\xBD";

}  // namespace dibao

#endif  // DIBAO_BASE_TEXT_INPUT_H_
