#include "floe/iceberg/transform.h"

#include <gtest/gtest.h>

#include "floe/columnar/text_rows.h"
#include "floe/iceberg/murmur3.h"

namespace floe::iceberg {
namespace {

// The hash of a value as the spec's Appendix B computes it, through the
// bucket transform with N = INT32_MAX (which keeps hash & INT32_MAX intact
// except for hash values equal to INT32_MAX).
int32_t HashOf(TypePtr type, std::string_view text) {
  Column in(type);
  EXPECT_TRUE(AppendValueFromText(text, &in).ok()) << text;
  Column out(Type::Int());
  EXPECT_TRUE(Transform::Bucket(INT32_MAX).Apply(in, &out).ok());
  return out.Value<int32_t>(0);
}

TEST(Murmur3Test, SpecTestVectors) {
  // Appendix B: the test values, masked with INT32_MAX as bucket does.
  auto masked = [](int64_t h) { return static_cast<int32_t>(h & INT32_MAX); };
  EXPECT_EQ(HashOf(Type::Int(), "34"), masked(2017239379));
  EXPECT_EQ(HashOf(Type::Long(), "34"), masked(2017239379));
  EXPECT_EQ(HashOf(Type::Decimal(9, 2), "14.20"), masked(-500754589));
  EXPECT_EQ(HashOf(Type::Date(), "2017-11-16"), masked(-653330422));
  EXPECT_EQ(HashOf(Type::Time(), "22:31:08"), masked(-662762989));
  EXPECT_EQ(HashOf(Type::Timestamp(), "2017-11-16T22:31:08"), masked(-2047944441));
  EXPECT_EQ(HashOf(Type::Timestamp(), "2017-11-16T22:31:08.000001"), masked(-1207196810));
  EXPECT_EQ(HashOf(Type::TimestampTz(), "2017-11-16T14:31:08-08:00"), masked(-2047944441));
  EXPECT_EQ(HashOf(Type::TimestampNs(), "2017-11-16T22:31:08.000001001"), masked(-1207196810));
  EXPECT_EQ(HashOf(Type::TimestampTzNs(), "2017-11-16T14:31:08.000001001-08:00"),
            masked(-1207196810));
  EXPECT_EQ(HashOf(Type::String(), "iceberg"), masked(1210000089));
  EXPECT_EQ(HashOf(Type::Uuid(), "f79c3e09-677c-4bbd-a479-3f349cb785e7"), masked(1488055340));
  EXPECT_EQ(HashOf(Type::Fixed(4), "AAECAw=="), masked(-188683207));
  EXPECT_EQ(HashOf(Type::Binary(), "AAECAw=="), masked(-188683207));
  // The raw function on the spec's bytes.
  const uint8_t bytes[] = {0, 1, 2, 3};
  EXPECT_EQ(static_cast<int32_t>(Murmur3X86_32(bytes)), -188683207);
}

Column Applied(const Transform& t, TypePtr type, std::initializer_list<const char*> values) {
  Column in(type);
  for (const char* v : values) {
    if (v == nullptr) {
      in.AppendNull();
    } else {
      EXPECT_TRUE(AppendValueFromText(v, &in).ok()) << v;
    }
  }
  Column out(*t.ResultType(type));
  EXPECT_TRUE(t.Apply(in, &out).ok());
  return out;
}

std::vector<std::string> Humans(const Transform& t, TypePtr type,
                                std::initializer_list<const char*> values) {
  Column out = Applied(t, type, values);
  std::vector<std::string> h;
  for (int64_t i = 0; i < out.length(); ++i) h.push_back(t.HumanString(*type, out, i));
  return h;
}

using Strings = std::vector<std::string>;

TEST(TransformTest, TruncateFollowsTheSpecExamples) {
  EXPECT_EQ(Humans(Transform::Truncate(10), Type::Int(), {"1", "-1", "0", "10", nullptr}),
            (Strings{"0", "-10", "0", "10", "null"}));
  EXPECT_EQ(Humans(Transform::Truncate(10), Type::Long(), {"1", "-1"}), (Strings{"0", "-10"}));
  EXPECT_EQ(Humans(Transform::Truncate(50), Type::Decimal(9, 2), {"10.65", "-0.01"}),
            (Strings{"10.50", "-0.50"}));
  EXPECT_EQ(Humans(Transform::Truncate(3), Type::String(),
                   {"iceberg", "ab", "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"}),
            (Strings{"ice", "ab", "\xc3\xa9\xc3\xa9\xc3\xa9"}));
  EXPECT_EQ(Humans(Transform::Truncate(3), Type::Binary(), {"AQIDBAU="}), (Strings{"AQID"}));
}

TEST(TransformTest, TimeTransformsAndHumanStrings) {
  EXPECT_EQ(Humans(Transform::Year(), Type::Date(), {"2017-11-16", "1969-12-31"}),
            (Strings{"2017", "1969"}));
  EXPECT_EQ(
      Humans(Transform::Month(), Type::Timestamp(), {"2017-11-16T22:31:08", "1969-12-31T23:59:59"}),
      (Strings{"2017-11", "1969-12"}));
  EXPECT_EQ(Humans(Transform::Day(), Type::TimestampTz(),
                   {"2017-11-16T22:31:08Z", "1969-12-31T23:59:59.999999Z"}),
            (Strings{"2017-11-16", "1969-12-31"}));
  EXPECT_EQ(Humans(Transform::Hour(), Type::TimestampNs(), {"2017-11-16T22:31:08.000000001"}),
            (Strings{"2017-11-16-22"}));
  Column years = Applied(Transform::Year(), Type::Date(), {"2017-11-16", "1969-12-31"});
  EXPECT_EQ(years.Value<int32_t>(0), 47);
  EXPECT_EQ(years.Value<int32_t>(1), -1);
  EXPECT_EQ(Humans(Transform::Identity(), Type::TimestampTz(),
                   {"2017-11-16T22:31:08Z", "2017-11-16T22:31:08.5Z"}),
            (Strings{"2017-11-16T22:31:08+00:00", "2017-11-16T22:31:08.500000+00:00"}));
  EXPECT_EQ(Humans(Transform::Identity(), Type::Decimal(20, 10), {"0", "1.5"}),
            (Strings{"0E-10", "1.5000000000"}));
}

TEST(TransformTest, ParseResultTypesAndErrors) {
  EXPECT_EQ(Transform::Parse("bucket[16]")->parameter(), 16);
  EXPECT_EQ(Transform::Parse("truncate[4]")->ToString(), "truncate[4]");
  EXPECT_EQ(Transform::Parse("day")->kind(), Transform::Kind::kDay);
  for (const char* bad : {"bucket[0]", "bucket[-1]", "bucket[x]", "bucket", "weekday", ""}) {
    EXPECT_FALSE(Transform::Parse(bad).ok()) << bad;
  }
  EXPECT_EQ((*Transform::Day().ResultType(Type::Timestamp()))->id(), TypeId::kDate);
  EXPECT_FALSE(Transform::Hour().ResultType(Type::Date()).ok());
  EXPECT_FALSE(Transform::Bucket(4).ResultType(Type::Double()).ok());
  EXPECT_FALSE(Transform::Truncate(4).ResultType(Type::Uuid()).ok());
}

TEST(TransformTest, PartitionPathSegmentsAreFormEncoded) {
  EXPECT_EQ(PartitionPathSegment("site id", "S 01/a"), "site+id=S+01%2Fa");
  EXPECT_EQ(PartitionPathSegment("ts_day", "2026-11-25"), "ts_day=2026-11-25");
  EXPECT_EQ(PartitionPathSegment("x", "\xc3\xa9"), "x=%C3%A9");
}

}  // namespace
}  // namespace floe::iceberg
