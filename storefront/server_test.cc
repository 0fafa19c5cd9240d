// The server's infrastructure over real HTTP on 127.0.0.1: ids, logs, metrics, headers, limits,
// errors, shutdown. The last test runs the real `chophien serve` binary and stops it with SIGTERM.
#include "storefront/server.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <future>
#include <iterator>
#include <mutex>
#include <nlohmann/json.hpp>
#include <regex>
#include <stdexcept>
#include <thread>
#include <vector>

#include "core/log.h"
#include "storefront/test_server.h"

namespace chophien::storefront {
namespace {

using nlohmann::json;

void expect_security_headers(const httplib::Result& res, const std::string& what) {
  ASSERT_TRUE(res) << what;
  EXPECT_EQ(res->get_header_value("Content-Security-Policy"),
            "default-src 'self'; img-src 'self' data:; style-src 'self'; frame-ancestors 'none'; "
            "form-action 'self'; base-uri 'none'")
      << what;
  EXPECT_EQ(res->get_header_value("X-Content-Type-Options"), "nosniff") << what;
  EXPECT_EQ(res->get_header_value("X-Frame-Options"), "DENY") << what;
  EXPECT_EQ(res->get_header_value("Referrer-Policy"), "same-origin") << what;
  EXPECT_TRUE(std::regex_match(res->get_header_value("X-Request-Id"), std::regex("r-[0-9a-f]{6}")))
      << what << ": " << res->get_header_value("X-Request-Id");
}

TEST(Server, HealthzAnswersOkWithTheVersion) {
  TestServer server;
  auto res = server.client().Get("/healthz");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  auto body = json::parse(res->body);
  EXPECT_EQ(body["status"], "ok");
  EXPECT_EQ(body["db"], "ok");
  EXPECT_EQ(body["version"], CHOPHIEN_VERSION);
}

TEST(Server, HealthzIs503WhenTheDatabaseIsClosed) {
  TestServer server;
  ASSERT_TRUE(server.db().close().has_value());
  auto res = server.client().Get("/healthz");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 503);
  EXPECT_EQ(json::parse(res->body)["db"], "error");
}

TEST(Server, EveryKindOfResponseCarriesTheSecurityHeadersAndARequestId) {
  TestServer server;
  auto client = server.client();
  expect_security_headers(client.Get("/healthz"), "json");
  expect_security_headers(client.Get("/api/v1/nothing-here"), "json 404");
  expect_security_headers(client.Get("/khong-co-trang-nay"), "html 404");
  expect_security_headers(client.Get(server.server().renderer().asset_url("style.css")), "css");
  expect_security_headers(client.Get("/api/v1/vietqr?bank=VCB&account=0011001234567&format=png"),
                          "png");
  expect_security_headers(client.Get("/metrics"), "metrics");
  expect_security_headers(client.Get("/api/v1/vietqr?bank=nope&account=1"), "json 400");
}

TEST(Server, RequestIdsDifferAndAppearInErrorBodies) {
  TestServer server;
  auto client = server.client();
  auto a = client.Get("/api/v1/missing");
  auto b = client.Get("/api/v1/missing");
  ASSERT_TRUE(a && b);
  EXPECT_NE(a->get_header_value("X-Request-Id"), b->get_header_value("X-Request-Id"));
  auto body = json::parse(a->body);
  EXPECT_EQ(body["request_id"], a->get_header_value("X-Request-Id"));
}

TEST(Server, UnknownApiPathIs404Json) {
  TestServer server;
  auto res = server.client().Get("/api/v1/unknown");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 404);
  EXPECT_EQ(res->get_header_value("Content-Type"), "application/json; charset=utf-8");
  EXPECT_EQ(json::parse(res->body)["error"]["code"], "not_found");
}

TEST(Server, UnknownPageIs404HtmlInVietnamese) {
  TestServer server;
  auto res = server.client().Get("/khong-co-trang-nay");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 404);
  EXPECT_EQ(res->get_header_value("Content-Type"), "text/html; charset=utf-8");
  EXPECT_NE(res->body.find("<html lang=\"vi\">"), std::string::npos);
  EXPECT_NE(res->body.find("Không tìm thấy trang"), std::string::npos);
  EXPECT_NE(res->body.find(res->get_header_value("X-Request-Id")), std::string::npos);
}

