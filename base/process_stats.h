// The running process's own figures from /proc (Linux), for the metrics
// every Prometheus client exports under process_*.
#ifndef DIBAO_BASE_PROCESS_STATS_H_
#define DIBAO_BASE_PROCESS_STATS_H_

#include <cstdint>

#include "absl/status/statusor.h"

namespace dibao {

struct ProcessStats {
  int64_t resident_bytes = 0;
  int64_t virtual_bytes = 0;
  double cpu_seconds = 0;  // user + system
  int64_t open_fds = 0;
  int64_t max_fds = 0;
  int64_t threads = 0;
  double start_time_seconds = 0;  // Unix time
};

// UNAVAILABLE when /proc cannot be read (not Linux, or no /proc mounted).
absl::StatusOr<ProcessStats> ReadProcessStats();

}  // namespace dibao

#endif  // DIBAO_BASE_PROCESS_STATS_H_
