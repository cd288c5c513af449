#include "floe/util/status.h"

#include <gtest/gtest.h>

#include <memory>
#include <set>
#include <string>

namespace floe {
namespace {

TEST(StatusTest, DefaultIsOk) {
  Status s;
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kOk);
  EXPECT_EQ(s.message(), "");
  EXPECT_EQ(s.ToString(), "OK");
  EXPECT_EQ(s, Status::OK());
}

TEST(StatusTest, FactoriesFormatTheirMessage) {
  Status s =
      Status::Corruption("{}: footer length {} exceeds file size {}", "a.parquet", 9000, 120);
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kCorruption);
  EXPECT_EQ(s.message(), "a.parquet: footer length 9000 exceeds file size 120");
  EXPECT_EQ(s.ToString(), "Corruption: a.parquet: footer length 9000 exceeds file size 120");
}

TEST(StatusTest, EveryCodeHasADistinctName) {
  const StatusCode codes[] = {StatusCode::kOk,
                              StatusCode::kInvalidArgument,
                              StatusCode::kNotFound,
                              StatusCode::kAlreadyExists,
                              StatusCode::kCorruption,
                              StatusCode::kIOError,
                              StatusCode::kNotSupported,
                              StatusCode::kConflict,
                              StatusCode::kOutOfRange,
                              StatusCode::kPermissionDenied,
                              StatusCode::kUnavailable,
                              StatusCode::kInternal,
                              StatusCode::kCommitStateUnknown};
  std::set<std::string_view> names;
  for (StatusCode c : codes) names.insert(StatusCodeName(c));
  EXPECT_EQ(names.size(), std::size(codes));
  EXPECT_EQ(names.count("Unknown status code"), 0u);
}

TEST(StatusTest, ConstructingWithOkCodeIsOk) {
  Status s(StatusCode::kOk, "ignored");
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(s.message(), "");
}

TEST(StatusTest, CopyIsDeepAndMoveLeavesOk) {
  Status a = Status::NotFound("table {}", "edc.audit");
  Status b = a;
  EXPECT_EQ(a, b);
  Status c = std::move(a);
  EXPECT_EQ(c, b);
  b = Status::OK();
  EXPECT_TRUE(b.ok());
  EXPECT_EQ(c.message(), "table edc.audit");
}

TEST(StatusTest, WithContextPrefixesErrorsOnly) {
  Status s = Status::IOError("disk full").WithContext("file x.parquet").WithContext("table t");
  EXPECT_EQ(s.message(), "table t: file x.parquet: disk full");
  EXPECT_EQ(s.code(), StatusCode::kIOError);
  EXPECT_TRUE(Status::OK().WithContext("anything").ok());
  const Status base = Status::Conflict("lost race");
  EXPECT_EQ(base.WithContext("commit").message(), "commit: lost race");
  EXPECT_EQ(base.message(), "lost race");  // the const& overload copies
}

TEST(StatusTest, EqualityComparesCodeAndMessage) {
  EXPECT_NE(Status::NotFound("x"), Status::Corruption("x"));
  EXPECT_NE(Status::NotFound("x"), Status::NotFound("y"));
  EXPECT_NE(Status::NotFound("x"), Status::OK());
}

Result<int> Half(int v) {
  if (v % 2 != 0) return Status::InvalidArgument("{} is odd", v);
  return v / 2;
}

Result<int> Quarter(int v) {
  FLOE_ASSIGN_OR_RETURN(int half, Half(v));
  FLOE_ASSIGN_OR_RETURN(int quarter, Half(half));
  return quarter;
}

Status CheckEven(int v) {
  FLOE_RETURN_IF_ERROR(Half(v));
  return Status::OK();
}

TEST(ResultTest, HoldsValueOrError) {
  Result<int> good = Half(8);
  ASSERT_TRUE(good.ok());
  EXPECT_EQ(*good, 4);
  EXPECT_EQ(good.value(), 4);
  EXPECT_TRUE(good.status().ok());

  Result<int> bad = Half(3);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(bad.status().message(), "3 is odd");
  EXPECT_EQ(bad.value_or(-1), -1);
}

TEST(ResultTest, MacrosPropagateTheFirstError) {
  EXPECT_EQ(*Quarter(8), 2);
  EXPECT_EQ(Quarter(6).status().message(), "3 is odd");
  EXPECT_EQ(Quarter(5).status().message(), "5 is odd");
  EXPECT_TRUE(CheckEven(2).ok());
  EXPECT_EQ(CheckEven(1).code(), StatusCode::kInvalidArgument);
}

TEST(ResultTest, HoldsMoveOnlyValues) {
  Result<std::unique_ptr<std::string>> r = std::make_unique<std::string>("floe");
  ASSERT_TRUE(r.ok());
  std::unique_ptr<std::string> taken = std::move(r).value();
  EXPECT_EQ(*taken, "floe");
}

}  // namespace
}  // namespace floe
