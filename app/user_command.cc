// `chophien user`: create users, reset a password, list users. Passwords are read from standard
// input (one line) so they never appear in the process list or the shell history.
// Exit status: 0 success, 1 refused (bad input, duplicate login, unknown user, storage), 2 usage.
#include <unistd.h>

#include <charconv>
#include <cstdio>
#include <iostream>
#include <optional>
#include <string>
#include <string_view>

#include "app/commands.h"
#include "core/clock.h"
#include "core/database.h"
#include "core/users.h"

namespace chophien::app {
namespace {

constexpr std::string_view kUserUsage =
    "usage: chophien user <command> [options]\n"
    "\n"
    "Người dùng: quản trị (admin), cán bộ (officer), cơ sở sản xuất (producer).\n"
    "\n"
    "commands:\n"
    "  add             tạo người dùng; mật khẩu đọc từ đầu vào chuẩn (một dòng)\n"
    "  reset-password  đặt lại mật khẩu (đọc từ đầu vào chuẩn) và kết thúc mọi phiên đăng nhập\n"
    "  list            liệt kê người dùng\n"
    "\n"
    "Xem `chophien user <command> --help` cho từng lệnh.\n"
    "Mã thoát: 0 thành công, 1 bị từ chối, 2 sai cách dùng.\n";

constexpr std::string_view kAddUsage =
    "usage: chophien user add --role admin|officer|producer --login NAME [--producer ID]\n"
    "                         [--name \"Tên hiển thị\"] [--db FILE]\n"
    "\n"
    "Tạo người dùng. Mật khẩu là dòng đầu của đầu vào chuẩn (8-128 byte, khác tên đăng nhập):\n"
    "  printf '%s\\n' \"$MAT_KHAU\" | chophien user add --role admin --login quantri\n"
    "\n"
    "  --role R        admin, officer hoặc producer; bắt buộc\n"
    "  --login NAME    tên đăng nhập, 3-64 ký tự: chữ, số, . _ - @; không phân biệt hoa thường\n"
    "  --producer ID   mã cơ sở sản xuất; bắt buộc với --role producer, không dùng với vai khác\n"
    "  --name TEXT     tên hiển thị (mặc định là tên đăng nhập)\n"
    "  --db FILE       tệp cơ sở dữ liệu (mặc định chophien.db)\n";

constexpr std::string_view kResetUsage =
    "usage: chophien user reset-password --login NAME [--db FILE]\n"
    "\n"
    "Đặt mật khẩu mới (dòng đầu của đầu vào chuẩn), kết thúc mọi phiên đăng nhập của người dùng\n"
    "và xoá số lần đăng nhập sai.\n";

constexpr std::string_view kListUsage =
    "usage: chophien user list [--db FILE]\n"
    "\n"
    "In mỗi người dùng một dòng, các cột cách nhau bằng tab:\n"
    "  id, tên đăng nhập, vai trò, mã cơ sở (- nếu không có), trạng thái, tên hiển thị.\n";

void print(std::FILE* to, std::string_view text) { std::fwrite(text.data(), 1, text.size(), to); }

int usage_error(std::string_view command, const std::string& message) {
  std::fprintf(stderr, "chophien user %.*s: %s\nXem `chophien user %.*s --help`.\n",
               static_cast<int>(command.size()), command.data(), message.c_str(),
               static_cast<int>(command.size()), command.data());
  return 2;
}

int refused(std::string_view command, const Error& error) {
  std::fprintf(stderr, "chophien user %.*s: %s%s%s\n", static_cast<int>(command.size()),
               command.data(), error.message.c_str(),
               error.field.empty() ? "" : " — trường: ", error.field.c_str());
  return 1;
}

bool is_help(std::string_view arg) { return arg == "--help" || arg == "-h"; }

bool wants_help(Args args) {
  for (auto arg : args) {
    if (is_help(arg)) return true;
  }
  return false;
}

struct Flags {
  std::optional<std::string> role, login, producer, name;
  std::string db = "chophien.db";
};

// Parses `--flag VALUE` pairs; only the flags named in `allowed` are accepted, each at most once.
std::optional<std::string> parse_flags(Args args, std::string_view allowed, Flags& flags) {
  for (size_t i = 0; i < args.size(); i += 2) {
    std::string_view flag = args[i];
    if (flag.size() < 3 || flag.substr(0, 2) != "--" ||
        allowed.find(std::string(flag) + " ") == std::string_view::npos) {
      return "tùy chọn không biết: " + std::string(flag);
    }
    if (i + 1 >= args.size()) return std::string(flag) + " cần một giá trị";
    std::string value(args[i + 1]);
    std::optional<std::string>* slot = nullptr;
    if (flag == "--role") slot = &flags.role;
    if (flag == "--login") slot = &flags.login;
    if (flag == "--producer") slot = &flags.producer;
    if (flag == "--name") slot = &flags.name;
    if (flag == "--db") {
      flags.db = value;
      continue;
    }
    if (slot->has_value()) return std::string(flag) + " chỉ được cho một lần";
    *slot = value;
  }
  return std::nullopt;
}

// One line from standard input without its line end. nullopt when there is nothing to read.
std::optional<std::string> read_password() {
  if (isatty(STDIN_FILENO)) std::fputs("Mật khẩu: ", stderr);
  std::string line;
  if (!std::getline(std::cin, line)) return std::nullopt;
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

std::optional<core::Database> open_database(std::string_view command, const std::string& path) {
  auto db = core::Database::open(path);
  if (!db) {
    refused(command, db.error());
    return std::nullopt;
  }
  return std::move(*db);
}

int add(Args args) {
  constexpr std::string_view kCommand = "add";
  if (wants_help(args)) {
    print(stdout, kAddUsage);
    return 0;
  }
  Flags flags;
  if (auto error = parse_flags(args, "--role --login --producer --name --db ", flags)) {
    return usage_error(kCommand, *error);
  }
  if (!flags.role) return usage_error(kCommand, "thiếu --role");
  if (!flags.login) return usage_error(kCommand, "thiếu --login");
  auto role = core::parse_role(*flags.role);
  if (!role) return usage_error(kCommand, "--role phải là admin, officer hoặc producer");
  std::optional<int64_t> producer_id;
  if (flags.producer) {
    int64_t id = 0;
    const std::string& text = *flags.producer;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
    if (ec != std::errc() || end != text.data() + text.size() || id <= 0) {
      return usage_error(kCommand, "--producer phải là một số nguyên dương");
    }
    producer_id = id;
  }
  auto password = read_password();
  if (!password || password->empty()) {
    return usage_error(kCommand, "không đọc được mật khẩu từ đầu vào chuẩn");
  }

  auto db = open_database(kCommand, flags.db);
  if (!db) return 1;
  core::Users users(*db, core::system_clock());
  auto user = users.create_user(
      {*flags.login, *password, *role, producer_id, flags.name.value_or(std::string())});
  if (!user) return refused(kCommand, user.error());
  std::printf("Đã tạo người dùng %s (id %lld, vai trò %s)\n", user->login.c_str(),
              static_cast<long long>(user->id), core::role_name(user->role));
  return 0;
}

int reset_password(Args args) {
  constexpr std::string_view kCommand = "reset-password";
  if (wants_help(args)) {
    print(stdout, kResetUsage);
    return 0;
  }
  Flags flags;
  if (auto error = parse_flags(args, "--login --db ", flags)) return usage_error(kCommand, *error);
  if (!flags.login) return usage_error(kCommand, "thiếu --login");
  auto password = read_password();
  if (!password || password->empty()) {
    return usage_error(kCommand, "không đọc được mật khẩu từ đầu vào chuẩn");
  }
  auto db = open_database(kCommand, flags.db);
  if (!db) return 1;
  core::Users users(*db, core::system_clock());
  auto user = users.find_user_by_login(*flags.login);
  if (!user) return refused(kCommand, user.error());
  if (auto done = users.reset_password(user->id, *password); !done) {
    return refused(kCommand, done.error());
  }
  std::printf("Đã đặt lại mật khẩu cho %s; mọi phiên đăng nhập đã kết thúc\n", user->login.c_str());
  return 0;
}

int list(Args args) {
  constexpr std::string_view kCommand = "list";
  if (wants_help(args)) {
    print(stdout, kListUsage);
    return 0;
  }
  Flags flags;
  if (auto error = parse_flags(args, "--db ", flags)) return usage_error(kCommand, *error);
  auto db = open_database(kCommand, flags.db);
  if (!db) return 1;
  core::Users users(*db, core::system_clock());
  auto all = users.list_users();
  if (!all) return refused(kCommand, all.error());
  for (const auto& user : *all) {
    std::string producer = user.producer_id ? std::to_string(*user.producer_id) : "-";
    std::printf("%lld\t%s\t%s\t%s\t%s\t%s\n", static_cast<long long>(user.id), user.login.c_str(),
                core::role_name(user.role), producer.c_str(), core::user_status_name(user.status),
                user.display_name.c_str());
  }
  return 0;
}

}  // namespace

int user_command(Args args) {
  if (args.empty()) {
    print(stderr, kUserUsage);
    return 2;
  }
  if (is_help(args[0])) {
    print(stdout, kUserUsage);
    return 0;
  }
  Args rest = args.subspan(1);
  if (args[0] == "add") return add(rest);
  if (args[0] == "reset-password") return reset_password(rest);
  if (args[0] == "list") return list(rest);
  std::fprintf(stderr, "chophien user: lệnh không biết '%.*s'\n\n",
               static_cast<int>(args[0].size()), args[0].data());
  print(stderr, kUserUsage);
  return 2;
}

}  // namespace chophien::app
