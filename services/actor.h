// Who is acting in a call: the caseworker or operator ID the client names in
// the x-dibao-actor metadata (formats/metadata.h), until real
// authentication arrives.
#ifndef DIBAO_SERVICES_ACTOR_H_
#define DIBAO_SERVICES_ACTOR_H_

#include <grpcpp/server_context.h>

#include <string>

#include "absl/status/statusor.h"
#include "formats/metadata.h"

namespace dibao {

// The actor named in the call's metadata, or "unidentified" (feeds and
// imports from scripts that do not say).
std::string ActorOf(const grpc::ServerContext& context);

// The caseworker named in the call's metadata: review decisions and
// approvals must say who made them. UNAUTHENTICATED when none is named.
absl::StatusOr<std::string> CaseworkerOf(const grpc::ServerContext& context);

}  // namespace dibao

#endif  // DIBAO_SERVICES_ACTOR_H_
