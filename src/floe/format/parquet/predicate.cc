#include "floe/format/parquet/predicate.h"

#include <cctype>
#include <cstring>

#include "floe/columnar/compare.h"
#include "floe/columnar/text_rows.h"
#include "floe/format/parquet/value_decoder.h"
#include "floe/util/strings.h"

namespace floe::parquet {
namespace {

using Op = ColumnPredicate::Op;

}  // namespace

Result<ColumnPredicate> ParsePredicate(std::string_view text) {
  const std::string_view input = TrimSpace(text);
  auto bad = [&](std::string_view why) {
    return Status::InvalidArgument(
        "predicate '{}': {} (expected e.g. \"site = 'S01'\", \"value >= 12.5\", "
        "\"name IS NULL\")",
        text, why);
  };
  // The column: everything up to the first space or operator character.
  size_t end = 0;
  while (end < input.size() && !std::isspace(static_cast<unsigned char>(input[end])) &&
         std::string_view("=!<>").find(input[end]) == std::string_view::npos) {
    ++end;
  }
  if (end == 0) return bad("no column name");
  ColumnPredicate p;
  p.column = std::string(input.substr(0, end));
  std::string_view rest = TrimSpace(input.substr(end));
  // IS [NOT] NULL
  if (rest.size() >= 2 && EqualsIgnoreCase(rest.substr(0, 2), "is")) {
    std::string_view tail = TrimSpace(rest.substr(2));
    if (EqualsIgnoreCase(tail, "null")) {
      p.op = Op::kIsNull;
      return p;
    }
    if (tail.size() >= 3 && EqualsIgnoreCase(tail.substr(0, 3), "not") &&
        EqualsIgnoreCase(TrimSpace(tail.substr(3)), "null")) {
      p.op = Op::kIsNotNull;
      return p;
    }
    return bad("IS must be followed by NULL or NOT NULL");
  }
  static constexpr std::pair<std::string_view, Op> kOps[] = {
      {"==", Op::kEq},   {"!=", Op::kNotEq}, {"<>", Op::kNotEq}, {"<=", Op::kLtEq},
      {">=", Op::kGtEq}, {"=", Op::kEq},     {"<", Op::kLt},     {">", Op::kGt}};
  bool found = false;
  for (const auto& [spelling, op] : kOps) {
    if (rest.starts_with(spelling)) {
      p.op = op;
      rest = TrimSpace(rest.substr(spelling.size()));
      found = true;
      break;
    }
  }
  if (!found) return bad("no comparison operator");
  if (rest.empty()) return bad("no value");
  if (rest.front() == '\'') {
    std::string literal;
    size_t i = 1;
    for (; i < rest.size(); ++i) {
      if (rest[i] == '\'') {
        if (i + 1 < rest.size() && rest[i + 1] == '\'') {
          literal.push_back('\'');
          ++i;
          continue;
        }
        break;
      }
      literal.push_back(rest[i]);
    }
    if (i >= rest.size()) return bad("unterminated quoted value");
    if (!TrimSpace(rest.substr(i + 1)).empty()) return bad("text after the quoted value");
    p.literal = std::move(literal);
  } else {
    p.literal = std::string(rest);
  }
  return p;
}

Result<BoundPredicate> BoundPredicate::Bind(const ColumnPredicate& predicate,
                                            const FileSchema& schema) {
  const auto& fields = schema.schema.fields();
  BoundPredicate b;
  b.op_ = predicate.op;
  b.field_index_ = -1;
  for (size_t i = 0; i < fields.size(); ++i) {
    if (fields[i].name == predicate.column) b.field_index_ = static_cast<int>(i);
  }
  if (b.field_index_ < 0)
    return Status::NotFound("predicate: no column named '{}'", predicate.column);
  const NestedField& field = fields[static_cast<size_t>(b.field_index_)];
  if (field.type->is_nested()) {
    return Status::NotSupported("predicate: column '{}' is {}, not a primitive", field.name,
                                field.type->ToString());
  }
  for (size_t i = 0; i < schema.leaves.size(); ++i) {
    if (schema.leaves[i].field_path[0] == b.field_index_) {
      b.leaf_index_ = i;
      b.leaf_ = &schema.leaves[i];
    }
  }
  b.literal_ = Column(field.type);
  if (b.op_ != Op::kIsNull && b.op_ != Op::kIsNotNull) {
    Status s = AppendValueFromText(predicate.literal, &b.literal_);
    if (!s.ok()) return s.WithContext("predicate on " + field.name);
  }
  return b;
}

bool BoundPredicate::MightMatch(const ColumnChunk& chunk, bool type_defined_order) const {
  if (!chunk.meta_data || !chunk.meta_data->statistics) return true;
  const Statistics& st = *chunk.meta_data->statistics;
  const int64_t values = chunk.meta_data->num_values;
  switch (op_) {
    case Op::kIsNull:
      return !st.null_count || *st.null_count > 0;
    case Op::kIsNotNull:
      return !st.null_count || *st.null_count < values;
    default:
      break;
  }
  // Bounds mean something only in the type-defined order (and for unsigned
  // columns floe maps to wider signed types, only then); exact or not, they
  // contain every non-null value.
  if (!type_defined_order || !st.min_value || !st.max_value) return true;
  if (st.null_count && *st.null_count == values) return false;  // only nulls: no comparison holds
  auto min = DecodeStatisticsValue(*leaf_, *st.min_value);
  auto max = DecodeStatisticsValue(*leaf_, *st.max_value);
  if (!min.ok() || !max.ok()) return true;
  const int lo = CompareSlots(literal_, 0, *min, 0), hi = CompareSlots(literal_, 0, *max, 0);
  if (lo == 2 || hi == 2) return true;  // NaN involved: no conclusion
  switch (op_) {
    case Op::kEq:
      return lo >= 0 && hi <= 0;
    case Op::kNotEq:
      return !(lo == 0 && hi == 0);  // all values equal the literal
    case Op::kLt:
      return lo > 0;  // some value below the literal: min < literal
    case Op::kLtEq:
      return lo >= 0;
    case Op::kGt:
      return hi < 0;
    case Op::kGtEq:
      return hi <= 0;
    default:
      return true;
  }
}

bool BoundPredicate::Matches(const Column& column, int64_t row) const {
  const bool valid = column.IsValid(row);
  if (op_ == Op::kIsNull) return !valid;
  if (op_ == Op::kIsNotNull) return valid;
  if (!valid) return false;
  const int c = CompareSlots(column, row, literal_, 0);
  if (c == 2) return op_ == Op::kNotEq;  // NaN: only != holds
  switch (op_) {
    case Op::kEq:
      return c == 0;
    case Op::kNotEq:
      return c != 0;
    case Op::kLt:
      return c < 0;
    case Op::kLtEq:
      return c <= 0;
    case Op::kGt:
      return c > 0;
    case Op::kGtEq:
      return c >= 0;
    default:
      return false;
  }
}

}  // namespace floe::parquet
