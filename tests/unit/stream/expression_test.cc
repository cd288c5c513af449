#include "floe/stream/expr/expression.h"

#include <gtest/gtest.h>

#include "floe/columnar/text_rows.h"

namespace floe::stream::expr {
namespace {

// A batch of rows given as JSON lines, its fields in scope by name.
class PipelineExpressionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    schema_ = Schema({
        NestedField(1, "id", false, Type::Long()),
        NestedField(2, "n", false, Type::Int()),
        NestedField(3, "x", false, Type::Double()),
        NestedField(4, "s", false, Type::String()),
        NestedField(5, "ts", false, Type::TimestampTz()),
        NestedField(6, "v", false,
                    Type::Struct({NestedField(7, "hr", false, Type::Int()),
                                  NestedField(8, "unit", false, Type::String())})),
        NestedField(9, "tags", false,
                    Type::Map(NestedField(10, "key", true, Type::String()),
                              NestedField(11, "value", false, Type::String()))),
        NestedField(12, "d", false, Type::Decimal(9, 2)),
    });
    batch_ = RecordBatch::Empty(schema_);
    const char* rows[] = {
        R"({"id": 1, "n": 10, "x": 2.5, "s": "  Alpha ", "ts": "2026-03-29T01:30:00Z",
            "v": {"hr": 72, "unit": "bpm"}, "tags": [{"key": "site", "value": "S01"}], "d": "12.50"})",
        R"({"id": 2, "n": 0, "x": -1.0, "s": "beta", "ts": "2026-12-31T23:59:59.5Z",
            "v": null, "tags": [], "d": "-0.01"})",
        R"({"id": 3, "n": null, "x": null, "s": null, "ts": null, "v": {"hr": null, "unit": "x"},
            "tags": null, "d": null})",
    };
    for (const char* row : rows) ASSERT_TRUE(AppendJsonRowTo(row, &batch_).ok()) << row;
    for (const NestedField& f : schema_.fields()) scope_.Add(f.name, f.type);
  }

  // Each row's value as text ("null" for null), or "error: ..." for a failed row.
  std::vector<std::string> Eval(std::string_view text) {
    Result<Expression> e = Expression::Compile(text, scope_);
    EXPECT_TRUE(e.ok()) << text << ": " << e.status().ToString();
    if (!e.ok()) return {};
    EvalContext ctx;
    for (const Column& c : batch_.columns) ctx.slots.push_back(&c);
    ctx.num_rows = batch_.num_rows;
    ctx.now_micros = 1'800'000'000'000'000;  // 2027-01-15
    RowErrors errors;
    errors.Reset(ctx.num_rows);
    ctx.errors = &errors;
    const Vec v = e->Evaluate(ctx);
    std::vector<std::string> out;
    for (int64_t r = 0; r < ctx.num_rows; ++r) {
      if (errors.failed(r)) {
        out.push_back("error: " + errors.message(r));
      } else if (!v.Valid(r)) {
        out.push_back("null");
      } else {
        std::string s;
        AppendJsonValue(v.column(), v.Row(r), &s);
        out.push_back(s);
      }
    }
    return out;
  }

  std::string CompileError(std::string_view text) {
    Result<Expression> e = Expression::Compile(text, scope_);
    return e.ok() ? "compiled as " + e->type()->ToString() : std::string(e.status().message());
  }

  using Rows = std::vector<std::string>;
  Schema schema_;
  RecordBatch batch_;
  Scope scope_;
};

TEST_F(PipelineExpressionTest, ArithmeticWidensAndFailsPerRow) {
  EXPECT_EQ(Eval("id + n"), (Rows{"11", "2", "null"}));
  EXPECT_EQ(Eval("n * 2 + 1"), (Rows{"21", "1", "null"}));
  EXPECT_EQ(Eval("x * n"), (Rows{"25.0", "-0.0", "null"}));
  // Integer division truncates; dividing by zero fails that row alone.
  EXPECT_EQ(Eval("100 / n"), (Rows{"10", "error: division by zero", "null"}));
  EXPECT_EQ(Eval("-n % 3"), (Rows{"-1", "0", "null"}));
  EXPECT_EQ(Eval("id * 9223372036854775807"),
            (Rows{"9223372036854775807", "error: integer overflow", "error: integer overflow"}));
}

