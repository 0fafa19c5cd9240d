#include "app/cli_support.h"

#include <cstdio>

namespace chophien::app {

std::optional<int64_t> parse_positive_id(std::string_view text) {
  if (text.empty() || text.size() > 18) return std::nullopt;
  int64_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + (c - '0');
  }
  return value > 0 ? std::optional<int64_t>(value) : std::nullopt;
}

int usage_error(std::string_view message, std::string_view usage) {
  std::fprintf(stderr, "chophien: %.*s\n\n%.*s", static_cast<int>(message.size()), message.data(),
               static_cast<int>(usage.size()), usage.data());
  return 2;
}

int fail(const Error& error) {
  std::fprintf(stderr, "chophien: %s (%s)\n", error.message.c_str(), error_code_name(error.code));
  return 1;
}

std::optional<std::string_view> option_value(Args args, size_t& i) {
  if (i + 1 >= args.size()) return std::nullopt;
  return args[++i];
}

std::optional<int> read_db_option(Args args, size_t& i, DbOptions& options,
                                  std::string_view usage) {
  const std::string_view a = args[i];
  if (a == "--db") {
    auto v = option_value(args, i);
    if (!v) return usage_error("--db needs a file", usage);
    options.db_file = *v;
    return 0;
  }
  if (a == "--producer") {
    auto v = option_value(args, i);
    options.producer = v ? parse_positive_id(*v) : std::nullopt;
    if (!options.producer) return usage_error("--producer needs a numeric id", usage);
    return 0;
  }
  return std::nullopt;
}

}  // namespace chophien::app
