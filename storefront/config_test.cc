#include "storefront/config.h"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

namespace chophien::storefront {
namespace {

Result<Config> load(std::vector<std::string_view> args,
                    std::map<std::string, std::string> env = {}) {
  return Config::load(args, [&env](const char* name) -> const char* {
    auto it = env.find(name);
    return it == env.end() ? nullptr : it->second.c_str();
  });
}

TEST(Config, DefaultsListenOnLoopback8080) {
  auto config = load({});
  ASSERT_TRUE(config.has_value());
  EXPECT_EQ(config->host, "127.0.0.1");
  EXPECT_EQ(config->port, 8080);
  EXPECT_EQ(config->threads, 64);
  EXPECT_EQ(config->db_file, "chophien.db");
  EXPECT_FALSE(config->demo);
  EXPECT_EQ(config->base_url(), "http://127.0.0.1:8080");
}

TEST(Config, ArgumentsOverrideEnvironment) {
  auto config = load({"--listen", "0.0.0.0:9000", "--db=shop.db", "--demo"},
                     {{"CHOPHIEN_LISTEN", "127.0.0.1:7000"},
                      {"CHOPHIEN_DB", "env.db"},
                      {"CHOPHIEN_THREADS", "16"}});
  ASSERT_TRUE(config.has_value());
  EXPECT_EQ(config->host, "0.0.0.0");
  EXPECT_EQ(config->port, 9000);
  EXPECT_EQ(config->db_file, "shop.db");
  EXPECT_EQ(config->threads, 16);
  EXPECT_TRUE(config->demo);
}

TEST(Config, EnvironmentSetsEverySetting) {
  auto config = load({}, {{"CHOPHIEN_MAX_BODY", "2048"},
                          {"CHOPHIEN_ORDER_TTL_MINUTES", "30"},
                          {"CHOPHIEN_PUBLIC_URL", "https://cho.example.vn/"},
                          {"CHOPHIEN_SECRET_KEY", std::string(40, 'k')},
                          {"CHOPHIEN_TIMEZONE", "Asia/Ho_Chi_Minh"},
                          {"CHOPHIEN_LOG", "errors"}});
  ASSERT_TRUE(config.has_value()) << config.error().message;
  EXPECT_EQ(config->max_body_bytes, 2048u);
  EXPECT_EQ(config->order_ttl_minutes, 30);
  EXPECT_EQ(config->base_url(), "https://cho.example.vn");
  EXPECT_EQ(config->secret_key.size(), 40u);
  EXPECT_EQ(config->access_log, AccessLog::errors);
}

TEST(Config, IPv6ListenAddressInBrackets) {
  auto config = load({"--listen", "[::1]:8081"});
  ASSERT_TRUE(config.has_value());
  EXPECT_EQ(config->host, "::1");
  EXPECT_EQ(config->port, 8081);
}

TEST(Config, BadValuesNameTheirOptionOrVariable) {
  struct Case {
    std::vector<std::string_view> args;
    std::map<std::string, std::string> env;
    std::string field;
  };
  const Case cases[] = {
      {{"--listen", "8080"}, {}, "--listen"},
      {{"--listen", "127.0.0.1:70000"}, {}, "--listen"},
      {{}, {{"CHOPHIEN_THREADS", "0"}}, "CHOPHIEN_THREADS"},
      {{}, {{"CHOPHIEN_THREADS", "8x"}}, "CHOPHIEN_THREADS"},
      {{"--max-body", "10"}, {}, "--max-body"},
      {{}, {{"CHOPHIEN_SECRET_KEY", "short"}}, "CHOPHIEN_SECRET_KEY"},
      {{}, {{"CHOPHIEN_TIMEZONE", "Europe/Paris"}}, "CHOPHIEN_TIMEZONE"},
      {{}, {{"CHOPHIEN_LOG", "loud"}}, "CHOPHIEN_LOG"},
      {{}, {{"CHOPHIEN_PUBLIC_URL", "cho.example.vn"}}, "CHOPHIEN_PUBLIC_URL"},
      {{"--tls-cert", "cert.pem"}, {}, "--tls-cert"},
      {{"--no-such-option", "1"}, {}, "--no-such-option"},
      {{"--db"}, {}, "--db"},
  };
  for (const auto& c : cases) {
    auto config = load(c.args, c.env);
    ASSERT_FALSE(config.has_value()) << c.field;
    EXPECT_EQ(config.error().code, ErrorCode::invalid_input);
    EXPECT_EQ(config.error().field, c.field) << config.error().message;
  }
}

}  // namespace
}  // namespace chophien::storefront
