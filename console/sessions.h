// Signed-in console sessions and the sign-in throttle, kept in memory: a
// restart signs everyone out, which is the safe direction.
//
// A session is named by a random 256-bit token (the HttpOnly cookie) and
// carries its own random CSRF token, which every changing request must echo
// in a header; a page on another site can send the cookie but cannot read
// the CSRF token. Sessions end after `idle` without a request and after
// `max_age` whatever happens.
//
// Thread-safe.
#ifndef DIBAO_CONSOLE_SESSIONS_H_
#define DIBAO_CONSOLE_SESSIONS_H_

#include <optional>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "base/clock.h"
#include "dibao/v1/console.pb.h"

namespace dibao {

struct ConsoleSessionOptions {
  // A session unused this long ends.
  absl::Duration idle = absl::Minutes(30);
  // A session ends this long after sign-in, used or not.
  absl::Duration max_age = absl::Hours(12);
  // After this many wrong passwords for one user ID within `lockout`,
  // sign-in for that ID is refused until `lockout` has passed since the
  // last failure (guessing online stays slow even with a weak password).
  int max_failures = 5;
  absl::Duration lockout = absl::Minutes(15);
};

struct ConsoleSession {
  std::string user_id;
  std::string user_name;
  std::string csrf_token;
  absl::Time signed_in;
  absl::Time last_seen;
};

class ConsoleSessions {
 public:
  // `clock` must outlive this.
  ConsoleSessions(Clock* clock, ConsoleSessionOptions options);

  // Starts a session for `user`; returns its token (the cookie value), and
  // the session in `started` when given.
  std::string Start(const v1::ConsoleUser& user,
                    ConsoleSession* started = nullptr);
  // The live session named by `token`, and marks it used; nullopt when
  // there is none or it has expired (an expired one is dropped).
  std::optional<ConsoleSession> Find(absl::string_view token);
  // Ends the session (sign out); no-op for an unknown token.
  void End(absl::string_view token);

  // Starts a sign-in attempt for `user_id` (a valid ID: CheckPrincipalId).
  // RESOURCE_EXHAUSTED, saying for how long, while the ID is locked out;
  // attempts still being checked count as failures here, so guesses sent
  // in parallel get no more tries than guesses sent one by one. Every OK
  // must be followed by EndSignIn.
  absl::Status BeginSignIn(absl::string_view user_id);
  void EndSignIn(absl::string_view user_id, bool succeeded);

 private:
  struct Failures {
    int count = 0;
    int in_flight = 0;
    absl::Time last;
  };
  void SweepLocked(absl::Time now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  Clock* const clock_;
  const ConsoleSessionOptions options_;
  absl::Mutex mu_;
  absl::flat_hash_map<std::string, ConsoleSession> sessions_
      ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, Failures> failures_ ABSL_GUARDED_BY(mu_);
  absl::Time last_sweep_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
};

// True when `a` and `b` are equal, in time independent of where they differ.
bool TokensEqual(absl::string_view a, absl::string_view b);

}  // namespace dibao

#endif  // DIBAO_CONSOLE_SESSIONS_H_
