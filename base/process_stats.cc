#include "base/process_stats.h"

#include <sys/resource.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"

namespace dibao {
namespace {

absl::StatusOr<std::string> ReadSmallFile(const char* path) {
  std::ifstream in(path);
  if (!in) return absl::UnavailableError(absl::StrCat("cannot read ", path));
  return std::string(std::istreambuf_iterator<char>(in), {});
}

}  // namespace

absl::StatusOr<ProcessStats> ReadProcessStats() {
  // /proc/self/stat: the command name in parentheses may hold spaces, so the
  // fields are counted from the last ')'; field 3 (state) comes first.
  absl::StatusOr<std::string> stat = ReadSmallFile("/proc/self/stat");
  if (!stat.ok()) return stat.status();
  const size_t close = stat->rfind(')');
  if (close == std::string::npos) {
    return absl::UnavailableError("/proc/self/stat has no command name");
  }
  std::vector<absl::string_view> f = absl::StrSplit(
      absl::string_view(*stat).substr(close + 2), ' ', absl::SkipEmpty());
  // f[0] is field 3; utime 14, stime 15, num_threads 20, starttime 22,
  // vsize 23, rss 24 (pages).
  auto field = [&](int number) -> int64_t {
    const size_t i = static_cast<size_t>(number - 3);
    int64_t v = 0;
    if (i < f.size()) (void)absl::SimpleAtoi(f[i], &v);
    return v;
  };
  const double ticks = static_cast<double>(::sysconf(_SC_CLK_TCK));
  const int64_t page = ::sysconf(_SC_PAGESIZE);
  ProcessStats s;
  s.cpu_seconds = static_cast<double>(field(14) + field(15)) / ticks;
  s.threads = field(20);
  s.virtual_bytes = field(23);
  s.resident_bytes = field(24) * page;
  // The boot time from /proc/stat's btime, plus the start in ticks.
  absl::StatusOr<std::string> system = ReadSmallFile("/proc/stat");
  if (system.ok()) {
    for (absl::string_view line : absl::StrSplit(*system, '\n')) {
      if (!absl::ConsumePrefix(&line, "btime ")) continue;
      int64_t boot = 0;
      if (absl::SimpleAtoi(line, &boot)) {
        s.start_time_seconds =
            static_cast<double>(boot) + static_cast<double>(field(22)) / ticks;
      }
      break;
    }
  }
  std::error_code ec;
  for (auto it = std::filesystem::directory_iterator("/proc/self/fd", ec);
       !ec && it != std::filesystem::directory_iterator(); it.increment(ec)) {
    ++s.open_fds;
  }
  struct rlimit limit;
  if (::getrlimit(RLIMIT_NOFILE, &limit) == 0) {
    s.max_fds = static_cast<int64_t>(limit.rlim_cur);
  }
  return s;
}

}  // namespace dibao
