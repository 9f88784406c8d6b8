#include "base/log.h"

#include <unistd.h>

#include <atomic>

#include "absl/strings/numbers.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "base/clock.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"

namespace dibao {
namespace {

std::atomic<LogFormat> g_format{LogFormat::kText};

const char* LevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kWarning:
      return "warning";
    case LogLevel::kError:
      return "error";
  }
  return "info";
}

}  // namespace

void SetLogFormat(LogFormat format) { g_format.store(format); }

absl::StatusOr<LogFormat> ParseLogFormat(absl::string_view name) {
  if (name == "text") return LogFormat::kText;
  if (name == "json") return LogFormat::kJson;
  return absl::InvalidArgumentError(
      absl::StrCat("log format \"", name, "\": text or json"));
}

std::string FormatLogEvent(LogFormat format, absl::string_view time,
                           LogLevel level, absl::string_view component,
                           absl::string_view event, LogFields fields,
                           absl::string_view message) {
  if (format == LogFormat::kText) {
    const char* tag = level == LogLevel::kInfo      ? "I"
                      : level == LogLevel::kWarning ? "W"
                                                    : "E";
    return absl::StrCat(time, " ", tag, " ", component, ": ", message, "\n");
  }
  // protobuf's JSON printer does the escaping (quotes, control characters).
  google::protobuf::Struct line;
  auto& f = *line.mutable_fields();
  f["ts"].set_string_value(std::string(time));
  f["level"].set_string_value(LevelName(level));
  f["component"].set_string_value(std::string(component));
  f["event"].set_string_value(std::string(event));
  f["message"].set_string_value(std::string(message));
  auto& values = *f["fields"].mutable_struct_value()->mutable_fields();
  for (const LogField& field : fields) {
    google::protobuf::Value& v = values[std::string(field.key)];
    double number;
    if (field.number && (field.value == "true" || field.value == "false")) {
      v.set_bool_value(field.value == "true");
    } else if (field.number && absl::SimpleAtod(field.value, &number)) {
      v.set_number_value(number);
    } else {
      v.set_string_value(field.value);
    }
  }
  std::string out;
  if (!google::protobuf::util::MessageToJsonString(line, &out).ok()) {
    out = absl::StrCat("{\"event\":\"log_unprintable\",\"component\":\"",
                       component, "\"}");
  }
  out.push_back('\n');
  return out;
}

void LogEvent(LogLevel level, absl::string_view component,
              absl::string_view event, LogFields fields,
              absl::string_view message) {
  const std::string line = FormatLogEvent(
      g_format.load(),
      absl::FormatTime("%Y-%m-%dT%H:%M:%E3S%Ez", absl::Now(), BureauTimeZone()),
      level, component, event, fields, message);
  // Best effort: a failed log write must not take the server down.
  [[maybe_unused]] ssize_t n = ::write(STDERR_FILENO, line.data(), line.size());
}

}  // namespace dibao
