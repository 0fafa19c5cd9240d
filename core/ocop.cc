#include "core/ocop.h"

#include <nlohmann/json.hpp>
#include <stdexcept>

#include "core_data.h"

namespace chophien::core {

Result<std::vector<OcopGroup>> parse_ocop_groups(std::string_view json) {
  auto doc = nlohmann::json::parse(json, nullptr, false);
  if (doc.is_discarded() || !doc.is_object())
    return invalid_input("OCOP groups: not a JSON object");
  auto groups = doc.find("groups");
  if (groups == doc.end() || !groups->is_array()) {
    return invalid_input("OCOP groups: no \"groups\" array", "groups");
  }
  std::vector<OcopGroup> out;
  for (const auto& g : *groups) {
    if (!g.is_object()) return invalid_input("OCOP groups: a group is not an object", "groups");
    auto text = [&g](const char* key) -> std::string {
      auto it = g.find(key);
      return it != g.end() && it->is_string() ? it->get<std::string>() : std::string();
    };
    OcopGroup group{text("code"), 0, text("name_vi"), text("name_en")};
    if (auto it = g.find("order"); it != g.end() && it->is_number_integer()) {
      group.order = it->get<int>();
    }
    if (group.code.empty() || group.name_vi.empty() || group.name_en.empty()) {
      return invalid_input("OCOP groups: a group lacks code or names", "groups");
    }
    out.push_back(std::move(group));
  }
  return out;
}

const std::vector<OcopGroup>& ocop_groups() {
  static const std::vector<OcopGroup> groups = [] {
    for (const auto& file : embedded::core_data()) {
      if (file.name == "ocop_groups.json") {
        auto parsed = parse_ocop_groups(file.data);
        if (!parsed) throw std::logic_error("embedded ocop_groups.json: " + parsed.error().message);
        return std::move(*parsed);
      }
    }
    throw std::logic_error("ocop_groups.json is not embedded");
  }();
  return groups;
}

const OcopGroup* find_ocop_group(std::string_view code) {
  for (const auto& group : ocop_groups()) {
    if (group.code == code) return &group;
  }
  return nullptr;
}

}  // namespace chophien::core