TEST_F(PipelineExpressionTest, ShortCircuitKeepsUntakenBranchesFromFailing) {
  EXPECT_EQ(Eval("n <> 0 AND 100 / n > 5"), (Rows{"true", "false", "null"}));
  EXPECT_EQ(Eval("n = 0 OR 100 / n > 50"), (Rows{"false", "true", "null"}));
  EXPECT_EQ(Eval("CASE WHEN n = 0 THEN -1 ELSE 100 / n END"), (Rows{"10", "-1", "null"}));
  EXPECT_EQ(Eval("coalesce(n, 7 / (id - 3))"), (Rows{"10", "0", "error: division by zero"}));
}

TEST_F(PipelineExpressionTest, ThreeValuedLogicAndNullTests) {
  EXPECT_EQ(Eval("n > 5 OR x > 100"), (Rows{"true", "false", "null"}));
  EXPECT_EQ(Eval("NOT (s IS NULL)"), (Rows{"true", "true", "false"}));
  EXPECT_EQ(Eval("n IS NOT NULL AND id BETWEEN 2 AND 3"), (Rows{"false", "true", "false"}));
  EXPECT_EQ(Eval("id IN (1, 3)"), (Rows{"true", "false", "true"}));
  EXPECT_EQ(Eval("id NOT IN (1, 3)"), (Rows{"false", "true", "false"}));
  EXPECT_EQ(Eval("s LIKE 'b%a' OR s LIKE '%lph_%'"), (Rows{"true", "true", "null"}));
}

TEST_F(PipelineExpressionTest, StringFunctions) {
  EXPECT_EQ(Eval("upper(trim(s))"), (Rows{"\"ALPHA\"", "\"BETA\"", "null"}));
  EXPECT_EQ(Eval("length(s)"), (Rows{"8", "4", "null"}));
  EXPECT_EQ(Eval("substring(trim(s), 2, 3)"), (Rows{"\"lph\"", "\"eta\"", "null"}));
  // A start near the end of long's range: start + length does not overflow.
  EXPECT_EQ(Eval("substring(s, 9223372036854775807, 2)"), (Rows{"\"\"", "\"\"", "null"}));
  EXPECT_EQ(Eval("concat(id, '-', s)"), (Rows{"\"1-  Alpha \"", "\"2-beta\"", "\"3-\""}));
  EXPECT_EQ(CompileError("concat(id, v)"),
            "concat(): argument 2 is a struct<7: hr: optional int, 8: unit: optional string>: "
            "only scalars join as text at column 1");
  EXPECT_EQ(Eval("id || ':' || n"), (Rows{"\"1:10\"", "\"2:0\"", "null"}));
  EXPECT_EQ(Eval("replace(s, 'a', 'A')"), (Rows{"\"  AlphA \"", "\"betA\"", "null"}));
  EXPECT_EQ(Eval("regexp_extract(s, '([a-z]+)')"), (Rows{"\"lpha\"", "\"beta\"", "null"}));
  EXPECT_EQ(Eval("regexp_extract(s, 'z(.)')"), (Rows{"null", "null", "null"}));
  EXPECT_EQ(Eval("regexp_like(s, '^b')"), (Rows{"false", "true", "null"}));
  EXPECT_EQ(Eval("regexp_replace(s, '[aeiou]', '_')"), (Rows{"\"  Alph_ \"", "\"b_t_\"", "null"}));
  EXPECT_EQ(Eval("split('a,b,,c', ',')")[0], "[\"a\",\"b\",\"\",\"c\"]");
  EXPECT_EQ(Eval("nullif(trim(s), 'beta')"), (Rows{"\"Alpha\"", "null", "null"}));
}

TEST_F(PipelineExpressionTest, HashesArePseudonyms) {
  // sha256('beta') and HMAC-SHA256('beta', key 'k') as Python's hashlib / hmac compute them.
  EXPECT_EQ(Eval("sha256(s)")[1],
            "\"f44e64e75f3948e9f73f8dfa94721c4ce8cbb4f265c4790c702b2d41cfbf2753\"");
  EXPECT_EQ(Eval("hmac_sha256(s, 'k')")[1],
            "\"29c19c9a4cfa3a211cc3d2ca060c3de19cbe6db25acd3e3de6347b885fb5c34f\"");
  EXPECT_EQ(Eval("hmac_sha256(s, 'k')")[2], "null");
}

TEST_F(PipelineExpressionTest, FieldsOfStructsAndMaps) {
  EXPECT_EQ(Eval("v.hr + 1"), (Rows{"73", "null", "null"}));
  EXPECT_EQ(Eval("v.unit"), (Rows{"\"bpm\"", "null", "\"x\""}));
  EXPECT_EQ(Eval("tags['site']"), (Rows{"\"S01\"", "null", "null"}));
  EXPECT_EQ(CompileError("v.pulse"), "'v' has no field 'pulse' at column 1");
  EXPECT_EQ(CompileError("sbject"), "unknown field 'sbject' at column 1");
}

