// The dibaoctl commands, one function each, sharing a little plumbing.
// Internal to cli/: callers use RunCli (cli.h).
#ifndef DIBAO_CLI_COMMANDS_H_
#define DIBAO_CLI_COMMANDS_H_

#include <grpcpp/channel.h>
#include <grpcpp/client_context.h>

#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "base/text_input.h"
#include "cli/cli.h"
#include "dibao/v1/feeds.pb.h"
#include "dibao/v1/matching.pb.h"
#include "dibao/v1/registry.grpc.pb.h"

namespace dibao::cli {

// What every command gets.
struct Env {
  const CliOptions& options;
  const std::vector<std::string>& args;  // after the command words
  std::ostream& out;
  std::ostream& err;
};

// A call context with the deadline and the actor metadata set.
std::unique_ptr<grpc::ClientContext> NewContext(const CliOptions& options,
                                                bool streaming = false);
std::shared_ptr<grpc::Channel> Connect(const CliOptions& options);
// Prints "error: CODE: message" and returns kExitFailed.
int Fail(std::ostream& err, const absl::Status& status);
absl::Status FromGrpc(const grpc::Status& status);
// Opens an input file as UTF-8 text in the --encoding given (or detected).
absl::StatusOr<std::unique_ptr<TextInput>> OpenInput(const CliOptions& options,
                                                     const std::string& path);

// A partner fact's own fields as its agency's file shows them ("header =
// row"), without the person's ID and name; empty for an unknown kind.
std::string FactValuesText(const v1::Fact& fact);

// A finding as a caseworker reads it: summary, partner facts with agency,
// batch and validity, the reported values, and the money at stake.
void PrintFinding(const v1::Finding& f, std::ostream& out);
// Why a decided flag was reopened, and its evidence versions (when it has
// more than one) with the batches each came from.
void PrintFlagHistory(const v1::Flag& f, std::ostream& out);

int IdCheck(const Env& env);
int Health(const Env& env);
int WhoAmI(const Env& env);
int PrincipalsReload(const Env& env);
int Reload(const Env& env);
int BackupCreate(const Env& env);
int BackupList(const Env& env);
int SampleGenerate(const Env& env);
int RegistryImport(const Env& env);
int RegistryExport(const Env& env);
int RegistryGet(const Env& env);
int RegistryFind(const Env& env);
int RegistryList(const Env& env);
int RegistryHistory(const Env& env);
int FeedPush(const Env& env);
int FeedBatches(const Env& env);
int FeedRejects(const Env& env);
int FeedFeedback(const Env& env);
int PersonShow(const Env& env);
int CycleRun(const Env& env);
int CycleList(const Env& env);
int FlagsList(const Env& env);
int FlagsShow(const Env& env);
int AssessmentShow(const Env& env);
int Check(const Env& env);
int ReportStats(const Env& env);
int ReportFeedQuality(const Env& env);
int ReportPosting(const Env& env);
int ReportForecast(const Env& env);
int ReportCliff(const Env& env);
int SpotCheckDraw(const Env& env);
int SpotCheckList(const Env& env);
int SpotCheckShow(const Env& env);
int ReviewList(const Env& env);
int ReviewShow(const Env& env);
int ReviewClaim(const Env& env);
int ReviewAssign(const Env& env);
int ReviewComment(const Env& env);
int ReviewDecide(const Env& env);
int ReviewVisit(const Env& env);
int AuditVerify(const Env& env);
int AuditHistory(const Env& env);
int RecommendationsGenerate(const Env& env);
int RecommendationsList(const Env& env);
int RecommendationsShow(const Env& env);
int RecommendationsEvaluate(const Env& env);
int RecommendationsReview(const Env& env);
int RecommendationsApprove(const Env& env);
int RecommendationsReject(const Env& env);
int UserAdd(const Env& env);
int UserList(const Env& env);

}  // namespace dibao::cli

#endif  // DIBAO_CLI_COMMANDS_H_