TEST(Server, BodyOverTheLimitIs413Json) {
  Config config = TestServer::quiet_config();
  config.max_body_bytes = 1024;
  TestServer server(config);
  auto res = server.client().Post("/api/v1/checkout", std::string(4096, 'x'), "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 413);
  auto body = json::parse(res->body);
  EXPECT_EQ(body["error"]["code"], "too_large");
  EXPECT_EQ(body["request_id"], res->get_header_value("X-Request-Id"));
}

TEST(Server, ExceptionInAHandlerIs500WithRequestIdAndTheWhatIsLoggedNotShown) {
  std::vector<std::string> lines;
  std::mutex mutex;
  auto previous = core::set_log_sink([&](std::string_view line) {
    std::lock_guard lock(mutex);
    lines.emplace_back(line);
  });
  {
    TestServer server(TestServer::quiet_config(), {}, [](Router& router, AppContext&) {
      router.get("/api/v1/test/throw", [](const httplib::Request&, httplib::Response&) {
        throw std::runtime_error("secret internals");
      });
    });
    auto res = server.client().Get("/api/v1/test/throw");
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 500);
    EXPECT_EQ(res->body.find("secret internals"), std::string::npos);
    auto body = json::parse(res->body);
    EXPECT_EQ(body["error"]["code"], "internal");
    const std::string id = res->get_header_value("X-Request-Id");
    EXPECT_EQ(body["request_id"], id);
    std::lock_guard lock(mutex);
    bool logged = false;
    for (const auto& line : lines) {
      if (line.find("event=http.exception") != std::string::npos &&
          line.find(id) != std::string::npos &&
          line.find("secret internals") != std::string::npos) {
        logged = true;
      }
    }
    EXPECT_TRUE(logged);
  }
  core::set_log_sink(previous);
}

TEST(Server, AccessLogHasOneLinePerRequestWithoutTheQueryString) {
  std::vector<std::string> lines;
  std::mutex mutex;
  auto previous = core::set_log_sink([&](std::string_view line) {
    std::lock_guard lock(mutex);
    if (line.find("event=http.request") != std::string::npos) lines.emplace_back(line);
  });
  std::string id;
  {
    Config config = TestServer::quiet_config();
    config.access_log = AccessLog::all;
    TestServer server(config);
    auto res = server.client().Get("/api/v1/vietqr?bank=VCB&account=0011001234567&purpose=tok123");
    ASSERT_TRUE(res);
    id = res->get_header_value("X-Request-Id");
  }  // the line is written after the response; the destructor waits for the workers
  core::set_log_sink(previous);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_NE(lines[0].find("method=GET path=/api/v1/vietqr status=200"), std::string::npos)
      << lines[0];
  EXPECT_NE(lines[0].find("request=" + id), std::string::npos) << lines[0];
  EXPECT_EQ(lines[0].find("tok123"), std::string::npos) << lines[0];
}

TEST(Server, MetricsCountRequestsByRoutePatternInPrometheusFormat) {
  TestServer server;
  auto client = server.client();
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(client.Get("/healthz"));
  ASSERT_TRUE(client.Get("/api/v1/nothing"));
  // A request is counted before its response is written: no waiting needed.
  auto res = client.Get("/metrics");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->get_header_value("Content-Type"), "text/plain; version=0.0.4; charset=utf-8");
  const std::string& text = res->body;
  EXPECT_NE(
      text.find(
          "chophien_http_requests_total{route=\"/healthz\",method=\"GET\",status=\"200\"} 3\n"),
      std::string::npos)
      << text;
  EXPECT_NE(
      text.find(
          "chophien_http_requests_total{route=\"unmatched\",method=\"GET\",status=\"404\"} 1\n"),
      std::string::npos)
      << text;
  EXPECT_NE(
      text.find(
          "chophien_http_request_duration_seconds_count{route=\"/healthz\",method=\"GET\"} 3\n"),
      std::string::npos);
  // Every line is a comment or `name{labels} value`.
  std::regex sample(R"(^[a-zA-Z_:][a-zA-Z0-9_:]*(\{[^}]*\})? -?[0-9.e+-]+$)");
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    ASSERT_NE(end, std::string::npos) << "the text format ends every line with \\n";
    std::string line = text.substr(start, end - start);
    if (!line.starts_with("# HELP ") && !line.starts_with("# TYPE ")) {
      EXPECT_TRUE(std::regex_match(line, sample)) << line;
    }
    start = end + 1;
  }
}

TEST(Server, StopLetsTheRequestInFlightFinish) {
  std::promise<void> entered;
  std::promise<void> release;
  auto release_future = release.get_future().share();
  TestServer server(TestServer::quiet_config(), {}, [&](Router& router, AppContext&) {
    router.get("/api/v1/test/slow", [&](const httplib::Request&, httplib::Response& res) {
      entered.set_value();
      release_future.wait();
      res.set_content("{\"done\":true}", "application/json");
    });
  });
  auto answer =
      std::async(std::launch::async, [&] { return server.client().Get("/api/v1/test/slow"); });
  entered.get_future().wait();
  std::thread stopper([&] { server.server().stop(); });
  release.set_value();
  auto res = answer.get();
  stopper.join();
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->body, "{\"done\":true}");
}

// --- The real binary ---

int free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

