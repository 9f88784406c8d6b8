// gRPC request metadata keys shared by the server and its clients.
#ifndef DIBAO_FORMATS_METADATA_H_
#define DIBAO_FORMATS_METADATA_H_

namespace dibao {

// The console's signed-in user, on the server's in-process channel only,
// beside the token the server gave the console at start-up (random, never
// leaves the process): the server honours the user with that token and on
// no other channel (a network caller is who its certificate says;
// services/gatekeeper.h).
inline constexpr char kConsoleUserMetadataKey[] = "x-dibao-console-user";
inline constexpr char kInProcessTokenMetadataKey[] = "x-dibao-in-process-token";

}  // namespace dibao

#endif  // DIBAO_FORMATS_METADATA_H_
