#include "services/reloader.h"

#include <fstream>
#include <iterator>
#include <memory>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "base/log.h"
#include "base/sha256.h"
#include "base/status_macros.h"
#include "google/protobuf/util/message_differencer.h"
#include "matcher/policy.h"
#include "services/server.h"

namespace dibao {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::util::MessageDifferencer;

v1::ReloadedPart Part(absl::string_view part, const std::string& file) {
  v1::ReloadedPart p;
  p.set_part(std::string(part));
  p.set_file(file);
  return p;
}

FeedGuards GuardsOf(const v1::ServerConfig& config) {
  const FeedStoreOptions o = FromConfig(config).feeds;
  return {o.max_records_per_batch, o.mass_retirement_min,
          o.snapshot_max_rejected_percent};
}

std::string Describe(const FeedGuards& g) {
  return absl::StrCat("max_records_per_batch ", g.max_records_per_batch,
                      ", mass_retirement_min ", g.mass_retirement_min,
                      ", snapshot_max_rejected_percent ",
                      g.snapshot_max_rejected_percent);
}

// The top-level fields (and feeds.* fields) `after` changes that a reload
// does not apply.
std::vector<std::string> RestartOnly(v1::ServerConfig before,
                                     v1::ServerConfig after) {
  for (v1::ServerConfig* c : {&before, &after}) {
    v1::FeedConfig* f = c->mutable_feeds();
    f->clear_max_records_per_batch();
    f->clear_mass_retirement_min();
    f->clear_snapshot_max_rejected_percent();
  }
  std::vector<std::string> changed;
  MessageDifferencer differ;
  const auto* descriptor = v1::ServerConfig::descriptor();
  for (int i = 0; i < descriptor->field_count(); ++i) {
    const FieldDescriptor* field = descriptor->field(i);
    if (!differ.CompareWithFields(before, after, {field}, {field})) {
      changed.push_back(field->name());
    }
  }
  return changed;
}

}  // namespace

absl::StatusOr<std::string> FileSha256(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", path));
  const std::string bytes((std::istreambuf_iterator<char>(in)),
                          std::istreambuf_iterator<char>());
  return Sha256::Hex(Sha256::Of(bytes));
}

absl::StatusOr<v1::ReloadResponse> Reloader::Reload(absl::string_view actor) {
  absl::MutexLock lock(&mu_);
  v1::ReloadResponse response;
  // Settings first: they say nothing of who may call, and a refused
  // policy or principals file must not keep them from being read.
  auto settings = ReloadSettings(actor);
  if (!settings.ok()) return settings.status();
  *response.add_parts() = *std::move(settings);
  auto policy = ReloadPolicy(actor);
  if (!policy.ok()) return policy.status();
  *response.add_parts() = *std::move(policy);
  auto principals = ReloadPrincipals(actor);
  if (!principals.ok()) return principals.status();
  *response.add_parts() = *std::move(principals);
  return response;
}

absl::StatusOr<v1::ReloadedPart> Reloader::ReloadPolicy(
    absl::string_view actor) {
  v1::ReloadedPart part = Part("policy", sources_.policy_file);
  if (sources_.policy_file.empty()) {
    part.set_outcome(v1::ReloadedPart::NOT_CONFIGURED);
    part.set_detail(
        "the server was started without a policy; a reload does not add "
        "one (restart with --policy)");
    return part;
  }
  v1::AuditEntry entry;
  entry.set_actor(std::string(actor));
  entry.set_action(v1::AUDIT_ACTION_POLICY_RELOADED);
  absl::StatusOr<std::string> sha = FileSha256(sources_.policy_file);
  absl::StatusOr<v1::Policy> loaded =
      sha.ok() ? LoadPolicy(sources_.policy_file)
               : absl::StatusOr<v1::Policy>(sha.status());
  if (!loaded.ok()) {
    part.set_outcome(v1::ReloadedPart::REFUSED);
    part.set_detail(absl::StrCat("refused, the policy in force (sha256 ",
                                 sources_.policy_sha256,
                                 ") stays: ", loaded.status().message()));
    entry.set_detail(absl::StrCat(sources_.policy_file, ": ", part.detail()));
    RETURN_IF_ERROR(audit_->Append(std::move(entry)));
    LogEvent(
        LogLevel::kError, "config", "policy_reload_refused", {{"actor", actor}},
        absl::StrCat("policy not reloaded (", actor, "): ", part.detail()));
    return part;
  }
  part.set_sha256(*sha);
  if (*sha == sources_.policy_sha256) {
    part.set_outcome(v1::ReloadedPart::UNCHANGED);
    part.set_detail("the same as the policy in force");
    entry.set_detail(
        absl::StrCat(sources_.policy_file, ": unchanged (sha256 ", *sha, ")"));
    RETURN_IF_ERROR(audit_->Append(std::move(entry)));
    return part;
  }
  part.set_outcome(v1::ReloadedPart::RELOADED);
  part.set_detail(absl::StrCat(
      "in force from the next cycle and check on (was sha256 ",
      sources_.policy_sha256, "); the next cycle re-assesses every household"));
  entry.set_detail(absl::StrCat(sources_.policy_file, ": sha256 ",
                                sources_.policy_sha256, " -> ", *sha));
  // On the chain before it is in force: no cycle runs under a policy the
  // audit log does not show.
  RETURN_IF_ERROR(audit_->Append(std::move(entry)));
  cycles_->SetPolicy(std::make_shared<const v1::Policy>(*std::move(loaded)));
  sources_.policy_sha256 = *sha;
  LogEvent(LogLevel::kInfo, "config", "policy_reloaded",
           {{"actor", actor},
            {"file", sources_.policy_file},
            {"sha256", part.sha256()}},
           absl::StrCat("policy reloaded by ", actor, ": ",
                        sources_.policy_file, " sha256 ", part.sha256()));
  return part;
}

