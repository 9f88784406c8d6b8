#include "console/sessions.h"

#include <sodium.h>

#include <algorithm>
#include <cmath>
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

// Failures are counted per user ID and address.
std::string FailureKey(absl::string_view user_id, absl::string_view source) {
  return absl::StrCat(user_id, "\n", source);
}

}  // namespace

ConsoleSessions::ConsoleSessions(Clock* clock, ConsoleSessionOptions options)
    : clock_(clock), options_(options) {}

std::string ConsoleSessions::Start(const v1::ConsoleUser& user,
                                   ConsoleSession* started, std::string role,
                                   std::string jurisdiction) {
  const absl::Time now = clock_->Now();
  std::string token = RandomToken();
  ConsoleSession session{user.id(),
                         user.name(),
                         std::move(role),
                         std::move(jurisdiction),
                         RandomToken(),
                         now,
                         now};
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

absl::Status ConsoleSessions::AdmitSourceLocked(absl::string_view source,
                                                absl::Time now) {
  auto it = sources_.find(source);
  if (it == sources_.end()) {
    if (static_cast<int>(sources_.size()) >= options_.max_sources) {
      return absl::ResourceExhaustedError(
          "too many sign-ins at once: try again in a minute");
    }
    it = sources_
             .emplace(source,
                      Attempts{static_cast<double>(options_.source_burst), now})
             .first;
  }
  Attempts& a = it->second;
  if (a.in_flight > 0) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "a sign-in from ", source, " is still being checked: one at a time"));
  }
  const double per_second = options_.source_per_minute / 60.0;
  a.tokens = std::min<double>(
      options_.source_burst,
      a.tokens + absl::ToDoubleSeconds(now - a.refilled) * per_second);
  a.refilled = now;
  if (a.tokens < 1) {
    const int64_t seconds = std::max<int64_t>(
        1, static_cast<int64_t>(std::ceil((1 - a.tokens) / per_second)));
    return absl::ResourceExhaustedError(
        absl::StrCat("too many sign-ins from ", source, ": try again in ",
                     seconds, " second", seconds == 1 ? "" : "s"));
  }
  a.tokens -= 1;
  ++a.in_flight;
  return absl::OkStatus();
}

void ConsoleSessions::EndSourceLocked(absl::string_view source) {
  auto it = sources_.find(source);
  if (it != sources_.end()) {
    it->second.in_flight = std::max(0, it->second.in_flight - 1);
  }
}

absl::Status ConsoleSessions::BeginSignIn(absl::string_view user_id,
                                          absl::string_view source) {
  const absl::Time now = clock_->Now();
  absl::MutexLock lock(&mu_);
  SweepLocked(now);
  if (absl::Status s = AdmitSourceLocked(source, now); !s.ok()) return s;
  Failures& f = failures_[FailureKey(user_id, source)];
  if (f.count > 0 && f.in_flight == 0 && now - f.last >= options_.lockout) {
    f.count = 0;
  }
  if (f.count + f.in_flight >= options_.max_failures) {
    const int64_t minutes = std::max<int64_t>(
        1, absl::ToInt64Minutes(options_.lockout - (now - f.last) +
                                absl::Minutes(1) - absl::Nanoseconds(1)));
    EndSourceLocked(source);
    return absl::ResourceExhaustedError(absl::StrCat(
        "too many wrong passwords for this user from this address: try again "
        "in ",
        minutes, " minute", minutes == 1 ? "" : "s"));
  }
  ++f.in_flight;
  return absl::OkStatus();
}

void ConsoleSessions::EndSignIn(absl::string_view user_id,
                                absl::string_view source, bool succeeded) {
  Finish(user_id, source, succeeded ? Outcome::kSucceeded : Outcome::kFailed);
}

void ConsoleSessions::AbandonSignIn(absl::string_view user_id,
                                    absl::string_view source) {
  Finish(user_id, source, Outcome::kAbandoned);
}

void ConsoleSessions::Finish(absl::string_view user_id,
                             absl::string_view source, Outcome outcome) {
  const absl::Time now = clock_->Now();
  absl::MutexLock lock(&mu_);
  EndSourceLocked(source);
  auto it = failures_.find(FailureKey(user_id, source));
  if (it == failures_.end()) return;
  Failures& f = it->second;
  f.in_flight = std::max(0, f.in_flight - 1);
  if (outcome == Outcome::kSucceeded) {
    f.count = 0;
  } else if (outcome == Outcome::kFailed) {
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
  // An address idle long enough to have its whole burst back is forgotten.
  const absl::Duration refill = absl::Seconds(
      60.0 * options_.source_burst / std::max(1, options_.source_per_minute));
  absl::erase_if(sources_, [&](const auto& entry) {
    return entry.second.in_flight == 0 && now - entry.second.refilled >= refill;
  });
}

bool TokensEqual(absl::string_view a, absl::string_view b) {
  if (a.size() != b.size() || a.empty()) return false;
  return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace dibao
