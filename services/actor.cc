#include "services/actor.h"

#include "absl/strings/str_cat.h"
#include "formats/metadata.h"

namespace dibao {
namespace {

absl::string_view Named(const grpc::ServerContext& context) {
  const auto& metadata = context.client_metadata();
  auto it = metadata.find(kActorMetadataKey);
  if (it == metadata.end()) return {};
  return absl::string_view(it->second.data(), it->second.size());
}

}  // namespace

std::string ActorOf(const grpc::ServerContext& context) {
  const absl::string_view actor = Named(context);
  return actor.empty() ? "unidentified" : std::string(actor);
}

absl::StatusOr<std::string> CaseworkerOf(const grpc::ServerContext& context) {
  const absl::string_view actor = Named(context);
  if (actor.empty()) {
    return absl::UnauthenticatedError(absl::StrCat(
        "who is acting? name the caseworker (dibaoctl --caseworker ID or "
        "DIBAO_CASEWORKER; metadata ",
        kActorMetadataKey, ")"));
  }
  return std::string(actor);
}

}  // namespace dibao
