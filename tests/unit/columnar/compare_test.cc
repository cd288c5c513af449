#include "floe/columnar/compare.h"

#include <gtest/gtest.h>

#include <cmath>

namespace floe {
namespace {

TEST(CompareTest, OrdersSlotsByType) {
  Column longs(Type::Long());
  longs.Append<int64_t>(-5);
  longs.Append<int64_t>(7);
  EXPECT_EQ(CompareSlots(longs, 0, longs, 1), -1);
  EXPECT_EQ(CompareSlots(longs, 1, longs, 0), 1);
  EXPECT_EQ(CompareSlots(longs, 1, longs, 1), 0);
  Column text(Type::String());
  text.AppendBytes("ab");
  text.AppendBytes("abc");
  text.AppendBytes("\xc3\xa9");  // é sorts after ASCII as unsigned bytes
  EXPECT_EQ(CompareSlots(text, 0, text, 1), -1);
  EXPECT_EQ(CompareSlots(text, 2, text, 1), 1);
  Column doubles(Type::Double());
  doubles.Append(1.0);
  doubles.Append(std::nan(""));
  EXPECT_EQ(CompareSlots(doubles, 0, doubles, 1), 2);
}

}  // namespace
}  // namespace floe
