#pragma once
// HTML pages from mustache templates (kainjow-mustache) compiled into the binary from
// storefront/templates/*.mustache, and the static files of storefront/static/.
//
// Escaping: {{name}} HTML-escapes. Never use {{{name}}} or {{& name}} for text that came from a
// person (product names, notes, search terms); the layout uses it for `body` only, which is HTML
// we rendered ourselves.
// Partials: every template is also a partial under its name: {{> product_card}}, unless the
// data has a field of that name (the field wins).
// Pages: page() renders a template and wraps it in layout.mustache with the PageInfo fields
// (lang="vi", title, meta_description, Open Graph tags, CSRF token, stylesheet URL).
// Static files get a content hash in their URL (/static/style.3f9a0c1b2e.css) so they can be
// cached for a year; the plain name (/static/style.css) is also served, revalidated by ETag.
//
// Thread-safety: a Renderer is immutable after create(); render() and page() may be called from
// any thread (each thread keeps its own compiled copies, because kainjow renders are not const).

#include <cstdint>
#include <kainjow/mustache.hpp>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace chophien::storefront {

namespace mustache = kainjow::mustache;

struct PageInfo {
  std::string title;        // page title, without the site name
  std::string description;  // meta description and og:description
  std::string url;          // canonical absolute URL (og:url); empty: none
  std::string image;        // absolute image URL for og:image; empty: none
  std::string og_type = "website";
  std::string csrf_token;  // forms render {{> csrf_field}}; empty: no field
};

struct StaticAsset {
  std::string name;         // "style.css"
  std::string hashed_name;  // "style.3f9a0c1b2e.css"
  std::string etag;         // "\"3f9a0c1b2e\""
  std::string content_type;
  std::string_view data;
};

class Renderer {
 public:
  inline static constexpr std::string_view kSiteName = "Chợ phiên số Bảo Lâm";

  // Compiles every embedded template once; internal error naming the template and the parse
  // error when one does not compile (a bug caught by the tests).
  static Result<std::unique_ptr<Renderer>> create(std::string base_url = {});

  // Renders template `name` ("layout", "error", ...: the file name without .mustache).
  // not_found for an unknown name; internal when rendering fails.
  Result<std::string> render(std::string_view name, const mustache::data& data) const;

  // Renders `name` with `data` and wraps it in the layout. Adds site_name, stylesheet, lang and
  // the PageInfo fields to `data` first, so the content template can use them too.
  Result<std::string> page(std::string_view name, mustache::data data, const PageInfo& info) const;

  // Fills the layout fields (title, og_*, csrf_token, stylesheet, site_name) into `data`.
  void add_layout_fields(mustache::data& data, const PageInfo& info) const;

  // "/static/style.<hash>.css" for "style.css"; the plain path for an unknown name.
  std::string asset_url(std::string_view name) const;
  // By hashed or plain name (the part after /static/). Null when unknown.
  const StaticAsset* find_asset(std::string_view name) const;
  const std::vector<StaticAsset>& assets() const { return assets_; }

  bool has_template(std::string_view name) const;

 private:
  Renderer() = default;
  mustache::mustache& compiled(const std::string& name) const;

  uint64_t id_ = 0;
  std::string base_url_;
  std::map<std::string, std::string, std::less<>> sources_;
  std::vector<StaticAsset> assets_;
};

}  // namespace chophien::storefront
