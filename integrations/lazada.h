#pragma once
// Lazada Open Platform connector (integrations.md section 2): system parameters and the sign in
// the query, `payload` (XML) as a form field, timestamps in milliseconds, answers with `code`
// "0" or `type`/`code`/`message`.
//   create  POST /product/create (SellerSku = our SKU; package size and weight required)
//   update  POST /product/price_quantity/update, absolute Price and Quantity by SellerSku
//   find    GET /products/get?filter=all&search=SKU, matched exactly on SellerSku
//   orders  GET /orders/get?created_after=ISO 8601&sort_by=created_at, 100 a page by offset up to
//           countTotal; an order is a sale when any of its item statuses is
//   tokens  /auth/token/create and /auth/token/refresh on auth_base
// A create answered with a duplicate-SKU error is `conflict` (probably created: look it up).
// See marketplace.h for the error contract.

#include <memory>

#include "core/clock.h"
#include "integrations/marketplace.h"

namespace chophien::integrations {

std::unique_ptr<Connector> make_lazada_connector(const MarketplaceApp& app,
                                                 const core::Clock& clock);

}  // namespace chophien::integrations
