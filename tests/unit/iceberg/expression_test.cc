#include "floe/iceberg/expression/expression.h"

#include <gtest/gtest.h>

#include "floe/columnar/text_rows.h"
#include "floe/iceberg/expression/manifest_evaluator.h"
#include "floe/iceberg/expression/metrics_evaluator.h"
#include "floe/iceberg/expression/projection.h"
#include "floe/iceberg/expression/row_filter.h"
#include "floe/iceberg/single_value.h"

namespace floe::iceberg {
namespace {

Schema TestSchema() {
  return Schema({
      {1, "id", true, Type::Long(), ""},
      {2, "site", false, Type::String(), ""},
      {3, "ts", false, Type::Timestamp(), ""},
      {4, "v", false, Type::Double(), ""},
      {5, "info", false, Type::Struct({{6, "arm", false, Type::String(), ""}}), ""},
  });
}

Expression MustBind(std::string_view text) {
  auto parsed = ParseExpression(text);
  EXPECT_TRUE(parsed.ok()) << text << ": " << parsed.status().ToString();
  auto bound = Bind(*parsed, TestSchema());
  EXPECT_TRUE(bound.ok()) << text << ": " << bound.status().ToString();
  return *bound;
}

TEST(ExpressionTest, ParsesPyIcebergSyntaxAndPrintsItBack) {
  const std::pair<const char*, const char*> cases[] = {
      {"site = 'S01'", "site = 'S01'"},
      {"id<>5", "id != 5"},
      {"5 < id", "id > 5"},
      {"id >= -1.5e3", "id >= -1.5e3"},
      {"site is not null and v IS NaN", "(site IS NOT NULL AND v IS NAN)"},
      {"id in (1, 2,3)", "id IN (1, 2, 3)"},
      {"site NOT IN ('a', 'it''s')", "site NOT IN ('a', 'it''s')"},
      {"site LIKE 'S0%'", "site LIKE 'S0%'"},
      {"site NOT LIKE '50\\%%'", "site NOT LIKE '50\\%%'"},
      {"site LIKE 'exact'", "site = 'exact'"},
      {"id BETWEEN 1 AND 5", "(id >= 1 AND id <= 5)"},
      {"NOT (a = 1 OR b = 2) AND c = 3", "(NOT (a = 1 OR b = 2) AND c = 3)"},
      {"a = 1 OR b = 2 AND c = 3", "(a = 1 OR (b = 2 AND c = 3))"},
      {"info.arm = 'A'", "info.arm = 'A'"},
      {"\"weird name\" = 1", "weird name = 1"},
      {"true", "true"},
      {"false OR id = 1", "id = 1"},
      {"flag = TRUE", "flag = true"},
  };
  for (const auto& [text, printed] : cases) {
    auto e = ParseExpression(text);
    ASSERT_TRUE(e.ok()) << text << ": " << e.status().ToString();
    EXPECT_EQ(ToString(*e), printed) << text;
  }
}

TEST(ExpressionTest, RejectsMalformedFilters) {
  for (const char* text : {"", "id", "id =", "= 1", "id = 1 AND", "(id = 1", "id = 1)", "id IN ()",
                           "id IN (1,", "site LIKE 'a%b'", "site LIKE x", "id IS 3", "id NOT = 1",
                           "id = 'open", "id # 1", "id BETWEEN 1"}) {
    auto e = ParseExpression(text);
    EXPECT_FALSE(e.ok()) << text;
    EXPECT_EQ(e.status().code(), StatusCode::kInvalidArgument) << text;
  }
  // Deep nesting is an error, not a stack overflow.
  std::string deep(100000, '(');
  EXPECT_FALSE(ParseExpression(deep + "id = 1").ok());
  std::string nots;
  for (int i = 0; i < 100000; ++i) nots += "NOT ";
  EXPECT_FALSE(ParseExpression(nots + "id = 1").ok());
  std::string chain = "id = 0";
  for (int i = 1; i <= 1000; ++i) chain += " OR id = " + std::to_string(i);
  EXPECT_FALSE(ParseExpression(chain).ok());
}

TEST(ExpressionTest, BindsNamesAndConvertsLiterals) {
  Expression e = MustBind("ts >= '2026-01-02T03:04:05' AND info.arm = 'A'");
  ASSERT_EQ(e.op, Op::kAnd);
  EXPECT_EQ(e.children[0].field_id, 3);
  EXPECT_EQ(e.children[0].values.Value<int64_t>(0), 1767323045000000);
  EXPECT_EQ(e.children[1].field_id, 6);
  // Null checks on required columns are decided by the schema.
  EXPECT_EQ(MustBind("id IS NULL").op, Op::kFalse);
  EXPECT_EQ(MustBind("id IS NOT NULL AND site = 'x'").op, Op::kEq);
  auto bind = [](std::string_view text) { return Bind(*ParseExpression(text), TestSchema()); };
  EXPECT_EQ(bind("nope = 1").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(bind("info = 1").status().code(), StatusCode::kNotSupported);
  EXPECT_FALSE(bind("id = 'x'").ok());
  EXPECT_FALSE(bind("id = 1.5").ok());
  EXPECT_FALSE(bind("site IS NAN").ok());
  EXPECT_FALSE(bind("id LIKE 'a%'").ok());
  EXPECT_FALSE(bind("v < 'NaN'").ok());
  EXPECT_FALSE(bind("id = '\xb0'").ok());  // not UTF-8: an error, not an exception
}

TEST(ExpressionTest, RewriteNotPushesNegationsIntoPredicates) {
  Expression e = RewriteNot(*ParseExpression("NOT (a = 1 OR NOT (b < 2 AND c IS NULL))"));
  EXPECT_EQ(ToString(e), "(a != 1 AND (b < 2 AND c IS NULL))");
  EXPECT_EQ(ToString(RewriteNot(*ParseExpression("NOT a IN (1) AND NOT s LIKE 'x%'"))),
            "(a NOT IN (1) AND s NOT LIKE 'x%')");
}

TEST(RowFilterTest, FollowsSqlNullAndNaNRules) {
  const Schema schema = TestSchema();
  RecordBatch batch = RecordBatch::Empty(schema);
  for (const char* row : {R"({"id":1,"site":"S01","v":1.5,"info":{"arm":"A"}})",
                          R"({"id":2,"site":null,"v":"NaN","info":null})",
                          R"({"id":3,"site":"S02","v":null,"info":{"arm":"B"}})"}) {
    ASSERT_TRUE(AppendJsonRowTo(row, &batch).ok());
  }
  auto selected = [&](std::string_view text) {
    auto filter = RowFilter::Make(MustBind(text), schema);
    EXPECT_TRUE(filter.ok());
    std::vector<uint8_t> keep;
    filter->Evaluate(batch, &keep);
    std::string out;
    for (int64_t r = 0; r < batch.num_rows; ++r) {
      if (keep[static_cast<size_t>(r)]) out += std::to_string(r + 1);
    }
    return out;
  };
  EXPECT_EQ(selected("site = 'S01'"), "1");
  EXPECT_EQ(selected("site != 'S01'"), "3");  // null is neither equal nor unequal
  EXPECT_EQ(selected("NOT site = 'S01'"), "3");
  EXPECT_EQ(selected("site IS NULL"), "2");
  EXPECT_EQ(selected("v IS NAN"), "2");
  EXPECT_EQ(selected("v IS NOT NAN"), "1");
  EXPECT_EQ(selected("v > 0"), "1");  // NaN is unordered
  EXPECT_EQ(selected("v != 1.5"), "2");
  EXPECT_EQ(selected("id IN (2, 3) OR site LIKE 'S0%'"), "123");
  EXPECT_EQ(selected("id NOT IN (2)"), "13");
  EXPECT_EQ(selected("info.arm = 'B' OR info.arm IS NULL"), "23");
  EXPECT_EQ(selected("false OR id = 3"), "3");

  auto filter = RowFilter::Make(MustBind("id >= 2"), schema);
  std::vector<uint8_t> keep;
  filter->Evaluate(batch, &keep);
  RecordBatch kept = SelectRows(batch, keep);
  ASSERT_EQ(kept.num_rows, 2);
  EXPECT_EQ(kept.columns[0].Value<int64_t>(1), 3);
  EXPECT_EQ(kept.columns[1].Bytes(1), "S02");
}

TEST(SingleValueTest, RoundTripsAndWidensPromotedTypes) {
  for (auto [type, text] : std::initializer_list<std::pair<TypePtr, const char*>>{
           {Type::Boolean(), "true"},
           {Type::Int(), "-7"},
           {Type::Long(), "1234567890123"},
           {Type::Double(), "-0.25"},
           {Type::Date(), "2026-11-25"},
           {Type::Decimal(9, 2), "-12.34"},
           {Type::String(), "S01"},
           {Type::Uuid(), "f79c3e09-677c-4bbd-a479-3f349cb785e7"}}) {
    Column in(type);
    ASSERT_TRUE(AppendValueFromText(text, &in).ok()) << text;
    Column out(type);
    ASSERT_TRUE(AppendSingleValue(SingleValue(in, 0), &out).ok()) << text;
    std::string a, b;
    AppendJsonValue(in, 0, &a);
    AppendJsonValue(out, 0, &b);
    EXPECT_EQ(a, b);
  }
  Column decimal(Type::Decimal(9, 2));
  ASSERT_TRUE(AppendValueFromText("-1.00", &decimal).ok());
  ASSERT_TRUE(AppendValueFromText("-1.29", &decimal).ok());
  EXPECT_EQ(SingleValue(decimal, 0), "\x9c");      // minimal bytes: -100
  EXPECT_EQ(SingleValue(decimal, 1), "\xff\x7f");  // -129
  Column promoted(Type::Long());
  ASSERT_TRUE(AppendSingleValue(std::string("\xfe\xff\xff\xff", 4), &promoted).ok());
  EXPECT_EQ(promoted.Value<int64_t>(0), -2);
  Column bad(Type::Int());
  EXPECT_FALSE(AppendSingleValue("abc", &bad).ok());
}

// A partition spec over TestSchema with one field.
PartitionSpec SpecOf(int32_t source_id, Transform transform) {
  return PartitionSpec{0, {PartitionField{source_id, 1000, "p", transform}}};
}

std::string Projected(std::string_view filter, const PartitionSpec& spec) {
  auto projected = ProjectInclusive(RewriteNot(MustBind(filter)), spec);
  EXPECT_TRUE(projected.ok());
  return projected.ok() ? ToString(*projected) : "";
}

TEST(ProjectionTest, NarrowsEachTransformInclusively) {
  const PartitionSpec day = SpecOf(3, Transform::Day());
  EXPECT_EQ(Projected("ts < '2026-01-02T00:00:00'", day), "p <= '2026-01-01'");
  EXPECT_EQ(Projected("ts <= '2026-01-02T00:00:00'", day), "p <= '2026-01-02'");
  EXPECT_EQ(Projected("ts > '2026-01-02T23:59:59.999999'", day), "p >= '2026-01-03'");
  EXPECT_EQ(Projected("ts = '2026-01-02T10:00:00'", day), "p = '2026-01-02'");
  EXPECT_EQ(Projected("ts != '2026-01-02T10:00:00'", day), "true");
  EXPECT_EQ(Projected("ts IS NULL", day), "p IS NULL");

  const PartitionSpec truncate = SpecOf(1, Transform::Truncate(10));
  EXPECT_EQ(Projected("id < 10", truncate), "p <= 0");
  EXPECT_EQ(Projected("id > 9", truncate), "p >= 10");
  EXPECT_EQ(Projected("id IN (3, 15)", truncate), "p IN (0, 10)");
  EXPECT_EQ(Projected("id < -9223372036854775808", truncate), "false");

  const PartitionSpec text = SpecOf(2, Transform::Truncate(2));
  EXPECT_EQ(Projected("site LIKE 'S%'", text), "p LIKE 'S%'");
  EXPECT_EQ(Projected("site LIKE 'S01%'", text), "p = 'S0'");
  EXPECT_EQ(Projected("site < 'S05'", text), "p <= 'S0'");

  const PartitionSpec bucket = SpecOf(2, Transform::Bucket(16));
  EXPECT_EQ(Projected("site > 'S01'", bucket), "true");
  EXPECT_EQ(Projected("site = 'S01' OR id = 1", bucket).substr(0, 5), "true");
  EXPECT_EQ(Projected("site = 'S01' AND v > 1", bucket).substr(0, 4), "p = ");

  const PartitionSpec identity = SpecOf(4, Transform::Identity());
  EXPECT_EQ(Projected("v IS NAN", identity), "p IS NAN");
  EXPECT_EQ(Projected("NOT v = 2", identity), "p != 2.0");
  EXPECT_EQ(Projected("v IS NAN", SpecOf(4, Transform::Void())), "true");
}

TEST(MetricsEvaluatorTest, PrunesOnlyWhatCannotMatch) {
  DataFile file;
  file.value_counts = {{1, 10}, {2, 10}, {4, 10}};
  file.null_value_counts = {{1, 0}, {2, 10}, {4, 2}};
  file.nan_value_counts = {{4, 0}};
  Column low(Type::Long()), high(Type::Long());
  low.Append<int64_t>(100);
  high.Append<int64_t>(200);
  file.lower_bounds[1] = SingleValue(low, 0);
  file.upper_bounds[1] = SingleValue(high, 0);
  auto might = [&](std::string_view filter) {
    return FileMightMatch(RewriteNot(MustBind(filter)), file);
  };
  EXPECT_TRUE(might("id = 100"));
  EXPECT_TRUE(might("id = 200"));
  EXPECT_FALSE(might("id = 99"));
  EXPECT_FALSE(might("id < 100"));
  EXPECT_TRUE(might("id <= 100"));
  EXPECT_FALSE(might("id > 200"));
  EXPECT_TRUE(might("id IN (1, 150)"));
  EXPECT_FALSE(might("id IN (1, 250)"));
  EXPECT_TRUE(might("id != 150"));
  EXPECT_FALSE(might("site = 'x'"));  // only nulls
  EXPECT_TRUE(might("site IS NULL"));
  EXPECT_FALSE(might("site IS NOT NULL"));
  EXPECT_FALSE(might("v IS NAN"));          // no NaN counted
  EXPECT_TRUE(might("v = 3"));              // no bounds: unknown
  EXPECT_TRUE(might("ts = '2026-01-01'"));  // no metrics at all
  EXPECT_FALSE(might("NOT (id >= 100)"));
  EXPECT_TRUE(might("id = 1 OR v = 3"));
}

TEST(MetricsEvaluatorTest, ResidualDropsWhatTheMetricsDecide) {
  DataFile file;
  file.value_counts = {{1, 10}, {2, 10}, {4, 10}};
  file.null_value_counts = {{1, 0}, {2, 10}, {4, 0}};
  file.nan_value_counts = {{4, 1}};
  Column low(Type::Long()), high(Type::Long());
  low.Append<int64_t>(100);
  high.Append<int64_t>(200);
  file.lower_bounds[1] = SingleValue(low, 0);
  file.upper_bounds[1] = SingleValue(high, 0);
  Column vlow(Type::Double()), vhigh(Type::Double());
  vlow.Append(1.0);
  vhigh.Append(2.0);
  file.lower_bounds[4] = SingleValue(vlow, 0);
  file.upper_bounds[4] = SingleValue(vhigh, 0);
  auto residual = [&](std::string_view filter) {
    return ToString(ResidualForFile(RewriteNot(MustBind(filter)), file));
  };
  EXPECT_EQ(residual("id >= 100"), "true");
  EXPECT_EQ(residual("id > 100"), "id > 100");
  EXPECT_EQ(residual("id < 201 AND id != 99"), "true");
  EXPECT_EQ(residual("id NOT IN (1, 300)"), "true");
  EXPECT_EQ(residual("id = 150 AND id >= 100"), "id = 150");
  EXPECT_EQ(residual("id > 300 OR id = 150"), "id = 150");
  EXPECT_EQ(residual("site IS NULL"), "true");
  EXPECT_EQ(residual("site IS NULL AND site = 'x'"), "false");
  EXPECT_EQ(residual("v >= 1"), "v >= 1");          // a NaN row fails it
  EXPECT_EQ(residual("ts IS NULL"), "ts IS NULL");  // no metrics
}

TEST(ManifestEvaluatorTest, UsesPartitionSummaries) {
  const PartitionSpec spec = SpecOf(2, Transform::Identity());
  const TypePtr partition_type = Type::Struct({{1000, "p", false, Type::String(), ""}});
  ManifestFile manifest;
  FieldSummary summary;
  summary.contains_null = false;
  summary.lower_bound = "S01";
  summary.upper_bound = "S03";
  manifest.partitions = {summary};
  auto might = [&](std::string_view filter) {
    auto projected = ProjectInclusive(RewriteNot(MustBind(filter)), spec);
    return ManifestMightMatch(*projected, manifest, *partition_type);
  };
  EXPECT_TRUE(might("site = 'S02'"));
  EXPECT_FALSE(might("site = 'S04'"));
  EXPECT_FALSE(might("site IS NULL"));
  EXPECT_TRUE(might("site LIKE 'S0%'"));
  EXPECT_FALSE(might("site LIKE 'T%'"));
  EXPECT_FALSE(might("site NOT LIKE 'S0%'"));
  EXPECT_TRUE(might("site NOT LIKE 'S01%'"));
  manifest.partitions.clear();  // no summaries: nothing is known
  EXPECT_TRUE(might("site = 'S04'"));
}

}  // namespace
}  // namespace floe::iceberg
