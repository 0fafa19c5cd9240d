// docs/openapi.yaml describes every route the server registers (the coverage rule at the top of
// that file): each route under /api/, /hooks/ and /image/, and /healthz and /metrics, has a path
// there, with the same method, whose sample URL the route's pattern matches. HTML pages and
// /static/ files may be listed but need not be.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "storefront/test_server.h"

namespace chophien::storefront {
namespace {

std::filesystem::path openapi_file() {
  if (const char* root = std::getenv("CHOPHIEN_SOURCE_DIR")) {
    return std::filesystem::path(root) / "docs" / "openapi.yaml";
  }
  // Run by hand: look upwards from the working directory.
  for (auto dir = std::filesystem::current_path(); !dir.empty(); dir = dir.parent_path()) {
    if (std::filesystem::exists(dir / "docs" / "openapi.yaml"))
      return dir / "docs" / "openapi.yaml";
    if (dir == dir.parent_path()) break;
  }
  return "docs/openapi.yaml";
}

// path template -> upper-case methods, from the `paths:` section (two-space path keys,
// four-space method keys, as the file is written).
std::map<std::string, std::set<std::string>> documented_operations(const std::string& yaml) {
  static const std::set<std::string> kMethods = {"get",   "put",  "post",    "delete",
                                                 "patch", "head", "options", "trace"};
  std::map<std::string, std::set<std::string>> out;
  std::istringstream in(yaml);
  std::string line;
  bool in_paths = false;
  std::string current;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty() || line[0] == '#') continue;
    if (line[0] != ' ') {
      in_paths = line == "paths:";
      continue;
    }
    if (!in_paths) continue;
    if (line.rfind("  /", 0) == 0 && line.back() == ':') {
      current = line.substr(2, line.size() - 3);
      out[current];
    } else if (line.rfind("    ", 0) == 0 && line[4] != ' ' && !current.empty()) {
      const std::string key = line.substr(4, line.find(':') - 4);
      if (kMethods.count(key)) {
        std::string upper = key;
        for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        out[current].insert(upper);
      }
    }
  }
  return out;
}

// Concrete URL paths for a template: each {param} becomes one of a few sample values (digits,
// lower-case letters, a payment-code-like word), in every combination.
std::vector<std::string> samples(const std::string& path_template) {
  const size_t open = path_template.find('{');
  const size_t close = open == std::string::npos ? open : path_template.find('}', open);
  if (close == std::string::npos) return {path_template};
  std::vector<std::string> out;
  for (const char* value : {"1", "sepay", "CPK7Q2M9X"}) {
    for (const auto& rest : samples(path_template.substr(close + 1))) {
      out.push_back(path_template.substr(0, open) + value + rest);
    }
  }
  return out;
}

bool documents(const std::string& path_template, const std::regex& pattern) {
  for (const auto& url : samples(path_template)) {
    if (std::regex_match(url, pattern)) return true;
  }
  return false;
}

bool must_be_documented(const std::string& pattern) {
  return pattern.rfind("/api/", 0) == 0 || pattern.rfind("/hooks/", 0) == 0 ||
         pattern.rfind("/image/", 0) == 0 || pattern == "/healthz" || pattern == "/metrics";
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(OpenApi, ParserReadsPathsAndMethods) {
  const auto ops = documented_operations(
      "openapi: 3.0.3\npaths:\n  /a/{id}:\n    parameters: []\n    get:\n      responses: {}\n"
      "    patch:\n      summary: x\n  /b:\n    post:\n      summary: y\ncomponents:\n  /c:\n"
      "    get: {}\n");
  ASSERT_EQ(ops.size(), 2u);
  EXPECT_EQ(ops.at("/a/{id}"), (std::set<std::string>{"GET", "PATCH"}));
  EXPECT_EQ(ops.at("/b"), (std::set<std::string>{"POST"}));
  EXPECT_TRUE(
      documents("/image/{bank}-{account}-{template}.png", std::regex(R"(/image/([^/]+)\.png)")));
  EXPECT_TRUE(documents("/p/{id}/n/{provider}", std::regex(R"(/p/(\d+)/n/([a-z_]+))")));
  EXPECT_FALSE(documents("/p/{id}", std::regex(R"(/p/(\d+)/n)")));
}

TEST(OpenApi, EveryRegisteredRouteIsDocumented) {
  const std::string yaml = read_file(openapi_file());
  ASSERT_FALSE(yaml.empty()) << "cannot read " << openapi_file();
  EXPECT_EQ(yaml.rfind("openapi: 3.0", 0), 0u);
  const auto documented = documented_operations(yaml);
  ASSERT_FALSE(documented.empty());

  TestServer server;
  const auto& routes = server.server().routes();
  ASSERT_FALSE(routes.empty());
  size_t checked = 0;
  std::vector<std::string> missing;
  for (const RouteInfo& route : routes) {
    if (!must_be_documented(route.pattern)) continue;
    ++checked;
    const std::regex pattern(route.pattern);
    bool found = false;
    for (const auto& [path, methods] : documented) {
      if (methods.count(route.method) && documents(path, pattern)) found = true;
    }
    if (!found) missing.push_back(route.method + " " + route.pattern);
  }
  EXPECT_GT(checked, 20u);  // the public routes and the whole API
  EXPECT_TRUE(missing.empty()) << "routes missing from docs/openapi.yaml:\n"
                               << [&] {
                                    std::string all;
                                    for (const auto& m : missing) all += "  " + m + "\n";
                                    return all;
                                  }();
}

TEST(OpenApi, EveryOperationDeclaresItsResponses) {
  const std::string yaml = read_file(openapi_file());
  std::istringstream in(yaml);
  std::string line;
  std::string operation;
  bool in_paths = false;
  bool has_responses = true;
  std::vector<std::string> without;
  static const std::regex method_line(R"(^    (get|put|post|delete|patch):\s*$)");
  while (std::getline(in, line)) {
    if (!line.empty() && line[0] != ' ') {
      if (!has_responses) without.push_back(operation);
      has_responses = true;
      in_paths = line == "paths:";
      continue;
    }
    if (!in_paths) continue;
    if (std::regex_match(line, method_line) || (line.rfind("  /", 0) == 0)) {
      if (!has_responses) without.push_back(operation);
      has_responses = line.rfind("  /", 0) == 0;
      operation = line;
    } else if (line.rfind("      responses:", 0) == 0) {
      has_responses = true;
    }
  }
  if (!has_responses) without.push_back(operation);
  EXPECT_TRUE(without.empty()) << without.size() << " operations without responses, first: "
                               << (without.empty() ? "" : without.front());
}

}  // namespace
}  // namespace chophien::storefront
