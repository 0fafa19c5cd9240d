// chophien: one binary, subcommands. Reads the subcommand and hands over; nothing else.
#include <cstdio>
#include <exception>
#include <string_view>
#include <vector>

#include "app/commands.h"

namespace {

constexpr std::string_view kUsage =
    "chophien: the digital market fair for OCOP producers\n"
    "\n"
    "usage: chophien <command> [options]\n"
    "\n"
    "commands:\n"
    "  serve    run the web shop and API (serve --db FILE --listen HOST:PORT --demo)\n"
    "  qr       VietQR payloads and images (encode, decode, png, svg, term, banks)\n"
    "  backup   copy a live database (backup --db FILE --out FILE)\n"
    "  reconcile  ask SePay and Casso for transactions whose webhook never arrived\n"
    "  sync     send pending marketplace changes (sync --dry-run, --orders, --shop ID)\n"
    "  user     users and passwords (add, reset-password, list)\n"
    "  import   import products from a CSV file (import FILE.csv --producer ID)\n"
    "  export-products  export products as CSV\n"
    "  import-orders  a marketplace's order export file into the sales ledger\n"
    "  export-listings  postmart.vn / voso.vn bulk-upload file and checklist\n"
    "  export   digital-economy figures (export --from --to --area 04 --by commune --format xlsx)\n"
    "\n"
    "Run `chophien <command> --help` for a command's options.\n";

struct Command {
  std::string_view name;
  int (*run)(chophien::app::Args);
};

constexpr Command kCommands[] = {
    {"serve", chophien::app::serve_command},
    {"qr", chophien::app::qr_command},
    {"backup", chophien::app::backup_command},
    {"reconcile", chophien::app::reconcile_command},
    {"sync", chophien::app::sync_command},
    {"user", chophien::app::user_command},
    {"import", chophien::app::import_command},
    {"export-products", chophien::app::export_products_command},
    {"export", chophien::app::export_command},
    {"import-orders", chophien::app::import_orders_command},
    {"export-listings", chophien::app::export_listings_command},
};

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string_view> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    std::fputs(kUsage.data(), args.empty() ? stderr : stdout);
    return args.empty() ? 2 : 0;
  }
  try {
    for (const auto& command : kCommands) {
      if (args[0] == command.name) {
        return command.run(chophien::app::Args(args).subspan(1));
      }
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "chophien: internal error: %s\n", e.what());
    return 70;
  }
  std::fprintf(stderr, "chophien: unknown command '%.*s'\n\n%s", static_cast<int>(args[0].size()),
               args[0].data(), kUsage.data());
  return 2;
}
