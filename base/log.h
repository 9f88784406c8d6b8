// Timestamped log lines on stderr for the server.
//
// Never pass a full ID number or name: mask them with MaskId/MaskName
// (base/resident_id.h) first.
//
// Thread-safe: one write(2) per line, so lines from threads do not interleave.
#ifndef DIBAO_BASE_LOG_H_
#define DIBAO_BASE_LOG_H_

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace dibao {

enum class LogLevel { kInfo, kWarning, kError };

void LogLine(LogLevel level, absl::string_view message);

template <typename... Args>
void LogInfo(const Args&... args) {
  LogLine(LogLevel::kInfo, absl::StrCat(args...));
}
template <typename... Args>
void LogWarning(const Args&... args) {
  LogLine(LogLevel::kWarning, absl::StrCat(args...));
}
template <typename... Args>
void LogError(const Args&... args) {
  LogLine(LogLevel::kError, absl::StrCat(args...));
}

}  // namespace dibao

#endif  // DIBAO_BASE_LOG_H_
