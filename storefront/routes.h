#pragma once
// Route registration functions, one per routes_*.cc. server.cc calls each once, in this order,
// from its short registration list. Add yours here and there.

#include "storefront/server.h"

namespace chophien::storefront {

// /healthz, /metrics, /static/*, /api/v1/banks, /api/v1/areas, /api/v1/vietqr, /image/*.png
void register_public_routes(Router& router, AppContext& app);

// The JSON API of api.md: auth, users, producers, products, checkout, orders, payments, sales
// (routes_api*.cc). Also sets AppContext::is_admin_request from the session.
void register_api_routes(Router& router, AppContext& app);

// The customer's pages (home, product, producer, cart, checkout, order) and the order's VietQR
// images /api/v1/orders/{code}/qr.png and qr.svg (routes_shop.cc).
void register_shop_routes(Router& router, AppContext& app);

// GET /api/v1/indicators: the figures of indicators.md as JSON, CSV or XLSX, for officers and
// admins (routes_api_indicators.cc).
void register_api_indicator_routes(Router& router, AppContext& app);

// GET /quan-ly/so-lieu: the officer's dashboard of figures with SVG charts per commune
// (routes_dashboard.cc).
void register_dashboard_routes(Router& router, AppContext& app);

// The workspace's doors and home: /dang-nhap, /dang-xuat, /quan-ly, helper mode
// /quan-ly/ho-tro/*, the action log /quan-ly/nhat-ky (routes_workspace.cc).
void register_workspace_routes(Router& router, AppContext& app);

// The producer's products in the workspace: list, form, archive, CSV export and import
// (routes_workspace_products.cc).
void register_workspace_product_routes(Router& router, AppContext& app);

// The producer's money pages: payments and their match state, assigning one to an order, the
// notification services; sales made outside the system; the printable stall QR
// (routes_workspace_money.cc).
void register_workspace_money_routes(Router& router, AppContext& app);

// The producer's marketplace shops: connecting one (authorization link, callback), dry-run mode
// and its preview, publishing a product and retrying a failed listing
// (routes_workspace_marketplace.cc).
void register_workspace_marketplace_routes(Router& router, AppContext& app);

// The producer's orders in the workspace: list with filters, one order with its history, mark
// paid, fulfil, cancel (routes_workspace_orders.cc).
void register_workspace_order_routes(Router& router, AppContext& app);

// The producer register for officers and administrators: /quan-ly/nha-san-xuat (list, create
// with its login, edit, a producer's products and orders read-only) (routes_workspace_register.cc).
void register_workspace_register_routes(Router& router, AppContext& app);

// Administrators: users and roles /quan-ly/nguoi-dung and run-time settings /quan-ly/cai-dat
// (routes_workspace_admin.cc).
void register_workspace_admin_routes(Router& router, AppContext& app);

// Hand entry by officers: training events and sales producers report, their list and reversal
// under /quan-ly/tu-khai (routes_workspace_declared.cc).
void register_declared_routes(Router& router, AppContext& app);

// Marketplace files: postmart.vn / voso.vn bulk-upload file and checklist downloads, a seller
// centre's order export uploaded into the ledger (routes_workspace_channel_files.cc).
void register_workspace_channel_file_routes(Router& router, AppContext& app);

}  // namespace chophien::storefront
