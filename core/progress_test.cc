#include "core/progress.h"

#include <gtest/gtest.h>

#include <cstdio>

namespace chophien::core {
namespace {

TEST(Progress, LineShowsBarPercentAndCounts) {
  EXPECT_EQ(progress_line("Nhập", 5, 10, 10), "Nhập [#####     ]  50% 5/10");
  EXPECT_EQ(progress_line("Nhập", 10, 10, 4), "Nhập [####] 100% 10/10");
  EXPECT_EQ(progress_line("Nhập", 0, 3, 3), "Nhập [   ]   0% 0/3");
}

TEST(Progress, LineClampsOutOfRangeAndEmptyWork) {
  EXPECT_EQ(progress_line("x", 20, 10, 2), "x [##] 100% 10/10");
  EXPECT_EQ(progress_line("x", 0, 0, 2), "x [##] 100% 0/0");
}

TEST(Progress, WritesNothingWhenNotATerminal) {
  std::FILE* file = std::tmpfile();
  ASSERT_NE(file, nullptr);
  {
    Progress progress("Nhập", 10, file);
    EXPECT_FALSE(progress.enabled());
    for (int i = 0; i <= 10; ++i) progress.update(i);
  }
  EXPECT_EQ(std::ftell(file), 0);
  std::fclose(file);
}

}  // namespace
}  // namespace chophien::core
