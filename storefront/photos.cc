#include "storefront/photos.h"

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <nlohmann/json.hpp>
#include <utility>

#include "core/log.h"

extern char** environ;

namespace chophien::storefront {
namespace {

using nlohmann::json;

Error photo_error(ErrorCode code, std::string_view message) {
  return Error{code, std::string(message), "photo"};
}

// The helper's answer is at most the copies of one photo (a few hundred kB) plus its header;
// anything larger is not an answer.
constexpr size_t kMaxAnswerBytes = 64 * 1024 * 1024;
constexpr auto kHelperTimeout = std::chrono::seconds(60);

bool executable(const std::string& path) {
  return !path.empty() && access(path.c_str(), X_OK) == 0;
}

// CHOPHIEN_PHOTO_HELPER, else chophien-photos next to the running program, else the one the build
// tree made (tests and `make run`).
std::string helper_path() {
  if (const char* set = std::getenv("CHOPHIEN_PHOTO_HELPER"); set != nullptr && *set != 0) {
    return set;
  }
  char self[4096];
  const ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
  if (n > 0) {
    std::string dir(self, static_cast<size_t>(n));
    dir.erase(dir.rfind('/') + 1);
    if (executable(dir + "chophien-photos")) return dir + "chophien-photos";
  }
#if defined(CHOPHIEN_PHOTO_HELPER_BUILD) && defined(CHOPHIEN_BUILD_DIR)
  // Only a program running from the build tree (a test) looks there; an installed server never
  // runs a path compiled into it.
  if (n > 0 && std::string_view(self, static_cast<size_t>(n)).starts_with(CHOPHIEN_BUILD_DIR "/") &&
      executable(CHOPHIEN_PHOTO_HELPER_BUILD)) {
    return CHOPHIEN_PHOTO_HELPER_BUILD;
  }
#endif
  return "";
}

struct Fd {
  int fd = -1;
  ~Fd() { reset(); }
  void reset() {
    if (fd >= 0) close(fd);
    fd = -1;
  }
};

// Runs the helper with `input` on its stdin; its stdout, or an error. The helper is killed when
// it runs past kHelperTimeout or writes more than kMaxAnswerBytes.
Result<std::string> run_helper(const std::string& path, std::string_view input) {
  const Error unavailable{ErrorCode::unavailable,
                          "Chưa xử lý được ảnh lúc này, vui lòng thử lại. / The photo could not "
                          "be processed now.",
                          "photo"};
  int in_pipe[2], out_pipe[2];
  if (pipe2(in_pipe, O_CLOEXEC) != 0) return unavailable;
  Fd child_in{in_pipe[0]}, to_child{in_pipe[1]};
  if (pipe2(out_pipe, O_CLOEXEC) != 0) return unavailable;
  Fd from_child{out_pipe[0]}, child_out{out_pipe[1]};

  // The helper gets its two pipes and nothing else of the server: no other descriptor (the
  // listening socket and client connections are not close-on-exec), no environment (secrets
  // live there), default signal handling and an empty signal mask (the server blocks SIGTERM).
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, child_in.fd, 0);
  posix_spawn_file_actions_adddup2(&actions, child_out.fd, 1);
  posix_spawn_file_actions_addclosefrom_np(&actions, 3);
  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  sigset_t none, all;
  sigemptyset(&none);
  sigfillset(&all);
  posix_spawnattr_setsigmask(&attributes, &none);
  posix_spawnattr_setsigdefault(&attributes, &all);
  posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  char* argv[] = {const_cast<char*>(path.c_str()), nullptr};
  char* envp[] = {const_cast<char*>("PATH=/usr/bin:/bin"), nullptr};
  pid_t pid = 0;
  const int spawned = posix_spawn(&pid, path.c_str(), &actions, &attributes, argv, envp);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attributes);
  if (spawned != 0) {
    core::log("photo.helper_failed", {{"path", path}, {"errno", spawned}});
    return unavailable;
  }
  // From here the child is always waited for, and the thread's signal mask restored, whatever
  // happens below (an allocation failing included).
  struct Reaper {
    pid_t pid;
    sigset_t mask;
    bool done = false;
    int status = 0;
    int wait() {
      if (!done) {
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
        }
        done = true;
      }
      return status;
    }
    ~Reaper() {
      if (!done) {
        kill(pid, SIGKILL);
        wait();
      }
      // A SIGPIPE raised by a write to the helper is taken here, never delivered.
      sigset_t pending, pipe_only;
      sigemptyset(&pipe_only);
      sigaddset(&pipe_only, SIGPIPE);
      if (sigpending(&pending) == 0 && sigismember(&pending, SIGPIPE) == 1) {
        const timespec now{0, 0};
        sigtimedwait(&pipe_only, nullptr, &now);
      }
      pthread_sigmask(SIG_SETMASK, &mask, nullptr);
    }
  };
  child_in.reset();
  child_out.reset();
  fcntl(to_child.fd, F_SETFL, O_NONBLOCK);
  fcntl(from_child.fd, F_SETFL, O_NONBLOCK);
  // A helper that exits before reading everything makes the next write raise SIGPIPE, which
  // would end the server: this thread blocks it, and a pending one is taken before unblocking.
  sigset_t pipe_signal, before;
  sigemptyset(&pipe_signal);
  sigaddset(&pipe_signal, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipe_signal, &before);
  Reaper reaper{pid, before};

  std::string output;
  size_t written = 0;
  bool overflow = false;
  const auto deadline = std::chrono::steady_clock::now() + kHelperTimeout;
  while (from_child.fd >= 0) {
    if (written == input.size()) to_child.reset();  // end of input
    pollfd fds[2];
    int n = 0;
    fds[n++] = {from_child.fd, POLLIN, 0};
    if (to_child.fd >= 0) fds[n++] = {to_child.fd, POLLOUT, 0};
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) break;
    const int ready = poll(fds, static_cast<nfds_t>(n), static_cast<int>(left.count()));
    if (ready < 0 && errno != EINTR) break;
    if (ready <= 0) continue;
    if (n == 2 && (fds[1].revents & (POLLOUT | POLLERR | POLLHUP)) != 0) {
      const ssize_t w = write(to_child.fd, input.data() + written, input.size() - written);
      if (w > 0) {
        written += static_cast<size_t>(w);
      } else if (errno != EAGAIN && errno != EINTR) {
        to_child.reset();
        written = input.size();
      }
    }
    if ((fds[0].revents & (POLLIN | POLLERR | POLLHUP)) != 0) {
      char buffer[65536];
      const ssize_t r = read(from_child.fd, buffer, sizeof buffer);
      if (r > 0) {
        output.append(buffer, static_cast<size_t>(r));
        if (output.size() > kMaxAnswerBytes) {
          overflow = true;
          break;
        }
      } else if (r == 0 || (errno != EAGAIN && errno != EINTR)) {
        from_child.reset();
      }
    }
  }
  to_child.reset();
  const bool finished = from_child.fd < 0 && !overflow;
  if (!finished) kill(pid, SIGKILL);
  const int status = reaper.wait();
  if (finished && WIFEXITED(status) && WEXITSTATUS(status) == 0) return output;
  core::log("photo.helper_failed", {{"path", path},
                                    {"exit", WIFEXITED(status) ? WEXITSTATUS(status) : -1},
                                    {"signal", WIFSIGNALED(status) ? WTERMSIG(status) : 0},
                                    {"timed_out", !finished && !overflow}});
  // 127: the helper could not be loaded (a library missing); kHelperCannotStart: it could not
  // start its decoder. Both are the server's installation, not the file.
  if (finished && WIFEXITED(status) &&
      (WEXITSTATUS(status) == 127 || WEXITSTATUS(status) == kPhotoHelperCannotStart)) {
    return unavailable;
  }
  // Otherwise the decoder gave up on this file (crashed, ran too long, answered nonsense).
  return photo_error(ErrorCode::invalid_input, kPhotoBrokenMessage);
}

