#include "floe/format/parquet/predicate.h"

#include <gtest/gtest.h>

namespace floe::parquet {
namespace {

using Op = ColumnPredicate::Op;

TEST(PredicateTest, ParsesComparisonsNullChecksAndQuotedText) {
  struct Case {
    const char* text;
    const char* column;
    Op op;
    const char* literal;
  } cases[] = {
      {"a = 1", "a", Op::kEq, "1"},
      {"a==1", "a", Op::kEq, "1"},
      {"a != 2", "a", Op::kNotEq, "2"},
      {"a <> 2", "a", Op::kNotEq, "2"},
      {"a<3", "a", Op::kLt, "3"},
      {"a <= 3.5", "a", Op::kLtEq, "3.5"},
      {"a > -4", "a", Op::kGt, "-4"},
      {"a >= 'x y'", "a", Op::kGtEq, "x y"},
      {"site = 'it''s'", "site", Op::kEq, "it's"},
      {" a IS NULL ", "a", Op::kIsNull, ""},
      {"a is not null", "a", Op::kIsNotNull, ""},
  };
  for (const Case& c : cases) {
    auto p = ParsePredicate(c.text);
    ASSERT_TRUE(p.ok()) << c.text << ": " << p.status().ToString();
    EXPECT_EQ(p->column, c.column) << c.text;
    EXPECT_EQ(p->op, c.op) << c.text;
    EXPECT_EQ(p->literal, c.literal) << c.text;
  }
}

TEST(PredicateTest, RejectsMalformedText) {
  for (const char* text :
       {"", "= 1", "a", "a 1", "a =", "a = 'open", "a = 'x' y", "a IS", "a IS maybe"}) {
    auto p = ParsePredicate(text);
    ASSERT_FALSE(p.ok()) << text;
    EXPECT_EQ(p.status().code(), StatusCode::kInvalidArgument) << text;
  }
}

}  // namespace
}  // namespace floe::parquet
