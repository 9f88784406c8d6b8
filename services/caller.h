// A caller the gatekeeper proved and admitted (services/gatekeeper.h).
#ifndef DIBAO_SERVICES_CALLER_H_
#define DIBAO_SERVICES_CALLER_H_

#include <string>

#include "dibao/v1/access.pb.h"

namespace dibao {

struct Caller {
  v1::Principal principal;
  // "certificate", "local socket" or "console".
  std::string proven_by;
  // What it called, "ReviewService.GetCase", and why, as it said (empty:
  // it did not say).
  std::string method;
  std::string purpose;

  const std::string& id() const { return principal.id(); }
  v1::Role role() const { return principal.role(); }
};

}  // namespace dibao

#endif  // DIBAO_SERVICES_CALLER_H_
