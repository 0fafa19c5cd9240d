// chophien-photos: decodes one product photo for the server (storefront/photos.h). Reads the
// photo's bytes on stdin, writes the answer (storefront::encode_photo_answer) on stdout, and
// exits 0; a non-zero exit means it could not answer. It runs once per photo, so a file that
// crashes or hangs the decoder takes only this process; the CPU time is capped as well.
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cstdio>
#include <stdexcept>
#include <string>

#include "core/products.h"
#include "storefront/photo_codec.h"
#include "storefront/photos.h"

int main() try {
  // The server kills the helper after 60 s of wall time; this stops a spinning decoder even if
  // nobody waits for it any more. It may not gain privileges, nor (outside the sanitizer builds,
  // which reserve terabytes of address space) use more than 2 GiB.
  const rlimit cpu{60, 61};
  setrlimit(RLIMIT_CPU, &cpu);
  prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
#if !defined(__SANITIZE_ADDRESS__)
  const rlimit memory{rlim_t{2} << 30, rlim_t{2} << 30};
  setrlimit(RLIMIT_AS, &memory);
#endif

  std::string input;
  char buffer[65536];
  while (input.size() <= chophien::core::kMaxPhotoBytes) {
    const ssize_t n = read(0, buffer, sizeof buffer);
    if (n < 0) return 2;
    if (n == 0) break;
    input.append(buffer, static_cast<size_t>(n));
  }
  const std::string answer =
      chophien::storefront::encode_photo_answer(chophien::storefront::decode_photo(input));
  size_t written = 0;
  while (written < answer.size()) {
    const ssize_t n = write(1, answer.data() + written, answer.size() - written);
    if (n <= 0) return 3;
    written += static_cast<size_t>(n);
  }
  return 0;
} catch (const std::logic_error&) {
  // libvips did not start (photo_codec.cc): the installation, not the photo.
  return chophien::storefront::kPhotoHelperCannotStart;
}
