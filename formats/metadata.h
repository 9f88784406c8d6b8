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

// Why the caller reads what it reads ("2026 Q4 spot check", "console
// GetCase"): UTF-8, at most 128 bytes, recorded with every read of personal
// data on the audit chain; bulk exports require it. A binary header (the
// -bin suffix), so that it may be Chinese.
inline constexpr char kPurposeMetadataKey[] = "x-dibao-purpose-bin";

}  // namespace dibao

#endif  // DIBAO_FORMATS_METADATA_H_
