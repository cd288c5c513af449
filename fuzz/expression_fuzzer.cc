// libFuzzer target for pipeline expressions (stream/expr): any text is
// parsed and bound against a scope of every kind of column; what compiles is
// evaluated over a small batch with nulls, zeros, extremes and non-ASCII
// text. Whatever the input: no crash, a value or a per-row error for each
// row, and a result of the type the compiler announced.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "floe/columnar/text_rows.h"
#include "floe/stream/expr/expression.h"

namespace {

using floe::NestedField;
using floe::Type;

struct Fixture {
  Fixture() {
    schema = floe::Schema({
        NestedField(1, "id", false, Type::Long()),
        NestedField(2, "n", false, Type::Int()),
        NestedField(3, "x", false, Type::Double()),
        NestedField(4, "s", false, Type::String()),
        NestedField(5, "ts", false, Type::TimestampTz()),
        NestedField(6, "d", false, Type::Decimal(9, 2)),
        NestedField(7, "day", false, Type::Date()),
        NestedField(8, "b", false, Type::Boolean()),
        NestedField(9, "v", false,
                    Type::Struct({NestedField(10, "hr", false, Type::Int()),
                                  NestedField(11, "tags", false,
                                              Type::List(NestedField(12, "element", false,
                                                                     Type::String())))})),
        NestedField(13, "m", false,
                    Type::Map(NestedField(14, "key", true, Type::String()),
                              NestedField(15, "value", false, Type::String()))),
    });
    batch = floe::RecordBatch::Empty(schema);
    const char* rows[] = {
        R"({"id": 9223372036854775807, "n": -2147483648, "x": 1e308, "s": "Ünïcode ✓ text",
            "ts": "2026-03-29T01:30:00Z", "d": "-9999999.99", "day": "2026-02-28", "b": true,
            "v": {"hr": 0, "tags": ["a", "", "c"]}, "m": [{"key": "k", "value": "v"}]})",
        R"({"id": 0, "n": 0, "x": -0.0, "s": "", "ts": "1970-01-01T00:00:00Z", "d": "0.00",
            "day": "1970-01-01", "b": false, "v": null, "m": []})",
        R"({})",
    };
    for (const char* row : rows) {
      if (!floe::AppendJsonRowTo(row, &batch).ok()) std::abort();
    }
    for (const NestedField& f : schema.fields()) scope.Add(f.name, f.type);
  }
  floe::Schema schema;
  floe::RecordBatch batch;
  floe::stream::expr::Scope scope;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const Fixture fixture;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto e = floe::stream::expr::Expression::Compile(text, fixture.scope);
  if (!e.ok()) return 0;
  floe::stream::expr::EvalContext ctx;
  for (const floe::Column& c : fixture.batch.columns) ctx.slots.push_back(&c);
  ctx.num_rows = fixture.batch.num_rows;
  ctx.now_micros = 1'800'000'000'000'000;
  floe::stream::expr::RowErrors errors;
  errors.Reset(ctx.num_rows);
  ctx.errors = &errors;
  const floe::stream::expr::Vec v = e->Evaluate(ctx);
  if (!(*v.type() == *e->type())) std::abort();
  if (!v.constant() && v.column().length() < ctx.num_rows) std::abort();
  for (int64_t r = 0; r < ctx.num_rows; ++r) {
    if (errors.failed(r)) continue;
    std::string out;
    if (v.Valid(r)) floe::AppendJsonValue(v.column(), v.Row(r), &out);
  }
  return 0;
}
