// gRPC request metadata keys shared by the server and its clients.
#ifndef DIBAO_FORMATS_METADATA_H_
#define DIBAO_FORMATS_METADATA_H_

namespace dibao {

// Names who acts (a caseworker or operator ID) until real authentication
// arrives; recorded in the registry history and, later, the audit trail.
inline constexpr char kActorMetadataKey[] = "x-dibao-actor";

}  // namespace dibao

#endif  // DIBAO_FORMATS_METADATA_H_
