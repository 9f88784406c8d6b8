// The dibaoctl command line: every command, its flags and its help, in one
// place (CLI11). `dibaoctl --help` lists the commands, `dibaoctl NOUN --help`
// a noun's verbs, `dibaoctl NOUN VERB --help` that command's flags. Flags
// are spelled with hyphens; each name means one thing everywhere.
#include <CLI/CLI.hpp>
#include <cstdlib>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "base/text_input.h"
#include "base/version.h"
#include "cli/cli.h"
#include "cli/commands.h"

namespace dibao::cli {
namespace {

using Command = int (*)(const Env&);

// Builds the command tree and remembers which command was chosen.
class CommandLine {
 public:
  CommandLine()
      : app_("dibaoctl: the command-line client of dibao-server", "dibaoctl") {
    // A flag given twice takes its last value (a script's defaults first,
    // then the caller's), as most command lines do.
    app_.option_defaults()->multi_option_policy(
        CLI::MultiOptionPolicy::TakeLast);
    app_.set_version_flag("--version", VersionLine("dibaoctl"));
    app_.require_subcommand(1);
    // Connection flags may follow the command words too.
    app_.fallthrough();
    app_.footer(
        "Exit status: 0 done, 1 failed, 2 usage error, 3 partly done (lines "
        "refused).\nEvery command has --help.");
    Connection();
    Commands();
  }

  // The chosen command and its positional arguments, after a successful
  // parse.
  int Run(std::ostream& out, std::ostream& err) {
    return chosen_(Env{o_, args_, out, err});
  }

  CLI::App& app() { return app_; }

 private:
  void Connection() {
    app_.add_option("--server", o_.server,
                    "dibao-server: HOST:PORT (TLS) or unix:PATH (its local "
                    "socket)")
        ->envname("DIBAO_SERVER")
        ->capture_default_str();
    // Who is acting is who the certificate says: the server records it
    // with every read and change.
    app_.add_option("--cert", o_.cert,
                    "your client certificate (PEM; its Common Name is your "
                    "principal)")
        ->envname("DIBAO_CERT");
    app_.add_option("--key", o_.key, "its private key (PEM)")
        ->envname("DIBAO_KEY");
    app_.add_option("--ca", o_.ca,
                    "the CA certificate the server's certificate chains to")
        ->envname("DIBAO_CA");
    app_.add_option("--tls-server-name", o_.tls_server_name,
                    "the name the server's certificate must carry, when not "
                    "the host of --server")
        ->envname("DIBAO_TLS_SERVER_NAME");
    app_.add_option("--purpose", o_.purpose,
                    "why you read the data (kept on the audit chain with "
                    "each read; registry export requires it), e.g. \"2026 Q4 "
                    "spot check\"")
        ->envname("DIBAO_PURPOSE");
    DurationOption(&app_, "--deadline", &o_.deadline,
                   "deadline of each call, e.g. 30s");
    DurationOption(&app_, "--stream-deadline", &o_.stream_deadline,
                   "deadline of a streaming import or export, e.g. 30m");
  }

  static void DurationOption(CLI::App* app, const std::string& name,
                             absl::Duration* to, const std::string& help) {
    app->add_option_function<std::string>(
           name,
           [name, to](const std::string& text) {
             if (!absl::ParseDuration(text, to) ||
                 *to <= absl::ZeroDuration()) {
               throw CLI::ValidationError(
                   name,
                   absl::StrCat("'", text,
                                "' is not a positive duration (30s, 5m)"));
             }
           },
           help)
        ->default_str(absl::FormatDuration(*to));
  }

  // A command: `verb` under `noun` (a one-word command when `noun` is null).
  CLI::App* Add(CLI::App* noun, const std::string& verb,
                const std::string& help, Command fn) {
    CLI::App* parent = noun != nullptr ? noun : &app_;
    CLI::App* cmd = parent->add_subcommand(verb, help);
    cmd->callback([this, fn] { chosen_ = fn; });
    return cmd;
  }
  CLI::App* Noun(const std::string& name, const std::string& help) {
    CLI::App* noun = app_.add_subcommand(name, help);
    noun->require_subcommand(1);
    return noun;
  }

