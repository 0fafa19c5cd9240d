#include "storefront/render.h"

#include <openssl/sha.h>

#include <atomic>
#include <cstdio>
#include <unordered_map>

#include "static_files.h"
#include "templates.h"

namespace chophien::storefront {
namespace {

std::atomic<uint64_t> next_renderer_id{1};

constexpr std::string_view kTemplateSuffix = ".mustache";

std::string content_hash(std::string_view data) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest);
  std::string hex;
  char buf[3];
  for (int i = 0; i < 5; ++i) {
    std::snprintf(buf, sizeof buf, "%02x", digest[i]);
    hex += buf;
  }
  return hex;
}

std::string content_type_for(std::string_view name) {
  auto ends = [&](std::string_view s) { return name.ends_with(s); };
  if (ends(".css")) return "text/css; charset=utf-8";
  if (ends(".svg")) return "image/svg+xml";
  if (ends(".png")) return "image/png";
  if (ends(".ico")) return "image/x-icon";
  if (ends(".webp")) return "image/webp";
  if (ends(".jpg") || ends(".jpeg")) return "image/jpeg";
  if (ends(".txt")) return "text/plain; charset=utf-8";
  return "application/octet-stream";
}

}  // namespace

Result<std::unique_ptr<Renderer>> Renderer::create(std::string base_url) {
  std::unique_ptr<Renderer> r(new Renderer());
  r->id_ = next_renderer_id.fetch_add(1);
  r->base_url_ = std::move(base_url);
  for (const auto& file : embedded_templates::templates()) {
    std::string_view name = file.name;
    if (!name.ends_with(kTemplateSuffix)) continue;
    name.remove_suffix(kTemplateSuffix.size());
    mustache::mustache tmpl{std::string(file.data)};
    if (!tmpl.is_valid()) {
      return Error{ErrorCode::internal,
                   "template " + std::string(file.name) + ": " + tmpl.error_message(), ""};
    }
    r->sources_.emplace(std::string(name), std::string(file.data));
  }
  for (const auto& file : embedded_static::static_files()) {
    StaticAsset asset;
    asset.name = std::string(file.name);
    const std::string hash = content_hash(file.data);
    auto dot = asset.name.rfind('.');
    asset.hashed_name = dot == std::string::npos
                            ? asset.name + "." + hash
                            : asset.name.substr(0, dot) + "." + hash + asset.name.substr(dot);
    asset.etag = "\"" + hash + "\"";
    asset.content_type = content_type_for(asset.name);
    asset.data = file.data;
    r->assets_.push_back(std::move(asset));
  }
  return r;
}

bool Renderer::has_template(std::string_view name) const { return sources_.contains(name); }

mustache::mustache& Renderer::compiled(const std::string& name) const {
  // kainjow's render() is not const, so each thread keeps its own compiled copy per Renderer.
  thread_local std::unordered_map<uint64_t, std::unordered_map<std::string, mustache::mustache>>
      cache;
  auto& mine = cache[id_];
  auto it = mine.find(name);
  if (it == mine.end()) {
    it = mine.emplace(name, mustache::mustache(sources_.find(name)->second)).first;
  }
  return it->second;
}

Result<std::string> Renderer::render(std::string_view name, const mustache::data& data) const {
  auto source = sources_.find(name);
  if (source == sources_.end()) {
    return Error{ErrorCode::not_found, "no template " + std::string(name), ""};
  }
  // Every template is available as a partial; the partial's source is parsed when it is used.
  // Partials share the data's names, so a field of the page ("producer", "cart") wins over the
  // template of that name: the page's value must never turn into another page's source.
  mustache::data with_partials = data;
  if (with_partials.is_object()) {
    for (const auto& [partial_name, partial_source] : sources_) {
      if (partial_name == name || with_partials.get(partial_name) != nullptr) continue;
      const std::string* src = &partial_source;
      with_partials.set(partial_name, mustache::partial([src] { return *src; }));
    }
  }
  auto& tmpl = compiled(source->first);
  std::string out = tmpl.render(with_partials);
  if (!tmpl.is_valid()) {
    std::string message = tmpl.error_message();
    // A failed render leaves the error in the compiled copy; start afresh next time.
    tmpl = mustache::mustache(source->second);
    return Error{ErrorCode::internal, "rendering " + std::string(name) + ": " + message, ""};
  }
  return out;
}

void Renderer::add_layout_fields(mustache::data& data, const PageInfo& info) const {
  data.set("lang", "vi");
  data.set("site_name", std::string(kSiteName));
  data.set("title", info.title);
  data.set("full_title", info.title.empty() ? std::string(kSiteName)
                                            : info.title + " · " + std::string(kSiteName));
  data.set("meta_description", info.description);
  data.set("og_type", info.og_type);
  data.set("stylesheet", asset_url("style.css"));
  if (!info.url.empty()) data.set("og_url", info.url);
  if (!info.image.empty()) data.set("og_image", info.image);
  if (!info.csrf_token.empty()) data.set("csrf_token", info.csrf_token);
}

Result<std::string> Renderer::page(std::string_view name, mustache::data data,
                                   const PageInfo& info) const {
  if (!data.is_object()) data = mustache::data(mustache::data::type::object);
  add_layout_fields(data, info);
  auto body = render(name, data);
  if (!body) return body.error();
  data.set("body", std::move(*body));
  return render("layout", data);
}

std::string Renderer::asset_url(std::string_view name) const {
  for (const auto& asset : assets_) {
    if (asset.name == name) return "/static/" + asset.hashed_name;
  }
  return "/static/" + std::string(name);
}

const StaticAsset* Renderer::find_asset(std::string_view name) const {
  for (const auto& asset : assets_) {
    if (asset.hashed_name == name || asset.name == name) return &asset;
  }
  return nullptr;
}

}  // namespace chophien::storefront
