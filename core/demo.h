#pragma once
// Demo data for `chophien serve --demo`: the Bảo Lâm areas, a dozen invented producers spread over
// the six communes in force since 1 July 2025 (cooperatives, cooperative groups, household
// businesses, a small firm) with receiving accounts at real bank BINs, and about forty products
// of the kinds the area really makes (miến dong, honey, shan tuyết tea, glutinous rice, brocade,
// smoked pork, herbal products, community tourism) across OCOP groups G1-G6.
//
// Every product gets one photo drawn by the project: a small SVG (image/svg+xml) tile coloured by
// OCOP group with a simple shape and the product's name. SVG keeps core free of image libraries,
// stays a few hundred bytes, and renders Vietnamese text crisply at any size.
//
// Idempotent: producers are recognised by their registration number, products by their sku
// ("DEMO-..."); loading twice adds nothing the second time. Names, numbers and accounts are
// invented. Errors: those of the stores (unavailable, internal); all or nothing.

#include <string>

#include "core/clock.h"
#include "core/database.h"
#include "core/result.h"

namespace chophien::core {

struct DemoReport {
  int producers_added = 0;
  int products_added = 0;
  int photos_added = 0;
};

Result<DemoReport> load_demo(Database& db, const Clock& clock);

// The demo photo of a product: an SVG tile (400 x 300) for its OCOP group with its name.
std::string demo_photo_svg(std::string_view product_name, std::string_view ocop_group);

}  // namespace chophien::core
