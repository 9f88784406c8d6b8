// Time as dibao-audit sees it: an injectable clock and the bureau's calendar.
//
// Anything that stamps a record or compares against "today" takes a Clock so
// tests and replays control time (leveldb's Env::NowMicros() seam).
#ifndef DIBAO_BASE_CLOCK_H_
#define DIBAO_BASE_CLOCK_H_

#include "absl/synchronization/mutex.h"
#include "absl/time/civil_time.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace dibao {

// China Standard Time, UTC+8 all year (no daylight saving). Fixed rather than
// loaded from tzdata so a minimal container needs no zone files.
inline absl::TimeZone BureauTimeZone() {
  return absl::FixedTimeZone(8 * 60 * 60);
}

// Thread-safe.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual absl::Time Now() = 0;
  // The bureau's calendar day at Now().
  absl::CivilDay Today() { return absl::ToCivilDay(Now(), BureauTimeZone()); }
};

class SystemClock : public Clock {
 public:
  absl::Time Now() override { return absl::Now(); }
};

// A clock that only moves when told to; for tests and replays.
class FakeClock : public Clock {
 public:
  explicit FakeClock(absl::Time now) : now_(now) {}
  absl::Time Now() override {
    absl::MutexLock lock(&mu_);
    return now_;
  }
  void Set(absl::Time t) {
    absl::MutexLock lock(&mu_);
    now_ = t;
  }
  void Advance(absl::Duration d) {
    absl::MutexLock lock(&mu_);
    now_ += d;
  }

 private:
  absl::Mutex mu_;
  absl::Time now_ ABSL_GUARDED_BY(mu_);
};

}  // namespace dibao

#endif  // DIBAO_BASE_CLOCK_H_