TEST(ServeCommand, SigtermFinishesAndLeavesACheckpointedIntactDatabase) {
  std::string dir_pattern =
      (std::filesystem::temp_directory_path() / "chophien-serve-XXXXXX").string();
  ASSERT_NE(::mkdtemp(dir_pattern.data()), nullptr);
  const std::filesystem::path dir = dir_pattern;
  const std::string db = (dir / "shop.db").string();
  const int port = free_port();
  const std::string listen = "127.0.0.1:" + std::to_string(port);

  pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    ::setenv("CHOPHIEN_LOG", "off", 1);
    ::execl(CHOPHIEN_BINARY, CHOPHIEN_BINARY, "serve", "--db", db.c_str(), "--listen",
            listen.c_str(), "--threads", "4", static_cast<char*>(nullptr));
    ::_exit(127);
  }
  httplib::Client client("127.0.0.1", port);
  client.set_connection_timeout(1);
  bool up = false;
  // The child needs a moment to open the database; poll /healthz for up to 20 seconds.
  for (int attempt = 0; attempt < 200 && !up; ++attempt) {
    auto res = client.Get("/healthz");
    up = res && res->status == 200;
    if (!up) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_TRUE(up) << "chophien serve did not answer on " << listen;
  for (int i = 0; i < 5; ++i) {
    auto res = client.Get("/api/v1/banks");
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 200);
  }
  ASSERT_EQ(::kill(pid, SIGTERM), 0);
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status)) << "killed by signal " << WTERMSIG(status);
  EXPECT_EQ(WEXITSTATUS(status), 0);

  const auto wal = std::filesystem::path(db + "-wal");
  EXPECT_TRUE(!std::filesystem::exists(wal) || std::filesystem::file_size(wal) == 0)
      << "the WAL was not checkpointed";
  sqlite3* handle = nullptr;
  ASSERT_EQ(sqlite3_open_v2(db.c_str(), &handle, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(handle, "PRAGMA integrity_check", -1, &stmt, nullptr), SQLITE_OK);
  ASSERT_EQ(sqlite3_step(stmt), SQLITE_ROW);
  EXPECT_STREQ(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0)), "ok");
  sqlite3_finalize(stmt);
  sqlite3_close(handle);
  std::filesystem::remove_all(dir);
}

// The server's standard error for one run of `chophien serve` (until it answers, then SIGTERM),
// with `secret_key` in the environment when not empty.
std::string serve_stderr(const std::string& secret_key) {
  std::string dir_pattern =
      (std::filesystem::temp_directory_path() / "chophien-serve-XXXXXX").string();
  if (::mkdtemp(dir_pattern.data()) == nullptr) return "mkdtemp failed";
  const std::filesystem::path dir = dir_pattern;
  const std::string db = (dir / "shop.db").string();
  const std::string log = (dir / "stderr.txt").string();
  const int port = free_port();
  const std::string listen = "127.0.0.1:" + std::to_string(port);
  pid_t pid = ::fork();
  if (pid == 0) {
    ::setenv("CHOPHIEN_LOG", "off", 1);
    ::unsetenv("CHOPHIEN_SECRET_KEY");
    if (!secret_key.empty()) ::setenv("CHOPHIEN_SECRET_KEY", secret_key.c_str(), 1);
    const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    ::dup2(fd, 2);
    ::execl(CHOPHIEN_BINARY, CHOPHIEN_BINARY, "serve", "--db", db.c_str(), "--listen",
            listen.c_str(), "--threads", "4", static_cast<char*>(nullptr));
    ::_exit(127);
  }
  httplib::Client client("127.0.0.1", port);
  client.set_connection_timeout(1);
  for (int attempt = 0; attempt < 200; ++attempt) {
    auto res = client.Get("/healthz");
    if (res && res->status == 200) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ::kill(pid, SIGTERM);
  int status = 0;
  ::waitpid(pid, &status, 0);
  std::ifstream in(log);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::filesystem::remove_all(dir);
  return text;
}

TEST(ServeCommand, WarnsAtStartWhenNoSecretKeyIsSet) {
  const std::string without = serve_stderr("");
  EXPECT_NE(without.find("event=server.warning"), std::string::npos) << without;
  EXPECT_NE(without.find("CHOPHIEN_SECRET_KEY is not set"), std::string::npos) << without;
  const std::string key(40, 'k');
  const std::string with = serve_stderr(key);
  EXPECT_EQ(with.find("CHOPHIEN_SECRET_KEY is not set"), std::string::npos) << with;
  EXPECT_EQ(with.find(key), std::string::npos) << "the key was logged";
}

TEST(ServeCommand, InvalidSettingExitsWithStatus2) {
  pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    ::setenv("CHOPHIEN_THREADS", "zero", 1);
    int devnull = ::open("/dev/null", O_WRONLY);
    ::dup2(devnull, 2);
    ::execl(CHOPHIEN_BINARY, CHOPHIEN_BINARY, "serve", static_cast<char*>(nullptr));
    ::_exit(127);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 2);
}

}  // namespace
}  // namespace chophien::storefront
