// The headers nearly every test driver parses, compiled once per build into
// a precompiled header that all of them reuse (tests/CMakeLists.txt,
// test_precompiled). Parsing these was a third of a test's compile, and the
// test command compiles every test twice (Release and the sanitizer build).
// Only system, GoogleTest and generated headers belong here: a test still
// includes what it uses, so it builds the same without this file.
#ifndef DIBAO_TESTS_TESTING_PRECOMPILED_H_
#define DIBAO_TESTS_TESTING_PRECOMPILED_H_

#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "dibao/v1/audit.grpc.pb.h"
#include "dibao/v1/feeds.grpc.pb.h"
#include "dibao/v1/matching.grpc.pb.h"
#include "dibao/v1/policy.pb.h"
#include "dibao/v1/recommendations.grpc.pb.h"
#include "dibao/v1/registry.grpc.pb.h"
#include "dibao/v1/reports.grpc.pb.h"
#include "dibao/v1/review.grpc.pb.h"
#include "gmock/gmock.h"
#include "google/protobuf/message.h"
#include "gtest/gtest.h"

#endif  // DIBAO_TESTS_TESTING_PRECOMPILED_H_