// The product when it belongs to `producer_id`.
Result<core::Product> owned_product(core::ProductStore& store, int64_t producer_id,
                                    int64_t product_id) {
  auto product = store.find(product_id);
  if (!product) return product.error();
  if (product->producer_id != producer_id) return not_found("no such product");
  return product;
}

std::string variant_url(const core::Photo& photo, int width, const char* ext) {
  return "/anh/" + photo.sha256 + "-" + std::to_string(width) + "." + ext;
}

}  // namespace

std::string sniff_photo_type(std::string_view b) {
  if (b.size() >= 3 && b.substr(0, 3) == "\xFF\xD8\xFF") return "image/jpeg";
  if (b.size() >= 8 && b.substr(0, 8) == "\x89PNG\r\n\x1A\n") return "image/png";
  if (b.size() >= 12 && b.substr(0, 4) == "RIFF" && b.substr(8, 4) == "WEBP") return "image/webp";
  return "";
}

Result<void> check_photo_bytes(std::string_view bytes) {
  if (bytes.empty()) {
    return photo_error(ErrorCode::invalid_input, "Chưa chọn ảnh. / No photo was sent.");
  }
  if (bytes.size() > core::kMaxPhotoBytes) {
    return photo_error(ErrorCode::too_large,
                       "Ảnh lớn hơn 7 MB, vui lòng chọn ảnh nhỏ hơn. / The photo is larger than "
                       "7 MB.");
  }
  if (sniff_photo_type(bytes).empty()) {
    return photo_error(ErrorCode::invalid_input, kPhotoNotImageMessage);
  }
  return {};
}