TEST_F(PipelineExpressionTest, CastsConvertOrFailTheRow) {
  EXPECT_EQ(Eval("CAST(x AS int)"), (Rows{"3", "-1", "null"}));
  EXPECT_EQ(Eval("CAST(d AS double)"), (Rows{"12.5", "-0.01", "null"}));
  EXPECT_EQ(Eval("d::decimal(9,1)"), (Rows{"\"12.5\"", "\"0.0\"", "null"}));
  EXPECT_EQ(Eval("CAST(trim(s) AS int)"),
            (Rows{"error: CAST to int: 'Alpha' is not an integer",
                  "error: CAST to int: 'beta' is not an integer", "null"}));
  EXPECT_EQ(Eval("TRY_CAST(trim(s) AS int)"), (Rows{"null", "null", "null"}));
  EXPECT_EQ(Eval("CAST(ts AS date)"), (Rows{"\"2026-03-29\"", "\"2026-12-31\"", "null"}));
  EXPECT_EQ(Eval("CAST(n AS string)"), (Rows{"\"10\"", "\"0\"", "null"}));
  EXPECT_EQ(CompileError("CAST('x' AS int)"), "CAST to int: 'x' is not an integer at column 1");
  EXPECT_EQ(CompileError("CAST(v AS string)"),
            "cannot CAST struct<7: hr: optional int, 8: unit: optional string> to string at "
            "column 1");
}

TEST_F(PipelineExpressionTest, TemporalComparisonsAndTruncation) {
  EXPECT_EQ(Eval("ts >= '2026-06-01T00:00:00Z'"), (Rows{"false", "true", "null"}));
  EXPECT_EQ(Eval("CAST(ts AS date) = DATE '2026-03-29'"), (Rows{"true", "false", "null"}));
  EXPECT_EQ(Eval("date_trunc('month', ts)"),
            (Rows{"\"2026-03-01T00:00:00.000000Z\"", "\"2026-12-01T00:00:00.000000Z\"", "null"}));
  // 2026-03-29 was a Sunday: its week began on Monday the 23rd.
  EXPECT_EQ(Eval("date_trunc('week', CAST(ts AS date))"),
            (Rows{"\"2026-03-23\"", "\"2026-12-28\"", "null"}));
  EXPECT_EQ(Eval("current_timestamp() > ts"), (Rows{"true", "true", "null"}));
}

TEST_F(PipelineExpressionTest, TimeParsingAndZones) {
  // Paris turned its clocks forward at 01:00Z on 2026-03-29.
  EXPECT_EQ(Eval("to_timezone(ts, 'Europe/Paris')"),
            (Rows{"\"2026-03-29T03:30:00.000000\"", "\"2027-01-01T00:59:59.500000\"", "null"}));
  EXPECT_EQ(Eval("from_timezone(to_timezone(ts, 'America/New_York'), 'America/New_York') = ts"),
            (Rows{"true", "true", "null"}));
  // 02:30 did not happen in Paris that day: the offset from before (+01:00).
  EXPECT_EQ(Eval("parse_timestamp('29/03/2026 02:30', '%d/%m/%Y %H:%M', 'Europe/Paris')"),
            (Rows(3, "\"2026-03-29T01:30:00.000000Z\"")));
  EXPECT_EQ(Eval("parse_timestamp('2026-11-25 13:45 -0500', '%Y-%m-%d %H:%M %z', 'Asia/Tokyo')"),
            (Rows(3, "\"2026-11-25T18:45:00.000000Z\"")));
  EXPECT_EQ(Eval("parse_date('2026-060', '%Y-%j')"), (Rows(3, "\"2026-03-01\"")));
  const Rows bad = Eval("parse_timestamp(s, '%F')");
  ASSERT_EQ(bad.size(), 3u);
  EXPECT_EQ(bad[0], "error: '  Alpha ' does not match '%F' at position 1: expected %Y");
  EXPECT_EQ(bad[2], "null");
  // A zone per row: looked up per row, a bad one fails only its row.
  const Rows per_row = Eval(
      "parse_timestamp('2026-01-01 00:00', '%Y-%m-%d %H:%M', CASE WHEN id = 1 THEN "
      "'Asia/Kolkata' WHEN id = 2 THEN 'Nowhere/City' END)");
  ASSERT_EQ(per_row.size(), 3u);
  EXPECT_EQ(per_row[0], "\"2025-12-31T18:30:00.000000Z\"");
  EXPECT_EQ(per_row[1].rfind("error: unknown time zone 'Nowhere/City'", 0), 0u) << per_row[1];
  EXPECT_EQ(per_row[2], "null");
  EXPECT_EQ(Eval("to_timezone(ts, '+05:30')")[0], "\"2026-03-29T07:00:00.000000\"");

  EXPECT_NE(
      CompileError("to_timezone(ts, 'Mars/Olympus')").find("unknown time zone 'Mars/Olympus'"),
      std::string::npos);
  EXPECT_NE(CompileError("to_timezone(ts, '../../etc/passwd')").find("is not a time zone name"),
            std::string::npos);
  EXPECT_NE(CompileError("parse_timestamp(s, '%H:%M')").find("has no year"), std::string::npos);
  EXPECT_NE(
      CompileError("parse_timestamp(s, s)").find("the format (argument 2) must be a constant"),
      std::string::npos);
  EXPECT_NE(CompileError("to_timezone(CAST(ts AS timestamp), 'UTC')")
                .find("the first argument must be a timestamptz, not timestamp"),
            std::string::npos);
}