absl::StatusOr<v1::ReloadedPart> Reloader::ReloadSettings(
    absl::string_view actor) {
  v1::ReloadedPart part = Part("settings", sources_.config_file);
  if (sources_.config_file.empty()) {
    part.set_outcome(v1::ReloadedPart::NOT_CONFIGURED);
    part.set_detail("the server was started without a config file");
    return part;
  }
  v1::AuditEntry entry;
  entry.set_actor(std::string(actor));
  entry.set_action(v1::AUDIT_ACTION_SETTINGS_RELOADED);
  absl::StatusOr<std::string> sha = FileSha256(sources_.config_file);
  absl::StatusOr<v1::ServerConfig> loaded =
      sha.ok() ? LoadServerConfig(sources_.config_file)
               : absl::StatusOr<v1::ServerConfig>(sha.status());
  FeedGuards guards;
  if (loaded.ok()) {
    guards = GuardsOf(*loaded);
    if (absl::Status s = CheckFeedGuards(guards); !s.ok()) loaded = s;
  }
  if (!loaded.ok()) {
    part.set_outcome(v1::ReloadedPart::REFUSED);
    part.set_detail(absl::StrCat("refused, the settings in force stay: ",
                                 loaded.status().message()));
    entry.set_detail(absl::StrCat(sources_.config_file, ": ", part.detail()));
    RETURN_IF_ERROR(audit_->Append(std::move(entry)));
    LogEvent(
        LogLevel::kError, "config", "settings_reload_refused",
        {{"actor", actor}},
        absl::StrCat("settings not reloaded (", actor, "): ", part.detail()));
    return part;
  }
  part.set_sha256(*sha);
  const FeedGuards before = feeds_->guards();
  const std::vector<std::string> restart =
      RestartOnly(sources_.config, *loaded);
  const bool same =
      before.max_records_per_batch == guards.max_records_per_batch &&
      before.mass_retirement_min == guards.mass_retirement_min &&
      before.snapshot_max_rejected_percent ==
          guards.snapshot_max_rejected_percent;
  part.set_outcome(same ? v1::ReloadedPart::UNCHANGED
                        : v1::ReloadedPart::RELOADED);
  part.set_detail(absl::StrCat(
      same ? "feed guards unchanged: " : "feed guards now: ", Describe(guards),
      same ? "" : absl::StrCat(" (were: ", Describe(before), ")"),
      restart.empty()
          ? ""
          : absl::StrCat("; changed but applied only at a restart: ",
                         absl::StrJoin(restart, ", "))));
  entry.set_detail(absl::StrCat(sources_.config_file, " (sha256 ", *sha,
                                "): ", part.detail()));
  RETURN_IF_ERROR(audit_->Append(std::move(entry)));
  if (!same) {
    RETURN_IF_ERROR(feeds_->SetGuards(guards));
    LogEvent(LogLevel::kInfo, "config", "settings_reloaded", {{"actor", actor}},
             absl::StrCat("settings reloaded by ", actor, ": ", part.detail()));
  }
  // What a restart will apply stays as it was started: the next reload
  // names those fields again.
  v1::ServerConfig kept = sources_.config;
  kept.mutable_feeds()->set_max_records_per_batch(guards.max_records_per_batch);
  kept.mutable_feeds()->set_mass_retirement_min(guards.mass_retirement_min);
  kept.mutable_feeds()->set_snapshot_max_rejected_percent(
      guards.snapshot_max_rejected_percent);
  sources_.config = std::move(kept);
  return part;
}

absl::StatusOr<v1::ReloadedPart> Reloader::ReloadPrincipals(
    absl::string_view actor) {
  v1::ReloadedPart part = Part("principals", gate_->principals_file());
  if (gate_->principals_file().empty()) {
    part.set_outcome(v1::ReloadedPart::NOT_CONFIGURED);
    part.set_detail("the server was started without a principals file");
    return part;
  }
  const std::string before = gate_->principals_sha256();
  // The gatekeeper audits its own reloads, refused or not.
  absl::StatusOr<v1::ReloadPrincipalsResponse> reloaded = gate_->Reload(actor);
  if (!reloaded.ok()) {
    if (absl::IsUnavailable(reloaded.status()) ||
        absl::IsInternal(reloaded.status())) {
      return reloaded.status();  // the audit chain could not be written
    }
    part.set_outcome(v1::ReloadedPart::REFUSED);
    part.set_detail(absl::StrCat("refused, the principals in force stay: ",
                                 reloaded.status().message()));
    return part;
  }
  part.set_sha256(reloaded->sha256());
  const bool same = reloaded->sha256() == before;
  part.set_outcome(same ? v1::ReloadedPart::UNCHANGED
                        : v1::ReloadedPart::RELOADED);
  part.set_detail(absl::StrCat(reloaded->principals(), " principals",
                               same ? ", unchanged" : ""));
  return part;
}

}  // namespace dibao
