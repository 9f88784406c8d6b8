// dibaoctl user ...: the console's user list, a text-format
// dibao.v1.ConsoleUsers file that dibao-server reads at start-up
// (--console_users). Passwords are read from standard input, never from a
// flag (flags show in `ps` and shell history), and stored only as salted
// Argon2id hashes.
#include <termios.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>

#include "absl/strings/str_cat.h"
#include "cli/commands.h"
#include "cli/table.h"
#include "google/protobuf/text_format.h"
#include "matcher/console_users.h"
#include "matcher/text_proto.h"

namespace dibao::cli {
namespace {

// One line of standard input; on a terminal, prompted and not echoed.
std::string ReadSecretLine(const char* prompt, std::ostream& err) {
  const bool tty = isatty(STDIN_FILENO);
  termios saved{};
  if (tty) {
    err << prompt << std::flush;
    tcgetattr(STDIN_FILENO, &saved);
    termios quiet = saved;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
  }
  std::string line;
  std::getline(std::cin, line);
  if (tty) {
    tcsetattr(STDIN_FILENO, TCSANOW, &saved);
    err << "\n";
  }
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

absl::StatusOr<v1::ConsoleUsers> ReadUsers(const std::string& path) {
  v1::ConsoleUsers users;
  if (!std::filesystem::exists(path)) return users;  // a new list
  if (absl::Status s = ReadTextProto(path, &users); !s.ok()) return s;
  return users;
}

// Writes beside the file and renames, so the server never reads half a list.
absl::Status WriteUsers(const std::string& path,
                        const v1::ConsoleUsers& users) {
  std::string text;
  google::protobuf::TextFormat::Printer printer;
  printer.SetUseUtf8StringEscaping(true);
  if (!printer.PrintToString(users, &text)) {
    return absl::InternalError("cannot print the user list");
  }
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << "# dibao-audit console users (dibao.v1.ConsoleUsers); keep with "
           "`dibaoctl user add`.\n"
        << text;
    if (!out.good()) {
      return absl::UnavailableError(absl::StrCat("cannot write ", tmp));
    }
  }
  std::error_code ec;
  std::filesystem::permissions(
      tmp,
      std::filesystem::perms::owner_read | std::filesystem::perms::owner_write,
      ec);
  std::filesystem::rename(tmp, path, ec);
  if (ec) {
    return absl::UnavailableError(
        absl::StrCat("cannot replace ", path, ": ", ec.message()));
  }
  return absl::OkStatus();
}

}  // namespace

int UserAdd(const Env& env) {
  const CliOptions& o = env.options;
  if (!env.args.empty() || o.users_file.empty() || o.user_id.empty()) {
    env.err << "usage: dibaoctl user add --users FILE --id ID [--name NAME] "
               "[--disabled]  (the password is read from standard input)\n";
    return kExitUsage;
  }
  if (absl::Status s = CheckUserId(o.user_id); !s.ok()) {
    return Fail(env.err, s);
  }
  auto users = ReadUsers(o.users_file);
  if (!users.ok()) return Fail(env.err, users.status());
  v1::ConsoleUser* user = nullptr;
  for (v1::ConsoleUser& u : *users->mutable_user()) {
    if (u.id() == o.user_id) user = &u;
  }
  const bool fresh = user == nullptr;
  if (fresh) {
    user = users->add_user();
    user->set_id(o.user_id);
  }
  if (!o.user_name.empty()) user->set_name(o.user_name);
  user->set_disabled(o.user_disabled);
  if (!o.user_disabled || fresh) {
    const std::string password = ReadSecretLine("password: ", env.err);
    if (isatty(STDIN_FILENO) &&
        ReadSecretLine("again: ", env.err) != password) {
      env.err << "error: the two passwords differ\n";
      return kExitFailed;
    }
    auto hash = HashPassword(password);
    if (!hash.ok()) return Fail(env.err, hash.status());
    user->set_password_hash(*hash);
  }
  if (absl::Status s = ValidateConsoleUsers(*users); !s.ok()) {
    return Fail(env.err, s);
  }
  if (absl::Status s = WriteUsers(o.users_file, *users); !s.ok()) {
    return Fail(env.err, s);
  }
  env.out << (fresh ? "added " : "updated ") << o.user_id
          << (o.user_disabled ? " (disabled)" : "") << " in " << o.users_file
          << "; restart dibao-server to apply\n";
  return kExitOk;
}

int UserList(const Env& env) {
  if (!env.args.empty() || env.options.users_file.empty()) {
    env.err << "usage: dibaoctl user list --users FILE\n";
    return kExitUsage;
  }
  auto users = ReadUsers(env.options.users_file);
  if (!users.ok()) return Fail(env.err, users.status());
  Table table({"id", "name", "disabled"});
  for (const v1::ConsoleUser& u : users->user()) {
    table.AddRow({u.id(), u.name(), u.disabled() ? "yes" : ""});
  }
  auto format = ParseOutputFormat(env.options.format);
  if (!format.ok()) return Fail(env.err, format.status());
  table.Print(*format, env.out);
  return kExitOk;
}

}  // namespace dibao::cli