  // Positional arguments: one (`required`) or any number of them.
  void Positional(CLI::App* cmd, const std::string& name,
                  const std::string& help, bool required = true) {
    auto* opt = cmd->add_option(name, args_, help);
    if (required) opt->required();
  }
  void One(CLI::App* cmd, const std::string& name, const std::string& help) {
    cmd->add_option(name, args_, help)->required()->expected(1);
  }

  // Flags that several commands share, one meaning each.
  // `shown`: the default the command uses when --format is not given.
  void Format(CLI::App* cmd, const std::string& shown = "table") {
    cmd->add_option_function<std::string>(
           "--format",
           [this](const std::string& v) {
             o_.format = v;
             o_.format_given = true;
           },
           "output: table, csv or jsonl")
        ->default_str(shown);
  }
  void AsOf(CLI::App* cmd, const std::string& help) {
    cmd->add_option("--as-of", o_.as_of, help + " (YYYY-MM-DD)");
  }
  void Area(CLI::App* cmd, bool whole = true) {
    cmd->add_option("--district", o_.district, "6-digit district code");
    if (!whole) return;
    cmd->add_option("--street", o_.street, "street (needs --district)");
    cmd->add_option("--community", o_.community, "community (needs --street)");
  }
  void Household(CLI::App* cmd, const std::string& help) {
    cmd->add_option("--household", o_.household, help);
  }
  void Files(CLI::App* cmd, const std::string& verb) {
    cmd->add_option("--households", o_.households,
                    absl::StrCat("households file to ", verb));
    cmd->add_option("--members", o_.members,
                    absl::StrCat("members file to ", verb));
  }
  void InputFormat(CLI::App* cmd) {
    cmd->add_option("--input-format", o_.input_format,
                    "csv or jsonl (default: from the file's extension)");
    cmd->add_option("--encoding", o_.encoding,
                    absl::StrCat("the files' text encoding: ", kTextEncodings,
                                 " (default auto: detected, and said)"));
  }
  void Limit(CLI::App* cmd, const std::string& help) {
    cmd->add_option("--limit", o_.limit, help);
  }
  void Note(CLI::App* cmd, const std::string& help) {
    cmd->add_option("--note", o_.note, help);
  }
  void Version(CLI::App* cmd) {
    cmd->add_option("--flag-version", o_.version,
                    "the flag version you read: refused if it changed since");
  }
  void Reason(CLI::App* cmd) {
    cmd->add_option("--reason", o_.reason,
                    "dismiss reason: PARTNER_DATA_WRONG, ALREADY_DECLARED, "
                    "WRONG_PERSON, POLICY_EXCEPTION or OTHER");
  }

