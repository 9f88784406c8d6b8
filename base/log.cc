#include "base/log.h"

#include <unistd.h>

#include <string>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "base/clock.h"

namespace dibao {

void LogLine(LogLevel level, absl::string_view message) {
  const char* tag = level == LogLevel::kInfo      ? "I"
                    : level == LogLevel::kWarning ? "W"
                                                  : "E";
  std::string line = absl::StrCat(
      absl::FormatTime("%Y-%m-%dT%H:%M:%E3S%Ez", absl::Now(), BureauTimeZone()),
      " ", tag, " ", message, "\n");
  // Best effort: a failed log write must not take the server down.
  [[maybe_unused]] ssize_t n = ::write(STDERR_FILENO, line.data(), line.size());
}

}  // namespace dibao
