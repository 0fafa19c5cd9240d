#include "qr/banks.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <string>
#include <unordered_map>
#include <vector>

#include "qr/payload.h"
#include "qr_data.h"

namespace chophien::qr {
namespace {

// Lower-case ASCII letters and digits only, after folding Vietnamese: "Ngân hàng Đông Á" and
// "nganhang dong-a" give the same key.
std::string match_key(std::string_view text) {
  std::string folded = fold_description(text);
  std::string key;
  key.reserve(folded.size());
  for (char c : folded) {
    if (c >= 'A' && c <= 'Z') {
      key.push_back(static_cast<char>(c - 'A' + 'a'));
    } else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
      key.push_back(c);
    }
  }
  return key;
}

std::string_view strip_prefix(std::string_view key, std::string_view prefix) {
  if (key.size() > prefix.size() && key.substr(0, prefix.size()) == prefix) {
    return key.substr(prefix.size());
  }
  return key;
}

std::string json_string(const nlohmann::json& object, const char* field) {
  auto it = object.find(field);
  if (it == object.end() || !it->is_string()) return {};
  return it->get<std::string>();
}

bool json_bool(const nlohmann::json& object, const char* field) {
  auto it = object.find(field);
  return it != object.end() && it->is_boolean() && it->get<bool>();
}

struct Directory {
  std::vector<Bank> banks;  // by BIN
  std::unordered_map<std::string, size_t> by_key;
};

Directory load() {
  Directory dir;
  std::string_view text;
  for (const auto& file : data::qr_data()) {
    if (file.name == "banks.json") text = file.data;
  }
  auto json = nlohmann::json::parse(text, nullptr, false);
  if (json.is_discarded() || !json.is_object()) return dir;
  auto list = json.find("banks");
  if (list == json.end() || !list->is_array()) return dir;
  for (const auto& item : *list) {
    if (!item.is_object()) continue;
    Bank bank;
    bank.bin = json_string(item, "bin");
    bank.code = json_string(item, "code");
    bank.short_name = json_string(item, "short_name");
    bank.name = json_string(item, "name");
    bank.swift = json_string(item, "swift");
    bank.napas_transfer = json_bool(item, "napas_transfer");
    bank.account_lookup = json_bool(item, "account_lookup");
    bank.vietqr_listed = json_bool(item, "vietqr_listed");
    bank.sbv_code = json_string(item, "sbv_code");
    if (auto former = item.find("former_names"); former != item.end() && former->is_array()) {
      for (const auto& f : *former) {
        if (f.is_string()) bank.former_names.push_back(f.get<std::string>());
      }
    }
    if (bank.bin.size() != 6) continue;
    dir.banks.push_back(std::move(bank));
  }
  std::sort(dir.banks.begin(), dir.banks.end(),
            [](const Bank& a, const Bank& b) { return a.bin < b.bin; });

  // Candidates in order of preference: a bank VietQR lists and that takes transfers first.
  std::vector<size_t> order(dir.banks.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  auto rank = [&](size_t i) {
    const Bank& b = dir.banks[i];
    return (b.vietqr_listed ? 0 : 2) + (b.napas_transfer ? 0 : 1);
  };
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return rank(a) < rank(b); });

  // Earlier levels win over later ones: a code never loses to somebody's former name.
  auto add = [&](const std::string& value, size_t index) {
    std::string key = match_key(value);
    if (!key.empty()) dir.by_key.emplace(std::move(key), index);
  };
  for (size_t i : order) add(dir.banks[i].code, i);
  for (size_t i : order) add(dir.banks[i].short_name, i);
  for (size_t i : order) add(dir.banks[i].sbv_code, i);
  for (size_t i : order) {
    for (const auto& former : dir.banks[i].former_names) {
      // "DongABank (Ngân hàng TMCP Đông Á), code DOB": the name, and the legal name in brackets.
      auto open = former.find('(');
      add(former.substr(0, open), i);
      if (open != std::string::npos) {
        auto close = former.find(')', open);
        add(former.substr(open + 1, close == std::string::npos ? close : close - open - 1), i);
      }
    }
  }
  for (size_t i : order) add(dir.banks[i].name, i);
  // Short names without a trailing "bank": "Vietcom", "Techcom", "Vikki".
  for (size_t i : order) {
    std::string key = match_key(dir.banks[i].short_name);
    if (key.size() > 6 && key.ends_with("bank")) {
      dir.by_key.emplace(key.substr(0, key.size() - 4), i);
    }
  }
  return dir;
}

const Directory& directory() {
  static const Directory dir = load();
  return dir;
}

}  // namespace

std::span<const Bank> banks() { return directory().banks; }

const Bank* find_bank_by_bin(std::string_view bin) {
  const auto& list = directory().banks;
  auto it = std::lower_bound(list.begin(), list.end(), bin,
                             [](const Bank& b, std::string_view v) { return b.bin < v; });
  if (it == list.end() || it->bin != bin) return nullptr;
  return &*it;
}

const Bank* resolve_bank(std::string_view query) {
  if (query.size() == 6 &&
      std::all_of(query.begin(), query.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return find_bank_by_bin(query);
  }
  const Directory& dir = directory();
  std::string key = match_key(query);
  if (key.empty()) return nullptr;
  auto lookup = [&](std::string_view k) -> const Bank* {
    auto it = dir.by_key.find(std::string(k));
    return it == dir.by_key.end() ? nullptr : &dir.banks[it->second];
  };
  if (const Bank* bank = lookup(key)) return bank;
  std::string_view rest = strip_prefix(key, "nganhang");
  if (rest.size() != key.size()) {
    if (const Bank* bank = lookup(rest)) return bank;
  }
  return nullptr;
}

}  // namespace chophien::qr
