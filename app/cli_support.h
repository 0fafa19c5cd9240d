#pragma once
// What the subcommands share: reading a positive id argument and reporting a usage error or a
// failure on stderr with the exit status of commands.h (2 usage, 1 failure).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "app/commands.h"
#include "core/result.h"

namespace chophien::app {

// "42" -> 42; nullopt for anything but 1 to 18 decimal digits with a value above zero.
std::optional<int64_t> parse_positive_id(std::string_view text);

// "chophien: <message>", a blank line and the command's usage text on stderr; returns 2.
int usage_error(std::string_view message, std::string_view usage);

// "chophien: <message> (<code>)" on stderr; returns 1.
int fail(const Error& error);

// The options of the subcommands that work on one database and, perhaps, one producer.
struct DbOptions {
  std::string db_file = "chophien.db";  // --db FILE
  std::optional<int64_t> producer;      // --producer ID
};

// The value after args[i], moving i onto it; nullopt when args[i] is the last.
std::optional<std::string_view> option_value(Args args, size_t& i);

// Reads args[i] into `options` when it is --db or --producer (with its value, moving i past it).
// nullopt when args[i] is neither; 0 when read; 2 after a usage error (usage_error with `usage`).
std::optional<int> read_db_option(Args args, size_t& i, DbOptions& options, std::string_view usage);

}  // namespace chophien::app
