#include "floe/stream/transform.h"

#include <fmt/format.h>

#include "floe/util/strings.h"

namespace floe::stream {
namespace {

// The Kafka metadata, in slot order.
constexpr const char* kMetaNames[] = {"_kafka.topic",     "_kafka.partition", "_kafka.offset",
                                      "_kafka.timestamp", "_kafka.key",       "_kafka.headers"};
enum Meta { kTopic, kPartition, kOffset, kTimestamp, kKey, kHeaders };

TypePtr MetaType(int i) {
  switch (i) {
    case kPartition:
      return Type::Int();
    case kOffset:
      return Type::Long();
    case kTimestamp:
      return Type::TimestampTz();
    case kHeaders:
      return Type::Map(NestedField(0, "key", true, Type::String()),
                       NestedField(0, "value", false, Type::String()));
    default:
      return Type::String();
  }
}

std::string Join(const std::string& path, const std::string& key) {
  return path.empty() ? key : path + "." + key;
}

bool ValidUtf8(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    const size_t n = Utf8SequenceLength(s, i);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

void AppendText(std::optional<std::string_view> text, Column* c) {
  if (text && ValidUtf8(*text)) {
    c->AppendBytes(*text);
  } else {
    c->AppendNull();
  }
}

// A bare field name for Expression::Compile: quoted, so any name works.
std::string QuotedName(std::string_view name) {
  std::string q = "\"";
  for (char c : name) {
    q += c;
    if (c == '"') q += '"';
  }
  return q + "\"";
}

}  // namespace

bool Transform::Needed(const PipelineConfig& config) {
  return !config.transform.empty() || !config.input.empty() || config.route_expression;
}

std::optional<Transform> Transform::Compile(const PipelineConfig& config,
                                            const std::vector<Schema>& tables,
                                            const std::string& path,
                                            std::vector<ConfigError>* errors) {
  const size_t errors_before = errors->size();
  Transform t;
  // The input schema: every table's columns by name (optional: a missing
  // value is a row error only where a table requires it), then `input:`.
  std::vector<NestedField> fields;
  std::map<std::string, TypePtr> seen;
  int32_t next_id = 1;
  auto add = [&](const NestedField& f, const std::string& where) {
    auto [it, added] = seen.emplace(f.name, f.type);
    if (!added) {
      if (!(*it->second == *f.type)) {
        errors->push_back({where, fmt::format("'{}' is a {} here and a {} in another table", f.name,
                                              f.type->ToString(), it->second->ToString())});
      }
      return;
    }
    fields.emplace_back(next_id++, f.name, false, f.type, f.doc);
  };
  for (size_t i = 0; i < tables.size(); ++i) {
    for (const NestedField& f : tables[i].fields()) {
      add(f, Join(path, fmt::format("tables[{}]", i)));
    }
  }
  for (size_t i = 0; i < config.input.size(); ++i) {
    const NestedField& f = config.input[i];
    const std::string where = Join(path, fmt::format("input[{}]", i));
    if (seen.contains(f.name)) {
      errors->push_back({where, fmt::format("'{}' is a column of a table already", f.name)});
      continue;
    }
    add(f, where);
  }
  t.input_ = RecordBatch::Empty(Schema(fields));
  for (const NestedField& f : fields) t.scope_.Add(f.name, f.type);
  t.meta_slot_ = static_cast<int>(t.scope_.slots().size());
  for (int i = 0; i < 6; ++i) t.scope_.Add(kMetaNames[i], MetaType(i));

  for (const TransformStep& step : config.transform) {
    Result<expr::Expression> e = expr::Expression::Compile(step.expression, t.scope_);
    if (!e.ok()) {
      errors->push_back(
          {step.path, fmt::format("'{}': {}{}", step.expression, e.status().message(),
                                  step.line > 0 ? fmt::format(" (line {})", step.line) : "")});
      continue;
    }
    if (step.kind == TransformStep::Kind::kFilter && e->type()->id() != TypeId::kBoolean) {
      errors->push_back({step.path, fmt::format("'{}' is a {}, not a boolean", step.expression,
                                                e->type()->ToString())});
      continue;
    }
    Step s;
    s.filter = step.kind == TransformStep::Kind::kFilter;
    s.column = step.column;
    s.path = step.path;
    if (!s.filter) t.scope_.Add(step.column, e->type());
    s.expression = std::move(*e);
    t.steps_.push_back(std::move(s));
  }
  if (config.route_expression) {
    const std::string where = Join(path, "route");
    Result<expr::Expression> e = expr::Expression::Compile(config.route, t.scope_);
    if (!e.ok()) {
      errors->push_back({where, fmt::format("'{}': {}", config.route, e.status().message())});
    } else if (e->type()->is_nested()) {
      errors->push_back({where, fmt::format("'{}' is a {}; a route is a scalar", config.route,
                                            e->type()->ToString())});
    } else {
      Result<expr::Expression> text =
          e->type()->id() == TypeId::kString
              ? std::move(e)
              : expr::Expression::Compile("CAST((" + config.route + ") AS string)", t.scope_);
      if (text.ok()) t.route_ = std::move(*text);
    }
    t.route_text_ = config.route;
    for (size_t i = 0; i < config.tables.size(); ++i) {
      t.routes_[config.tables[i].when] = static_cast<int>(i);
    }
  }
  for (int i = 0; i < 6; ++i) t.wants_meta_[i] = t.scope_.used(t.meta_slot_ + i);
  // Each table must be able to take its columns.
  for (size_t i = 0; i < tables.size(); ++i) {
    const Output& out = t.OutputFor(tables[i]);
    for (size_t c = 0; c < out.problems.size(); ++c) {
      if (!out.problems[c].empty()) {
        errors->push_back({Join(path, fmt::format("tables[{}]", i)), out.problems[c]});
      }
    }
  }
  if (errors->size() != errors_before) return std::nullopt;
  return t;
}

const Transform::Output& Transform::OutputFor(const Schema& schema) {
  for (const Output& o : outputs_) {
    if (o.schema == schema) return o;
  }
  Output o;
  o.schema = schema;
  for (const NestedField& f : schema.fields()) {
    std::string problem;
    std::optional<expr::Expression> value;
    if (scope_.Find(f.name) >= 0) {
      Result<expr::Expression> e = expr::Expression::Compile(QuotedName(f.name), scope_);
      if (e.ok()) {
        Result<expr::Expression> assigned = e->AssignTo(f.type);
        if (assigned.ok()) {
          value = std::move(*assigned);
        } else {
          problem = fmt::format("column {}: the value {}", f.name, assigned.status().message());
        }
      } else {
        problem = fmt::format("column {}: {}", f.name, e.status().message());
      }
    }
    o.columns.push_back(std::move(value));
    o.problems.push_back(std::move(problem));
  }
  outputs_.push_back(std::move(o));
  return outputs_.back();
}

void Transform::AddRecord(const source::Record& m) {
  if (meta_.empty()) {
    for (int i = 0; i < 6; ++i) meta_.emplace_back(MetaType(i));
  }
  // Only what an expression reads is filled; the others stay empty and no
  // expression reaches them.
  if (wants_meta_[kTopic]) meta_[kTopic].AppendBytes(m.topic());
  if (wants_meta_[kPartition]) meta_[kPartition].Append<int32_t>(m.partition());
  if (wants_meta_[kOffset]) meta_[kOffset].Append<int64_t>(m.offset());
  if (wants_meta_[kTimestamp]) {
    if (auto ms = m.timestamp_ms()) {
      meta_[kTimestamp].Append<int64_t>(*ms * 1000);
    } else {
      meta_[kTimestamp].AppendNull();
    }
  }
  if (wants_meta_[kKey]) AppendText(m.key(), &meta_[kKey]);
  if (wants_meta_[kHeaders]) {
    Column& h = meta_[kHeaders];
    for (const source::RecordHeader& header : m.headers()) {
      if (!ValidUtf8(header.name)) continue;
      h.child(0).AppendBytes(header.name);
      AppendText(header.value ? std::optional<std::string_view>(*header.value) : std::nullopt,
                 &h.child(1));
    }
    h.AppendListEnd();
  }
}

void Transform::Evaluate(int64_t now_micros) {
  const int64_t n = input_.num_rows;
  expr::EvalContext ctx;
  for (const Column& c : input_.columns) ctx.slots.push_back(&c);
  for (const Column& c : meta_) ctx.slots.push_back(&c);
  ctx.num_rows = n;
  ctx.now_micros = now_micros;
  expr::RowErrors errors;
  errors.Reset(n);
  ctx.errors = &errors;
  tables_of_rows_.assign(static_cast<size_t>(n), 0);
  row_errors_.assign(static_cast<size_t>(n), std::string());
  step_failed_.assign(static_cast<size_t>(n), 0);
  expr::Mask live(static_cast<size_t>(n), 1);
  auto drop_failed = [&](const std::string& where) {
    for (int64_t r = 0; r < n; ++r) {
      const size_t i = static_cast<size_t>(r);
      if (live[i] && errors.failed(r)) {
        live[i] = 0;
        tables_of_rows_[i] = kFailed;
        step_failed_[i] = 1;
        row_errors_[i] = fmt::format("{}: {}", where, errors.message(r));
      }
    }
  };
  computed_.clear();
  for (const Step& step : steps_) {
    expr::Vec v = step.expression.Evaluate(ctx, live);
    drop_failed(step.path);
    if (step.filter) {
      for (int64_t r = 0; r < n; ++r) {
        const size_t i = static_cast<size_t>(r);
        if (live[i] && !(v.Valid(r) && v.Get<uint8_t>(r) != 0)) {
          live[i] = 0;
          tables_of_rows_[i] = kFiltered;
        }
      }
      continue;
    }
    if (v.constant()) {
      // Later steps read slots row by row: a constant becomes a column.
      Column full(v.type());
      for (int64_t r = 0; r < n; ++r) full.AppendFrom(v.column(), 0);
      v = expr::Vec::Own(std::move(full));
    }
    computed_.push_back(std::move(v));
    ctx.slots.push_back(&computed_.back().column());
  }
  if (route_) {
    const expr::Vec v = route_->Evaluate(ctx, live);
    drop_failed("route");
    for (int64_t r = 0; r < n; ++r) {
      const size_t i = static_cast<size_t>(r);
      if (!live[i]) continue;
      auto it = v.Valid(r) ? routes_.find(std::string(v.Bytes(r))) : routes_.end();
      if (it != routes_.end()) {
        tables_of_rows_[i] = it->second;
        continue;
      }
      tables_of_rows_[i] = kFailed;
      row_errors_[i] = v.Valid(r) ? fmt::format("no route: no table takes {} = '{}'", route_text_,
                                                PrintableText(v.Bytes(r)))
                                  : fmt::format("no route: {} is null", route_text_);
    }
  }
  eval_slots_ = std::move(ctx.slots);
  eval_now_ = now_micros;
}

void Transform::Emit(std::span<const int64_t> rows, std::span<const int64_t> check_only,
                     RecordBatch* out, std::vector<std::pair<int64_t, std::string>>* rejected) {
  if (rows.empty() && check_only.empty()) return;
  const Output& o = OutputFor(out->schema);
  const int64_t n = input_.num_rows;
  expr::EvalContext ctx;
  ctx.slots = eval_slots_;
  ctx.num_rows = n;
  ctx.now_micros = eval_now_;
  expr::RowErrors errors;
  errors.Reset(n);
  ctx.errors = &errors;
  expr::Mask mask(static_cast<size_t>(n), 0);
  for (auto list : {rows, check_only}) {
    for (int64_t r : list) mask[static_cast<size_t>(r)] = 1;
  }
  std::vector<expr::Vec> values(o.columns.size());
  for (size_t c = 0; c < o.columns.size(); ++c) {
    if (o.columns[c]) values[c] = o.columns[c]->Evaluate(ctx, mask);
  }
  const std::vector<NestedField>& fields = out->schema.fields();
  auto problem = [&](int64_t r) {
    std::string why = errors.failed(r) ? errors.message(r) : std::string();
    for (size_t c = 0; c < fields.size() && why.empty(); ++c) {
      if (!o.problems[c].empty()) {
        why = o.problems[c];
      } else if (fields[c].required && (!o.columns[c] || !values[c].Valid(r))) {
        why = fmt::format("column {} is required, and the record has no value for it",
                          fields[c].name);
      }
    }
    return why;
  };
  for (int64_t r : check_only) {
    if (std::string why = problem(r); !why.empty()) rejected->emplace_back(r, std::move(why));
  }
  for (int64_t r : rows) {
    if (std::string why = problem(r); !why.empty()) {
      rejected->emplace_back(r, std::move(why));
      continue;
    }
    for (size_t c = 0; c < fields.size(); ++c) {
      if (o.columns[c]) {
        out->columns[c].AppendFrom(values[c].column(), values[c].Row(r));
      } else {
        out->columns[c].AppendNull();
      }
    }
    ++out->num_rows;
  }
}

void Transform::Clear() {
  input_ = RecordBatch::Empty(input_.schema);
  meta_.clear();
  computed_.clear();
  eval_slots_.clear();
}

}  // namespace floe::stream
