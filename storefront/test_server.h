#pragma once
// For tests: the real server, in this process, on 127.0.0.1 and a port the system picks, over a
// fresh SQLite file (real migrations) in a temporary directory. Not a mock. The destructor stops
// the server (waiting for requests in flight), closes the database and deletes the directory.
//
//   TestServer server;
//   httplib::Client client = server.client();
//   auto res = client.Get("/healthz");
//
// Construction failures throw std::runtime_error: a test cannot go on without its server.

#include <httplib.h>

#include <filesystem>
#include <memory>
#include <string>
#include <thread>

#include "core/clock.h"
#include "storefront/config.h"
#include "storefront/db_pool.h"
#include "storefront/server.h"

namespace chophien::storefront {

class TestServer {
 public:
  // `config`'s db_file, host and port are replaced; the other settings are used as given.
  // `prepare` runs on the open database before the server starts (fixtures, demo data).
  // `extra_routes` adds routes for the test (e.g. one that throws).
  explicit TestServer(Config config = quiet_config(),
                      const std::function<void(core::Database&)>& prepare = {},
                      const std::function<void(Router&, AppContext&)>& extra_routes = {});
  ~TestServer();
  TestServer(const TestServer&) = delete;
  TestServer& operator=(const TestServer&) = delete;

  // The defaults with the access log off, so test output stays readable.
  static Config quiet_config();

  int port() const { return server_->port(); }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port()); }
  httplib::Client client() const;
  Server& server() { return *server_; }
  DbPool& db() { return *db_; }
  core::ManualClock& clock() { return clock_; }
  const Config& config() const { return config_; }
  const std::filesystem::path& db_path() const { return db_path_; }

 private:
  std::filesystem::path dir_;
  std::filesystem::path db_path_;
  Config config_;
  core::ManualClock clock_;
  std::unique_ptr<DbPool> db_;
  std::unique_ptr<Server> server_;
  std::thread thread_;
};

}  // namespace chophien::storefront
