#include "console/sessions.h"

#include <sodium.h>

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"

namespace dibao {
namespace {

// 32 random bytes as 64 lower-case hex characters.
std::string RandomToken() {
  static const bool ready = sodium_init() >= 0;
  (void)ready;
  unsigned char bytes[32];
  randombytes_buf(bytes, sizeof bytes);
  char hex[sizeof bytes * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, bytes, sizeof bytes);
  return std::string(hex, sizeof bytes * 2);
}

}  // namespace

ConsoleSessions::ConsoleSessions(Clock* clock, ConsoleSessionOptions options)
    : clock_(clock), options_(options) {}

std::string ConsoleSessions::Start(const v1::ConsoleUser& user,
                                   ConsoleSession* started) {
  const absl::Time now = clock_->Now();
  std::string token = RandomToken();
  ConsoleSession session{user.id(), user.name(), RandomToken(), now, now};
  if (started != nullptr) *started = session;
  absl::MutexLock lock(&mu_);
  SweepLocked(now);
  sessions_.insert_or_assign(token, std::move(session));
  return token;
}

std::optional<ConsoleSession> ConsoleSessions::Find(absl::string_view token) {
  const absl::Time now = clock_->Now();
  absl::MutexLock lock(&mu_);
  auto it = sessions_.find(token);
  if (it == sessions_.end()) return std::nullopt;
  ConsoleSession& s = it->second;
  if (now - s.last_seen > options_.idle ||
      now - s.signed_in > options_.max_age) {
    sessions_.erase(it);
    return std::nullopt;
  }
  s.last_seen = now;
  return s;
}

void ConsoleSessions::End(absl::string_view token) {
  absl::MutexLock lock(&mu_);
  sessions_.erase(token);
}

absl::Status ConsoleSessions::BeginSignIn(absl::string_view user_id) {
  const absl::Time now = clock_->Now();
  absl::MutexLock lock(&mu_);
  SweepLocked(now);
  Failures& f = failures_[user_id];
  if (f.count > 0 && f.in_flight == 0 && now - f.last >= options_.lockout) {
    f.count = 0;
  }
  if (f.count + f.in_flight >= options_.max_failures) {
    const int64_t minutes = std::max<int64_t>(
        1, absl::ToInt64Minutes(options_.lockout - (now - f.last) +
                                absl::Minutes(1) - absl::Nanoseconds(1)));
    return absl::ResourceExhaustedError(
        absl::StrCat("too many wrong passwords for this user: try again in ",
                     minutes, " minute", minutes == 1 ? "" : "s"));
  }
  ++f.in_flight;
  return absl::OkStatus();
}

void ConsoleSessions::EndSignIn(absl::string_view user_id, bool succeeded) {
  const absl::Time now = clock_->Now();
  absl::MutexLock lock(&mu_);
  auto it = failures_.find(user_id);
  if (it == failures_.end()) return;
  Failures& f = it->second;
  f.in_flight = std::max(0, f.in_flight - 1);
  if (succeeded) {
    f.count = 0;
  } else {
    ++f.count;
    f.last = now;
  }
  if (f.count == 0 && f.in_flight == 0) failures_.erase(it);
}

void ConsoleSessions::SweepLocked(absl::Time now) {
  // At most once a minute, drop expired sessions and stale failure counts so
  // neither map grows without bound.
  if (now - last_sweep_ < absl::Minutes(1)) return;
  last_sweep_ = now;
  absl::erase_if(sessions_, [&](const auto& entry) {
    const ConsoleSession& s = entry.second;
    return now - s.last_seen > options_.idle ||
           now - s.signed_in > options_.max_age;
  });
  absl::erase_if(failures_, [&](const auto& entry) {
    return entry.second.in_flight == 0 &&
           now - entry.second.last >= options_.lockout;
  });
}

bool TokensEqual(absl::string_view a, absl::string_view b) {
  if (a.size() != b.size() || a.empty()) return false;
  return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace dibao
