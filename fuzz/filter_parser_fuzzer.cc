// libFuzzer target for table filters (--where text, and later filters that
// arrive over HTTP): parses the input, binds it to a fixed schema, rewrites
// NOTs, projects it onto a partition spec with every kind of transform,
// evaluates it on a few rows and prints it. Errors are fine; crashes, leaks,
// hangs and unbounded allocations are findings (scripts/fuzz).
#include <cstddef>
#include <cstdint>
#include <string>

#include "floe/columnar/text_rows.h"
#include "floe/iceberg/expression/expression.h"
#include "floe/iceberg/expression/projection.h"
#include "floe/iceberg/expression/row_filter.h"

namespace {

using floe::NestedField;
using floe::Type;

const floe::Schema& FuzzSchema() {
  static const floe::Schema schema({
      {1, "id", true, Type::Long(), ""},
      {2, "site", false, Type::String(), ""},
      {3, "ts", false, Type::Timestamp(), ""},
      {4, "v", false, Type::Double(), ""},
      {5, "d", false, Type::Date(), ""},
      {6, "dose", false, Type::Decimal(9, 2), ""},
      {7, "flag", false, Type::Boolean(), ""},
      {8, "n", false, Type::Int(), ""},
      {9, "info", false, Type::Struct({{10, "arm", false, Type::String(), ""}}), ""},
  });
  return schema;
}

const floe::iceberg::PartitionSpec& FuzzSpec() {
  using floe::iceberg::PartitionField;
  using floe::iceberg::Transform;
  static const floe::iceberg::PartitionSpec spec{
      0,
      {PartitionField{2, 1000, "site", Transform::Identity()},
       PartitionField{1, 1001, "id_bucket", Transform::Bucket(16)},
       PartitionField{2, 1002, "site_trunc", Transform::Truncate(2)},
       PartitionField{3, 1003, "ts_day", Transform::Day()},
       PartitionField{3, 1004, "ts_hour", Transform::Hour()},
       PartitionField{5, 1005, "d_month", Transform::Month()},
       PartitionField{6, 1006, "dose_trunc", Transform::Truncate(100)},
       PartitionField{8, 1007, "n_trunc", Transform::Truncate(10)},
       PartitionField{4, 1008, "v_void", Transform::Void()}}};
  return spec;
}

const floe::RecordBatch& FuzzRows() {
  static const floe::RecordBatch batch = [] {
    floe::RecordBatch b = floe::RecordBatch::Empty(FuzzSchema());
    for (const char* row :
         {R"({"id":1,"site":"S01","ts":"2026-01-01T10:00:00","v":1.5,"d":"2026-01-01",)"
          R"("dose":"1.25","flag":true,"n":-3,"info":{"arm":"A"}})",
          R"({"id":-9223372036854775808,"site":null,"v":"NaN","info":null})",
          R"({"id":9223372036854775807,"site":"","v":"-Infinity","n":2147483647})"}) {
      (void)floe::AppendJsonRowTo(row, &b);
    }
    return b;
  }();
  return batch;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto parsed =
      floe::iceberg::ParseExpression(std::string_view(reinterpret_cast<const char*>(data), size));
  if (!parsed.ok()) return 0;
  std::string text = floe::iceberg::ToString(*parsed);
  auto bound = floe::iceberg::Bind(*parsed, FuzzSchema());
  if (!bound.ok()) return 0;
  const floe::iceberg::Expression rewritten = floe::iceberg::RewriteNot(*bound);
  auto projected = floe::iceberg::ProjectInclusive(rewritten, FuzzSpec());
  if (projected.ok()) text = floe::iceberg::ToString(*projected);
  auto filter = floe::iceberg::RowFilter::Make(*bound, FuzzSchema());
  if (filter.ok()) {
    std::vector<uint8_t> keep;
    filter->Evaluate(FuzzRows(), &keep);
    (void)floe::SelectRows(FuzzRows(), keep);
  }
  return 0;
}
