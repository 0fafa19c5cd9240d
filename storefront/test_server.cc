#include "storefront/test_server.h"

#include <stdlib.h>

#include <chrono>
#include <stdexcept>

#include "core/areas.h"

namespace chophien::storefront {

Config TestServer::quiet_config() {
  Config config;
  config.access_log = AccessLog::off;
  config.threads = 8;
  return config;
}

TestServer::TestServer(Config config, const std::function<void(core::Database&)>& prepare,
                       const std::function<void(Router&, AppContext&)>& extra_routes)
    : config_(std::move(config)) {
  std::string pattern = (std::filesystem::temp_directory_path() / "chophien-test-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  dir_ = pattern;
  db_path_ = dir_ / "test.db";
  config_.db_file = db_path_.string();
  config_.host = "127.0.0.1";
  config_.port = 0;
  auto pool = DbPool::open(config_.db_file);
  if (!pool) throw std::runtime_error("TestServer: " + pool.error().message);
  db_ = std::move(*pool);
  {
    auto db = db_->acquire();
    if (!db) throw std::runtime_error("TestServer: " + db.error().message);
    auto areas = core::AreaStore(*db).load_default();
    if (!areas) throw std::runtime_error("TestServer: areas: " + areas.error().message);
    if (prepare) prepare(*db);
  }
  auto server = Server::create(config_, *db_, clock_, extra_routes);
  if (!server) throw std::runtime_error("TestServer: " + server.error().message);
  server_ = std::move(*server);
  auto bound = server_->bind();
  if (!bound) throw std::runtime_error("TestServer: " + bound.error().message);
  thread_ = std::thread([this] { (void)server_->run(); });
  // listen_after_bind() sets is_running before it accepts; connections made earlier wait in the
  // backlog anyway, so this only makes is_running() true for the test.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!server_->is_running()) {
    if (std::chrono::steady_clock::now() > deadline) {
      throw std::runtime_error("TestServer: the server did not start");
    }
    std::this_thread::yield();
  }
}

TestServer::~TestServer() {
  server_->stop();
  if (thread_.joinable()) thread_.join();
  server_.reset();
  db_.reset();
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

httplib::Client TestServer::client() const {
  httplib::Client client("127.0.0.1", port());
  client.set_connection_timeout(5);
  client.set_read_timeout(10);
  return client;
}

}  // namespace chophien::storefront