  void Commands() {
    CLI::App* cmd;

    cmd = Add(nullptr, "health", "is the server serving?", Health);
    cmd = Add(nullptr, "whoami",
              "who the server takes you for: principal, role, jurisdiction",
              WhoAmI);
    CLI::App* principals = Noun("principals", "who may call the server");
    cmd =
        Add(principals, "reload",
            "make the server read its principals file again", PrincipalsReload);
    cmd = Add(nullptr, "reload",
              "make the server read its policy, principals and config "
              "settings again (as SIGHUP does)",
              Reload);
    cmd = Add(nullptr, "backup",
              "take an online backup of the server's store into its backup "
              "directory (dibao-restore puts one back)",
              BackupCreate);
    cmd = Add(nullptr, "backups", "the backups the server keeps", BackupList);
    Format(cmd);

    CLI::App* id = Noun("id", "resident ID numbers");
    cmd = Add(id, "check", "normalise and validate resident IDs", IdCheck);
    Positional(cmd, "ID", "resident IDs, 15 or 18 characters");
    Format(cmd);

    CLI::App* registry = Noun("registry", "the beneficiary registry");
    cmd = Add(registry, "import",
              "import households and members (CSV or JSON Lines)",
              RegistryImport);
    Files(cmd, "read");
    InputFormat(cmd);
    Format(cmd);
    cmd = Add(registry, "export", "write the registry as re-importable CSV",
              RegistryExport);
    Files(cmd, "write");
    Area(cmd);
    cmd->add_option("--status", o_.status, "ACTIVE, SUSPENDED or EXITED");
    cmd = Add(registry, "get", "one household", RegistryGet);
    One(cmd, "HOUSEHOLD_ID", "the household's case number");
    cmd->add_option("--at", o_.at,
                    "the household as it was at this RFC 3339 instant");
    cmd = Add(registry, "find", "the household a person belongs to",
              RegistryFind);
    One(cmd, "ID_NUMBER", "the person's resident ID");
    cmd = Add(registry, "list", "households, filtered by area and status",
              RegistryList);
    Area(cmd);
    cmd->add_option("--status", o_.status, "ACTIVE, SUSPENDED or EXITED");
    cmd->add_option("--page-size", o_.page_size,
                    "households per page fetched (default 100)");
    Format(cmd);
    cmd = Add(registry, "history",
              "every stored version of a household: who, when, what",
              RegistryHistory);
    One(cmd, "HOUSEHOLD_ID", "the household's case number");
    Format(cmd);

    CLI::App* feed = Noun("feed", "the partner agencies' feeds");
    cmd = Add(feed, "push",
              "push an agency file (CSV or JSON Lines); prints the receipt",
              FeedPush);
    One(cmd, "FILE", "the agency's file");
    cmd->add_option("--agency", o_.agency,
                    "labour, land, union, public_security or justice");
    cmd->add_option("--kind", o_.kind, "record kind, e.g. employment");
    cmd->add_option("--batch-id", o_.batch_id, "the batch's unique ID");
    AsOf(cmd, "the day the data describes");
    cmd->add_flag("--snapshot", o_.snapshot,
                  "the file is a full SNAPSHOT of the kind (else DELTA)");
    cmd->add_flag("--allow-mass-retirement", o_.allow_mass_retirement,
                  "let a SNAPSHOT retire more than half of its kind's "
                  "current facts");
    InputFormat(cmd);
    cmd = Add(feed, "batches", "receipts, newest first", FeedBatches);
    cmd->add_option("--agency", o_.agency, "only this agency's");
    Limit(cmd, "how many (default 50)");
    Format(cmd);
    cmd = Add(feed, "rejects",
              "every rejected record of a batch (csv: for the agency)",
              FeedRejects);
    One(cmd, "BATCH_ID", "the batch");
    Format(cmd, "csv");
    cmd = Add(feed, "feedback",
              "partner facts caseworkers found wrong (csv: for the agency)",
              FeedFeedback);
    cmd->add_option("--agency", o_.agency,
                    "whose facts (an agency gets its own)");
    cmd->add_option("--since", o_.since, "decided on or after YYYY-MM-DD");
    Format(cmd, "csv");

    CLI::App* person = Noun("person", "one person's partner facts");
    cmd =
        Add(person, "show",
            "every fact about one person, with batch and validity", PersonShow);
    One(cmd, "ID_NUMBER", "the person's resident ID");
    Format(cmd);

    CLI::App* cycle = Noun("cycle", "the matching cycle");
    cmd = Add(cycle, "run", "run the matching cycle; prints flags per rule",
              CycleRun);
    AsOf(cmd, "the day assessed");
    cmd->add_flag("--full", o_.full, "assess every household");
    Format(cmd);
    cmd = Add(cycle, "list", "cycle reports, newest first", CycleList);
    Limit(cmd, "how many (default 20)");
    Format(cmd);

    CLI::App* flags = Noun("flags", "the flags the cycle raised");
    cmd = Add(flags, "list", "flags with their summary (csv: for spreadsheets)",
              FlagsList);
    cmd->add_option("--rule", o_.rule, "only this rule");
    cmd->add_option("--state", o_.state,
                    "only this state: open, auto_resolved, confirmed, "
                    "dismissed, needs_visit");
    Household(cmd, "only this household's");
    cmd->add_option("--page-size", o_.page_size, "flags per page fetched");
    Format(cmd);
    cmd = Add(flags, "show",
              "one flag: partner facts, reported values, money at stake",
              FlagsShow);
    One(cmd, "FLAG_ID", "the flag, e.g. F0000023");
    Format(cmd);

    CLI::App* assessment = Noun("assessment", "household reassessments");
    cmd = Add(assessment, "show",
              "the household's latest reassessment, line by line",
              AssessmentShow);
    One(cmd, "HOUSEHOLD_ID", "the household's case number");
    Format(cmd);

    cmd = Add(nullptr, "check",
              "intake check of applicants (registry file format): findings, "
              "eligibility, top-up; stores nothing",
              Check);
    Files(cmd, "check");
    InputFormat(cmd);
    AsOf(cmd, "the day assessed");
    Format(cmd);

    CLI::App* sample = Noun("sample", "the synthetic sample district");
    cmd = Add(sample, "generate",
              "write a sample district (households.csv, members.csv), its "
              "agencies' nightly files (feeds/) and planted.csv",
              SampleGenerate);
    cmd->add_option("--seed", o_.seed, "random seed")->capture_default_str();
    cmd->add_option("--out", o_.out_dir, "output directory");
    AsOf(cmd,
         "the day ages are computed on (default: the first of this "
         "month)");
    cmd->add_option("--district", o_.sample_district, "6-digit district code")
        ->capture_default_str();

    CLI::App* report = Noun("report", "the bureau's reports");
    cmd = Add(report, "stats",
              "ACTIVE households, persons, outlay; Table 1 (reported "
              "identity), Table 2 (age band x sex), disabled",
              ReportStats);
    Area(cmd);
    AsOf(cmd, "ages on this day");
    Format(cmd);
    cmd = Add(report, "feed-quality",
              "per agency and kind: records refused, facts withdrawn, flags "
              "dismissed because the partner's fact was wrong",
              ReportFeedQuality);
    cmd->add_option("--since", o_.since,
                    "batches and decisions on or after YYYY-MM-DD");
    Format(cmd);
    cmd = Add(report, "posting",
              "public posting lists (公示) per community, names and IDs "
              "masked",
              ReportPosting);
    Area(cmd);
    cmd->add_option("--stage", o_.stage,
                    "三榜: the results of a stage instead: evaluation, review "
                    "or approval");
    cmd->add_option("--since", o_.since,
                    "with --stage: results decided from this day (YYYY-MM-DD)");
    Format(cmd);
    cmd = Add(report, "forecast",
              "per street: non-beneficiaries whose unemployment benefit "
              "ends within 1/3/6 months, released, recently converted",
              ReportForecast);
    Area(cmd, /*whole=*/false);
    AsOf(cmd, "the day forecast from");
    cmd->add_flag("--people", o_.people, "list the people too");
    Format(cmd);
    cmd = Add(report, "cliff",
              "income with and without a job, current policy and gradual "
              "exit",
              ReportCliff);
    Household(cmd, "the household");
    cmd->add_option("--wage", o_.wage,
                    "the job's monthly wage in yuan, e.g. 300 or 300.50");
    cmd->add_option("--member", o_.member,
                    "the member taking the job (resident ID; default: the "
                    "first working-age one without a job)");
    AsOf(cmd, "the day assessed");
    Format(cmd);

    CLI::App* spot = Noun("spot-check", "the bureau's spot checks (抽查)");
    cmd = Add(spot, "draw",
              "draw and store a reproducible random spot-check sample",
              SpotCheckDraw);
    cmd->add_option("--fraction", o_.fraction,
                    "share of each stratum drawn, (0, 1]");
    cmd->add_option_function<uint64_t>(
        "--seed",
        [this](uint64_t v) {
          o_.seed = v;
          o_.seed_given = true;
        },
        "random seed (the same seed draws the same households)");
    cmd->add_option("--stratify", o_.stratify, "none, street or community")
        ->default_str("none");
    Area(cmd);
    Note(cmd, "kept with the sample");
    Format(cmd);
    cmd = Add(spot, "list", "drawn samples, newest first", SpotCheckList);
    Limit(cmd, "how many");
    Format(cmd);
    cmd = Add(spot, "show", "one sample: parameters, strata, households",
              SpotCheckShow);
    One(cmd, "N", "the sample's number");
    Format(cmd);

    CLI::App* review = Noun("review", "the review queue and decisions");
    cmd = Add(review, "list",
              "the review queue, highest priority first, with counts",
              ReviewList);
    Area(cmd);
    cmd->add_option("--rule", o_.rule, "only this rule");
    cmd->add_option("--state", o_.state,
                    "only these states, comma-separated (default: open and "
                    "needs_visit)");
    cmd->add_option("--severity", o_.severity,
                    "at least this severity: INFO, LOW, MEDIUM, HIGH");
    cmd->add_option("--min-age-days", o_.min_age_days,
                    "flags first seen at least this many days ago");
    cmd->add_option("--assignee", o_.assignee,
                    "flags of this caseworker; - for unclaimed ones");
    cmd->add_option("--sort", o_.sort,
                    "priority (default), overpayment, age, severity or "
                    "flag-id");
    Limit(cmd, "how many (default 20)");
    Format(cmd);
    cmd =
        Add(review, "show",
            "the case: evidence, household, reassessment, history", ReviewShow);
    One(cmd, "FLAG_ID", "the flag");
    Format(cmd);
    cmd = Add(review, "claim", "take the flag (as you)", ReviewClaim);
    One(cmd, "FLAG_ID", "the flag");
    Version(cmd);
    cmd = Add(review, "assign", "give the flag to a caseworker", ReviewAssign);
    One(cmd, "FLAG_ID", "the flag");
    cmd->add_option("--to", o_.to, "the caseworker given the flag");
    Version(cmd);
    cmd = Add(review, "comment", "add a comment to the case", ReviewComment);
    One(cmd, "FLAG_ID", "the flag");
    Note(cmd, "the comment");
    Version(cmd);
    cmd = Add(review, "decide", "decide the flag; dismiss needs a reason code",
              ReviewDecide);
    One(cmd, "FLAG_ID", "the flag");
    cmd->add_option("--decision", o_.decision,
                    "confirm, dismiss or needs-visit");
    Reason(cmd);
    Note(cmd, "what the decision rests on (required)");
    Version(cmd);
    cmd = Add(review, "visit", "the home visit's result for a NEEDS_VISIT flag",
              ReviewVisit);
    One(cmd, "FLAG_ID", "the flag");
    cmd->add_option("--result", o_.result, "confirm or dismiss");
    Reason(cmd);
    Note(cmd, "what the visit found (required)");
    Version(cmd);

    CLI::App* audit = Noun("audit", "the audit trail");
    cmd = Add(audit, "verify",
              "recompute the audit chain; names the first broken entry",
              AuditVerify);
    cmd =
        Add(audit, "log", "a household's whole history, or the chain in order",
            AuditHistory);
    Household(cmd, "only this household's entries");
    cmd->add_option("--after", o_.after, "entries after this sequence number");
    Limit(cmd, "how many");
    Format(cmd);

    CLI::App* recs =
        Noun("recommendations", "exit and adjustment recommendations");
    cmd = Add(recs, "generate",
              "recommendations from confirmed flags (and approved gradual "
              "exits that are due)",
              RecommendationsGenerate);
    AsOf(cmd, "the day they take effect from");
    cmd = Add(recs, "list", "for the bureau's approval (member IDs masked)",
              RecommendationsList);
    cmd->add_option("--state", o_.state,
                    "proposed, evaluated, reviewed, approved, rejected or "
                    "superseded");
    Area(cmd, /*whole=*/false);
    Household(cmd, "only this household's");
    Format(cmd);
    cmd = Add(recs, "show", "evidence, arithmetic, notice, decision",
              RecommendationsShow);
    One(cmd, "RECOMMENDATION_ID", "the recommendation, e.g. R0000001");
    Format(cmd);
    cmd = Add(recs, "evaluate",
              "评: the community passes a proposed one to the street",
              RecommendationsEvaluate);
    One(cmd, "RECOMMENDATION_ID", "the recommendation");
    Note(cmd, "what the evaluation rests on (required)");
    cmd->add_flag("--reject", o_.reject, "refuse it instead of passing it on");
    cmd = Add(recs, "review",
              "审: the street passes an evaluated one to the district",
              RecommendationsReview);
    One(cmd, "RECOMMENDATION_ID", "the recommendation");
    Note(cmd, "what the review rests on (required)");
    cmd->add_flag("--reject", o_.reject, "refuse it instead of passing it on");
    cmd = Add(recs, "approve",
              "审: the district approves a reviewed one and applies it to the "
              "registry (history and audit)",
              RecommendationsApprove);
    One(cmd, "RECOMMENDATION_ID", "the recommendation");
    Note(cmd, "what the approval rests on (required)");
    cmd = Add(recs, "reject", "the district rejects a reviewed one",
              RecommendationsReject);
    One(cmd, "RECOMMENDATION_ID", "the recommendation");
    Note(cmd, "why (required)");

    CLI::App* user = Noun("user", "the web console's users file");
    cmd = Add(user, "add",
              "add a console user or set their password (read from standard "
              "input; stored as a salted Argon2id hash)",
              UserAdd);
    cmd->add_option("--users", o_.users_file, "the console's users file");
    cmd->add_option("--id", o_.user_id, "the caseworker ID");
    cmd->add_option("--name", o_.user_name, "the name the console shows");
    cmd->add_flag("--disabled", o_.user_disabled, "the user may not sign in");
    cmd = Add(user, "list", "the console's users", UserList);
    cmd->add_option("--users", o_.users_file, "the console's users file");
    Format(cmd);
  }

