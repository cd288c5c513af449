#include "floe/cli/row_update.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>

#include "floe/stream/expr/expression.h"
#include "floe/util/strings.h"

namespace floe::cli {
namespace {

struct Assignment {
  size_t column;  // top-level index in the schema
  stream::expr::Expression value;
};

Result<std::vector<Assignment>> Compile(const Schema& schema,
                                        const std::vector<std::string>& sets) {
  stream::expr::Scope scope;
  for (const NestedField& f : schema.fields()) scope.Add(f.name, f.type);
  std::vector<Assignment> out;
  for (const std::string& set : sets) {
    const size_t eq = set.find('=');
    if (eq == std::string::npos) {
      return Status::InvalidArgument("--set '{}': expected \"column = expression\"", set);
    }
    const std::string name(TrimSpace(std::string_view(set).substr(0, eq)));
    const auto& fields = schema.fields();
    auto it = std::find_if(fields.begin(), fields.end(),
                           [&](const NestedField& f) { return f.name == name; });
    if (it == fields.end()) {
      return Status::InvalidArgument("--set '{}': no top-level column named '{}'", set, name);
    }
    for (const Assignment& a : out) {
      if (fields[a.column].name == name) {
        return Status::InvalidArgument("--set: column '{}' is set twice", name);
      }
    }
    auto value = stream::expr::Expression::Compile(std::string_view(set).substr(eq + 1), scope);
    if (!value.ok()) return value.status().WithContext(fmt::format("--set '{}'", set));
    auto assigned = value->AssignTo(it->type);
    if (!assigned.ok()) return assigned.status().WithContext(fmt::format("--set '{}'", set));
    out.push_back({static_cast<size_t>(it - fields.begin()), *std::move(assigned)});
  }
  if (out.empty())
    return Status::InvalidArgument("give at least one --set \"column = expression\"");
  return out;
}

}  // namespace

Result<table::RowUpdate> CompileRowUpdate(const Schema& schema,
                                          const std::vector<std::string>& sets) {
  FLOE_RETURN_IF_ERROR(Compile(schema, sets).status());
  return table::RowUpdate([sets](const Schema& current, RecordBatch rows) -> Result<RecordBatch> {
    FLOE_ASSIGN_OR_RETURN(const std::vector<Assignment> assignments, Compile(current, sets));
    stream::expr::EvalContext ctx;
    for (const Column& c : rows.columns) ctx.slots.push_back(&c);
    ctx.num_rows = rows.num_rows;
    ctx.now_micros = std::chrono::duration_cast<std::chrono::microseconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
    stream::expr::RowErrors errors;
    errors.Reset(rows.num_rows);
    ctx.errors = &errors;
    // Every expression reads the old values: evaluate all before replacing any.
    std::vector<Column> values;
    for (const Assignment& a : assignments) {
      const stream::expr::Vec v = a.value.Evaluate(ctx);
      const NestedField& field = current.fields()[a.column];
      Column full(field.type);
      for (int64_t r = 0; r < rows.num_rows; ++r) {
        if (errors.failed(r)) {
          return Status::InvalidArgument("--set {} = {}: {}", field.name, a.value.text(),
                                         errors.message(r));
        }
        if (field.required && !v.Valid(r)) {
          return Status::InvalidArgument("--set {} = {}: sets the required column to null",
                                         field.name, a.value.text());
        }
        full.AppendFrom(v.column(), v.Row(r));
      }
      values.push_back(std::move(full));
    }
    for (size_t i = 0; i < assignments.size(); ++i) {
      rows.columns[assignments[i].column] = std::move(values[i]);
    }
    return rows;
  });
}

}  // namespace floe::cli