std::string encode_photo_answer(const Result<PreparedPhoto>& answer) {
  if (!answer) {
    return json{{"ok", false},
                {"code", error_code_name(answer.error().code)},
                {"message", answer.error().message}}
               .dump() +
           "\n";
  }
  json variants = json::array();
  std::string bytes;
  for (const auto& v : answer->variants) {
    variants.push_back(
        {{"width", v.width}, {"height", v.height}, {"format", v.format}, {"size", v.bytes.size()}});
    bytes += v.bytes;
  }
  return json{{"ok", true},
              {"content_type", answer->content_type},
              {"width", answer->width},
              {"height", answer->height},
              {"variants", variants}}
             .dump() +
         "\n" + bytes;
}

Result<PreparedPhoto> decode_photo_answer(std::string_view answer) {
  const Error bad{ErrorCode::invalid_input, std::string(kPhotoBrokenMessage), "photo"};
  const size_t eol = answer.find('\n');
  if (eol == std::string_view::npos || eol > 64 * 1024) return bad;
  const json header = json::parse(answer.substr(0, eol), nullptr, false);
  if (!header.is_object() || !header.value("ok", json()).is_boolean()) return bad;
  auto text = [&](const char* name) {
    const auto it = header.find(name);
    return it != header.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  if (!header["ok"].get<bool>()) {
    const std::string code = text("code");
    const std::string message = text("message");
    if (message.empty()) return bad;
    // The helper refuses files (invalid_input, too_large); nothing else is an answer.
    if (code != "too_large" && code != "invalid_input") return bad;
    return Error{code == "too_large" ? ErrorCode::too_large : ErrorCode::invalid_input, message,
                 "photo"};
  }
  PreparedPhoto out;
  out.content_type = text("content_type");
  if (out.content_type != "image/jpeg" && out.content_type != "image/png" &&
      out.content_type != "image/webp") {
    return bad;
  }
  const json width = header.value("width", json()), height = header.value("height", json());
  const json variants = header.value("variants", json());
  if (!width.is_number_integer() || !height.is_number_integer() || !variants.is_array() ||
      variants.size() > 8) {
    return bad;
  }
  // Range-checked as 64-bit numbers before narrowing.
  auto in_range = [](const json& v, int64_t max) {
    const int64_t x = v.get<int64_t>();
    return x > 0 && x <= max;
  };
  if (!in_range(width, kMaxPhotoSide) || !in_range(height, kMaxPhotoSide)) return bad;
  out.width = static_cast<int>(width.get<int64_t>());
  out.height = static_cast<int>(height.get<int64_t>());
  size_t at = eol + 1;
  for (const auto& v : variants) {
    if (!v.is_object() || !v.value("width", json()).is_number_integer() ||
        !v.value("height", json()).is_number_integer() ||
        !v.value("size", json()).is_number_unsigned() || !v.value("format", json()).is_string()) {
      return bad;
    }
    if (!in_range(v["width"], 4096) || !in_range(v["height"], 4 * 4096)) return bad;
    core::PhotoVariant variant;
    variant.width = static_cast<int>(v["width"].get<int64_t>());
    variant.height = static_cast<int>(v["height"].get<int64_t>());
    variant.format = v["format"].get<std::string>();
    const uint64_t size = v["size"].get<uint64_t>();
    if ((variant.format != "webp" && variant.format != "jpg") || size == 0 ||
        size > answer.size() - at) {
      return bad;
    }
    variant.bytes = std::string(answer.substr(at, size));
    at += size;
    out.variants.push_back(std::move(variant));
  }
  if (at != answer.size()) return bad;
  return out;
}

Result<PreparedPhoto> prepare_photo(std::string_view bytes) {
  if (auto refused = check_photo_bytes(bytes); !refused) return refused.error();
  const std::string helper = helper_path();
  if (helper.empty()) {
    return Error{ErrorCode::unavailable,
                 "Máy chủ thiếu chương trình xử lý ảnh chophien-photos. / The photo helper "
                 "chophien-photos is missing.",
                 "photo"};
  }
  auto answer = run_helper(helper, bytes);
  if (!answer) return answer.error();
  return decode_photo_answer(*answer);
}

Result<core::Photo> store_photo(core::Database& db, const core::Clock& clock, int64_t producer_id,
                                int64_t product_id, std::string_view bytes) {
  core::ProductStore store(db, clock);
  // Check the product first so a stranger's upload costs no decoding.
  if (auto product = owned_product(store, producer_id, product_id); !product) {
    return product.error();
  }
  // Decoding comes before any write: it is the slow part and needs no lock. A product never
  // changes producer, so the check above still holds for the write (one transaction in core).
  auto prepared = prepare_photo(bytes);
  if (!prepared) return prepared.error();
  return store_prepared_photo(db, clock, producer_id, product_id, bytes, *prepared);
}

Result<core::Photo> store_prepared_photo(core::Database& db, const core::Clock& clock,
                                         int64_t producer_id, int64_t product_id,
                                         std::string_view bytes, const PreparedPhoto& prepared) {
  core::ProductStore store(db, clock);
  if (auto product = owned_product(store, producer_id, product_id); !product) {
    return product.error();
  }
  return store.add_photo(product_id, bytes, prepared.content_type, prepared.width, prepared.height,
                         prepared.variants);
}

Result<RemadeCopies> remake_listed_photo_copies(core::Database& db, const core::Clock& clock) {
  core::ProductStore store(db, clock);
  RemadeCopies done;
  // A batch at a time: each photo is its own transaction, so a stop halfway keeps what is done.
  // A photo whose replacement fails stays listed; `tried` keeps the loop from meeting it again.
  std::vector<std::string> tried;
  for (;;) {
    auto listed = store.photos_to_strip(static_cast<int>(tried.size()) + 16);
    if (!listed) return listed.error();
    std::vector<std::string> batch;
    for (auto& sha : *listed) {
      if (std::find(tried.begin(), tried.end(), sha) == tried.end()) batch.push_back(sha);
    }
    if (batch.empty()) break;
    for (const auto& sha : batch) {
      tried.push_back(sha);
      auto original = store.photo_data(sha);
      std::vector<core::PhotoVariant> copies;
      if (original) {
        auto prepared = prepare_photo(original->bytes);
        // The helper missing or not starting is the installation's problem: stop, keep the list
        // (its copies stay unserved), try again at the next start.
        if (!prepared && prepared.error().code == ErrorCode::unavailable) return prepared.error();
        if (prepared) copies = std::move(prepared->variants);
      } else if (original.error().code != ErrorCode::not_found) {
        return original.error();
      }
      // An original that no longer decodes keeps no copy rather than one with its metadata.
      if (auto replaced = store.replace_photo_copies(sha, copies); !replaced) {
        ++done.failed;
        core::log("photo.copies_not_remade",
                  {{"sha256", sha}, {"error", replaced.error().message}});
        continue;
      }
      ++(copies.empty() ? done.dropped : done.remade);
    }
  }
  if (done.remade + done.dropped + done.failed > 0) {
    core::log("photo.copies_remade", {{"remade", static_cast<int64_t>(done.remade)},
                                      {"dropped", static_cast<int64_t>(done.dropped)},
                                      {"failed", static_cast<int64_t>(done.failed)}});
  }
  return done;
}

Result<std::vector<core::Photo>> product_photos(core::Database& db, const core::Clock& clock,
                                                int64_t producer_id, int64_t product_id) {
  core::ProductStore store(db, clock);
  if (auto product = owned_product(store, producer_id, product_id); !product) {
    return product.error();
  }
  return store.photos(product_id);
}

Result<std::vector<core::Photo>> move_photo(core::Database& db, const core::Clock& clock,
                                            int64_t producer_id, int64_t product_id,
                                            int64_t photo_id, int position) {
  core::ProductStore store(db, clock);
  if (auto product = owned_product(store, producer_id, product_id); !product) {
    return product.error();
  }
  return store.move_photo(product_id, photo_id, position);
}

Result<void> remove_photo(core::Database& db, const core::Clock& clock, int64_t producer_id,
                          int64_t product_id, int64_t photo_id) {
  core::ProductStore store(db, clock);
  if (auto product = owned_product(store, producer_id, product_id); !product) {
    return product.error();
  }
  auto photo = store.find_photo(photo_id);
  if (!photo) return photo.error();
  if (photo->product_id != product_id) return not_found("no such photo");
  return store.remove_photo(photo_id);
}

std::string photo_src(const core::Photo& photo, int max_width) {
  if (photo.variant_widths.empty()) return "/anh/" + photo.sha256;
  int chosen = photo.variant_widths.front();
  for (int w : photo.variant_widths) {
    if (w <= max_width) chosen = w;
  }
  return variant_url(photo, chosen, "webp");
}

std::string photo_srcset(const core::Photo& photo) {
  std::string out;
  for (int w : photo.variant_widths) {
    if (!out.empty()) out += ", ";
    out += variant_url(photo, w, "webp") + " " + std::to_string(w) + "w";
  }
  return out;
}

std::string photo_preview_url(const core::Photo& photo) {
  if (photo.variant_widths.empty()) return "/anh/" + photo.sha256;
  return variant_url(photo, photo.variant_widths.back(), "jpg");
}

int photo_height_at(const core::Photo& photo, int width) {
  if (photo.width <= 0 || photo.height <= 0) return width * 3 / 4;
  return static_cast<int>(static_cast<int64_t>(photo.height) * width / photo.width);
}

}  // namespace chophien::storefront
