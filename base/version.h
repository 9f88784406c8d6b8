// The project's version and the commit it was built from, for --version.
//
// Thread-safe: constants only.
#ifndef DIBAO_BASE_VERSION_H_
#define DIBAO_BASE_VERSION_H_

#include <string>

#include "absl/strings/string_view.h"

namespace dibao {

// "0.1.0".
absl::string_view ProjectVersion();
// `git describe` of the build's tree, e.g. "4625a5c1f0e2" or
// "4625a5c1f0e2-dirty"; "unknown" when built outside a git checkout.
absl::string_view BuildCommit();
// "dibaoctl 0.1.0 (commit 4625a5c1f0e2)".
std::string VersionLine(absl::string_view program);

}  // namespace dibao

#endif  // DIBAO_BASE_VERSION_H_
