#pragma once
// For tests: gzip bytes (RFC 1952) inflated by zlib, which checks the stream, the CRC-32 and the
// length strictly. A stream that does not end whole fails the calling test.

#include <gtest/gtest.h>
#include <zlib.h>

#include <string>
#include <string_view>

namespace chophien::storefront {

inline std::string gunzip(std::string_view bytes) {
  z_stream z{};
  EXPECT_EQ(inflateInit2(&z, MAX_WBITS + 16), Z_OK);
  std::string out;
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data()));
  z.avail_in = static_cast<uInt>(bytes.size());
  int rc = Z_OK;
  while (rc == Z_OK) {
    char buf[16384];
    z.next_out = reinterpret_cast<Bytef*>(buf);
    z.avail_out = sizeof buf;
    rc = inflate(&z, Z_NO_FLUSH);
    out.append(buf, sizeof buf - z.avail_out);
  }
  EXPECT_EQ(rc, Z_STREAM_END) << "not a whole gzip stream (a CRC-32 or length mismatch?)";
  EXPECT_EQ(z.avail_in, 0u) << "bytes after the gzip stream";
  inflateEnd(&z);
  return out;
}

}  // namespace chophien::storefront
