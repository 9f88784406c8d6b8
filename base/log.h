// Log events on stderr for the server: one event per line, as text people
// read (the default) or as JSON lines a log shipper reads
// (--log_format=json): the time, the level, the component that logged it,
// the event (a stable snake_case name an alert can match), its fields and a
// sentence.
//
// Never log a full ID number or name: mask them with MaskId/MaskName
// (base/resident_id.h) first. Principal IDs, batch IDs, flag and household
// IDs are fine.
//
// Thread-safe: one write(2) per line, so lines from threads do not
// interleave. SetLogFormat before the threads start.
#ifndef DIBAO_BASE_LOG_H_
#define DIBAO_BASE_LOG_H_

#include <initializer_list>
#include <string>
#include <type_traits>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace dibao {

enum class LogLevel { kInfo, kWarning, kError };
enum class LogFormat { kText, kJson };

void SetLogFormat(LogFormat format);
// "text" or "json"; INVALID_ARGUMENT naming them otherwise.
absl::StatusOr<LogFormat> ParseLogFormat(absl::string_view name);

// One field of an event: a snake_case key and its value (numbers stay
// numbers in JSON).
struct LogField {
  template <typename T>
  LogField(absl::string_view k, const T& v)
      : key(k), value(absl::StrCat(v)), number(std::is_arithmetic_v<T>) {}
  LogField(absl::string_view k, bool v)
      : key(k), value(v ? "true" : "false"), number(true) {}
  absl::string_view key;
  std::string value;
  bool number;
};
using LogFields = std::initializer_list<LogField>;

// Writes one event. As text: "<time> I <component>: <message>".
void LogEvent(LogLevel level, absl::string_view component,
              absl::string_view event, LogFields fields,
              absl::string_view message);

// The event as the line it is written as (for tests).
std::string FormatLogEvent(LogFormat format, absl::string_view time,
                           LogLevel level, absl::string_view component,
                           absl::string_view event, LogFields fields,
                           absl::string_view message);

}  // namespace dibao

#endif  // DIBAO_BASE_LOG_H_
