// dibaoctl user ...: the console's user list, a text-format
// dibao.v1.ConsoleUsers file that dibao-server reads at start-up
// (--console_users). Passwords are read from standard input, never from a
// flag (flags show in `ps` and shell history), and stored only as salted
// Argon2id hashes.
#include <fcntl.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <string>

#include "absl/strings/str_cat.h"
#include "base/free_text.h"
#include "base/text_proto.h"
#include "cli/commands.h"
#include "cli/table.h"
#include "console/users/users_file.h"
#include "google/protobuf/text_format.h"

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
  std::error_code ec;
  const bool exists = std::filesystem::exists(path, ec);
  if (ec) {
    return absl::UnavailableError(
        absl::StrCat("cannot look at ", path, ": ", ec.message()));
  }
  if (!exists) return users;  // a new list
  if (absl::Status s = ReadTextProto(path, &users); !s.ok()) return s;
  return users;
}

// Writes beside the file and renames, so the server never reads half a
// list. The new file is made 0600 from the start, and keeps the owner and
// mode of the one it replaces (a list the server's user reads stays
// readable to it when root edits it).
absl::Status WriteUsers(const std::string& path,
                        const v1::ConsoleUsers& users) {
  std::string text =
      "# dibao-audit console users (dibao.v1.ConsoleUsers); keep with "
      "`dibaoctl user add`.\n";
  google::protobuf::TextFormat::Printer printer;
  printer.SetUseUtf8StringEscaping(true);
  std::string body;
  if (!printer.PrintToString(users, &body)) {
    return absl::InternalError("cannot print the user list");
  }
  text += body;
  const std::string tmp = path + ".tmp";
  unlink(tmp.c_str());  // a leftover of an interrupted run
  const int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
                      S_IRUSR | S_IWUSR);
  if (fd < 0) {
    return absl::UnavailableError(
        absl::StrCat("cannot create ", tmp, ": ", strerror(errno)));
  }
  struct stat old;
  if (stat(path.c_str(), &old) == 0) {
    if (fchown(fd, old.st_uid, old.st_gid) != 0 && errno != EPERM) {
      const int e = errno;
      close(fd);
      unlink(tmp.c_str());
      return absl::UnavailableError(
          absl::StrCat("cannot give ", tmp, " its owner: ", strerror(e)));
    }
    fchmod(fd, old.st_mode & 07777);
  }
  size_t written = 0;
  bool ok = true;
  while (ok && written < text.size()) {
    const ssize_t n = write(fd, text.data() + written, text.size() - written);
    if (n < 0 && errno == EINTR) continue;
    ok = n > 0;
    if (ok) written += static_cast<size_t>(n);
  }
  ok = ok && fsync(fd) == 0;
  const int e = errno;
  ok = (close(fd) == 0) && ok;
  if (!ok || rename(tmp.c_str(), path.c_str()) != 0) {
    const int err = ok ? errno : e;
    unlink(tmp.c_str());
    return absl::UnavailableError(
        absl::StrCat("cannot write ", path, ": ", strerror(err)));
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
  if (absl::Status s = CheckPrincipalId(o.user_id); !s.ok()) {
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
