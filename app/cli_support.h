#pragma once
// What the subcommands share: reading a positive id argument and reporting a usage error or a
// failure on stderr with the exit status of commands.h (2 usage, 1 failure).
#include <cstdint>
#include <optional>
#include <string_view>

#include "core/result.h"

namespace chophien::app {

// "42" -> 42; nullopt for anything but 1 to 18 decimal digits with a value above zero.
std::optional<int64_t> parse_positive_id(std::string_view text);

// "chophien: <message>", a blank line and the command's usage text on stderr; returns 2.
int usage_error(std::string_view message, std::string_view usage);

// "chophien: <message> (<code>)" on stderr; returns 1.
int fail(const Error& error);

}  // namespace chophien::app
