#pragma once
// Subcommands of the `chophien` binary. Each takes the arguments after its own name and returns
// the process exit status: 0 success, 1 failure, 2 usage error.

#include <span>
#include <string_view>

namespace chophien::app {

using Args = std::span<const std::string_view>;

int qr_command(Args args);
int backup_command(Args args);  // online copy of the database
int user_command(Args args);
int serve_command(Args args);            // the web server
int reconcile_command(Args args);        // recover lost payment webhooks
int sync_command(Args args);             // marketplace outbox, dry runs, orders
int import_command(Args args);           // products from CSV
int export_products_command(Args args);  // products to CSV
int export_command(Args args);           // digital-economy figures (CSV, XLSX, JSON)
int import_orders_command(Args args);    // a seller centre's order export into the ledger
int export_listings_command(Args args);  // postmart / voso bulk-upload file and checklist

}  // namespace chophien::app
