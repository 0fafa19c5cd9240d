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

// Hand entry by officers: training events and sales producers report, their list and reversal
// under /quan-ly/tu-khai (routes_workspace_declared.cc).
void register_declared_routes(Router& router, AppContext& app);

}  // namespace chophien::storefront