  CLI::App app_;
  CliOptions o_;
  std::vector<std::string> args_;
  Command chosen_ = nullptr;
};

}  // namespace

int RunCli(int argc, const char* const* argv, std::ostream& out,
           std::ostream& err) {
  CommandLine line;
  CLI::App& app = line.app();
  if (argc <= 1) {
    err << app.help();
    return kExitUsage;
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e, out, err);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e, out, err);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e, out, err);
  } catch (const CLI::ParseError& e) {
    // Stopped at a noun (or before any): name the command that is not one
    // and list the ones there are.
    CLI::App* at = &app;
    std::string path;
    for (std::vector<CLI::App*> parsed = at->get_subcommands(); !parsed.empty();
         parsed = at->get_subcommands()) {
      at = parsed.front();
      absl::StrAppend(&path, path.empty() ? "" : " ", at->get_name());
    }
    const bool has_commands =
        !at->get_subcommands([](const CLI::App*) { return true; }).empty();
    if (has_commands) {
      const std::vector<std::string> rest = app.remaining(/*recurse=*/true);
      if (rest.empty()) {
        err << "error: '" << (path.empty() ? "dibaoctl" : path)
            << "' needs a command\n\n";
      } else {
        err << "error: unknown command '" << path << (path.empty() ? "" : " ")
            << rest.front() << "'\n\n";
      }
      err << at->help();
      return kExitUsage;
    }
    app.exit(e, out, err);
    return kExitUsage;
  }
  return line.Run(out, err);
}

}  // namespace dibao::cli
