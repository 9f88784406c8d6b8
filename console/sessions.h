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
  // After this many wrong passwords for one user ID from one address
  // within `lockout`, sign-in for that ID from that address is refused
  // until `lockout` has passed since the last failure: guessing online
  // stays slow even with a weak password, and someone guessing elsewhere
  // does not lock the user out.
  int max_failures = 5;
  absl::Duration lockout = absl::Minutes(15);
  // Sign-in attempts one address may start, whatever the user ID: a burst
  // of `source_burst`, then `source_per_minute`, one at a time. Checked
  // before a password is hashed, so a flood from one client costs it, not
  // the others.
  int source_burst = 10;
  int source_per_minute = 10;
  // Addresses tracked at once; beyond it, new addresses wait for the next
  // sweep (a flood from many addresses cannot grow the table).
  int max_sources = 65536;
};

struct ConsoleSession {
  std::string user_id;
  std::string user_name;
  // The user's principal: its role and jurisdiction, as shown.
  std::string role;
  std::string jurisdiction;
  std::string csrf_token;
  absl::Time signed_in;
  absl::Time last_seen;
};

class ConsoleSessions {
 public:
  // `clock` must outlive this.
  ConsoleSessions(Clock* clock, ConsoleSessionOptions options);

  // Starts a session for `user` with its principal's `role` and
  // `jurisdiction` (as shown); returns its token (the cookie value), and the
  // session in `started` when given.
  std::string Start(const v1::ConsoleUser& user,
                    ConsoleSession* started = nullptr, std::string role = "",
                    std::string jurisdiction = "");
  // The live session named by `token`, and marks it used; nullopt when
  // there is none or it has expired (an expired one is dropped).
  std::optional<ConsoleSession> Find(absl::string_view token);
  // Ends the session (sign out); no-op for an unknown token.
  void End(absl::string_view token);

  // Starts a sign-in attempt for `user_id` (a valid ID: CheckPrincipalId)
  // from `source` (the client's address). RESOURCE_EXHAUSTED, saying for
  // how long, when the address has used its attempts or the ID is locked
  // out from that address; attempts still being checked count as failures
  // here, so guesses sent in parallel get no more tries than guesses sent
  // one by one. Every OK must be followed by EndSignIn.
  absl::Status BeginSignIn(absl::string_view user_id, absl::string_view source);
  void EndSignIn(absl::string_view user_id, absl::string_view source,
                 bool succeeded);
  // Ends an attempt that was never checked (the server was busy): neither
  // a failure nor a success.
  void AbandonSignIn(absl::string_view user_id, absl::string_view source);

 private:
  struct Failures {
    int count = 0;
    int in_flight = 0;
    absl::Time last;
  };
  // A token bucket of sign-in attempts.
  struct Attempts {
    double tokens = 0;
    absl::Time refilled;
    // Being checked now: one at a time per address, so one client holds
    // at most one of the server's hashing slots.
    int in_flight = 0;
  };
  void EndSourceLocked(absl::string_view source)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  enum class Outcome { kSucceeded, kFailed, kAbandoned };
  // Ends an attempt begun by BeginSignIn.
  void Finish(absl::string_view user_id, absl::string_view source,
              Outcome outcome);
  absl::Status AdmitSourceLocked(absl::string_view source, absl::Time now)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void SweepLocked(absl::Time now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  Clock* const clock_;
  const ConsoleSessionOptions options_;
  absl::Mutex mu_;
  absl::flat_hash_map<std::string, ConsoleSession> sessions_
      ABSL_GUARDED_BY(mu_);
  // By user ID and address.
  absl::flat_hash_map<std::string, Failures> failures_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, Attempts> sources_ ABSL_GUARDED_BY(mu_);
  absl::Time last_sweep_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
};

// True when `a` and `b` are equal, in time independent of where they differ.
bool TokensEqual(absl::string_view a, absl::string_view b);

}  // namespace dibao

#endif  // DIBAO_CONSOLE_SESSIONS_H_