TEST_F(PipelineExpressionTest, TypeErrorsAreCompileErrors) {
  EXPECT_EQ(CompileError("s + 1"), "'+' needs numbers, not string and int at column 3");
  EXPECT_EQ(CompileError("d + 1"),
            "'+' needs numbers, not decimal(9,2) and int (decimal arithmetic: CAST to double) "
            "at column 3");
  EXPECT_EQ(CompileError("CASE WHEN n THEN 1 END"), "expected a boolean, not int at column 11");
  EXPECT_EQ(CompileError("s = 1"), "string and int do not mix (CAST one of them) at column 3");
  EXPECT_EQ(CompileError("1 / 0"), "division by zero at column 3");
  EXPECT_EQ(CompileError("lower(n)"),
            "lower(): argument 1 must be a string, not int (CAST it) "
            "at column 1");
  EXPECT_EQ(CompileError("uper(s)"), "unknown function 'uper' at column 1");
  EXPECT_EQ(CompileError("regexp_extract(s, '(')"),
            "regexp_extract(): bad pattern '(': missing ): ( at column 1");
  EXPECT_EQ(CompileError("n +"), "unexpected end of the expression at column 4");
  EXPECT_EQ(CompileError("'abc"), "unterminated quote at column 1");
  EXPECT_EQ(CompileError(std::string(200, '(') + "1" + std::string(200, ')')),
            "nested deeper than 64 at column 65");
  std::string chain = "n";
  for (int i = 0; i < 300; ++i) chain += " + n";
  EXPECT_EQ(CompileError(chain), "an expression deeper than 256 at column 1023");
  std::string in = "n IN (0";
  for (int i = 0; i < 300; ++i) in += ", 1";
  EXPECT_EQ(CompileError(in + ")"), "more than 256 IN items at column 776");
}

TEST_F(PipelineExpressionTest, ConstantsFoldAndAssignmentWidens) {
  Result<Expression> e = Expression::Compile("upper('a' || 'b') || 1", scope_);
  ASSERT_TRUE(e.ok());
  EXPECT_TRUE(e->constant());
  Result<Expression> n = Expression::Compile("n + 1", scope_);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(n->type()->ToString(), "int");
  EXPECT_TRUE(n->AssignTo(Type::Long()).ok());
  EXPECT_TRUE(n->AssignTo(Type::Double()).ok());
  EXPECT_EQ(n->AssignTo(Type::String()).status().message(),
            "is a int, and the column a string (CAST it: CAST(... AS string))");
  Result<Expression> literal = Expression::Compile("'2026-01-02'", scope_);
  ASSERT_TRUE(literal.ok());
  EXPECT_TRUE(literal->AssignTo(Type::Date()).ok());
  Result<Expression> null = Expression::Compile("NULL", scope_);
  ASSERT_TRUE(null.ok());
  EXPECT_EQ(null->AssignTo(Type::Date())->type()->ToString(), "date");
}

TEST_F(PipelineExpressionTest, EnvIsReadOnceAtCompileTime) {
  setenv("FLOE_EXPR_TEST_KEY", "secret", 1);
  EXPECT_EQ(Eval("hmac_sha256('x', env('FLOE_EXPR_TEST_KEY')) = hmac_sha256('x', 'secret')")[0],
            "true");
  EXPECT_EQ(CompileError("env('FLOE_EXPR_TEST_UNSET')"),
            "env('FLOE_EXPR_TEST_UNSET'): the variable is not set at column 1");
}

}  // namespace
}  // namespace floe::stream::expr
