#include "floe/columnar/text_rows.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <nlohmann/json.hpp>

#include "floe/util/base64.h"
#include "floe/util/decimal.h"
#include "floe/util/json_parse.h"
#include "floe/util/temporal.h"

namespace floe {
namespace {

using Json = nlohmann::json;

void AppendJsonString(std::string_view s, std::string* out) {
  out->push_back('"');
  // Runs of characters that need no escape are copied whole.
  size_t run = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out->append(s.data() + run, i - run);
    run = i + 1;
    switch (c) {
      case '"':
        *out += "\\\"";
        break;
      case '\\':
        *out += "\\\\";
        break;
      case '\n':
        *out += "\\n";
        break;
      case '\r':
        *out += "\\r";
        break;
      case '\t':
        *out += "\\t";
        break;
      default:
        fmt::format_to(std::back_inserter(*out), "\\u{:04x}", c);
    }
  }
  out->append(s.data() + run, s.size() - run);
  out->push_back('"');
}

template <typename I>
void AppendInteger(I v, std::string* out) {
  char buf[24];
  const char* end = std::to_chars(buf, buf + sizeof(buf), v).ptr;
  out->append(buf, static_cast<size_t>(end - buf));
}

template <typename F>
void AppendFloat(F v, std::string* out) {
  if (std::isnan(v)) {
    *out += "\"NaN\"";
  } else if (std::isinf(v)) {
    *out += v > 0 ? "\"Infinity\"" : "\"-Infinity\"";
  } else {
    char buf[40];  // shortest round-trip digits
    char* end = fmt::format_to(buf, "{}", v);
    out->append(buf, static_cast<size_t>(end - buf));
    if (std::none_of(buf, end, [](char c) { return c == '.' || c == 'e'; })) *out += ".0";
  }
}

std::string FormatUuid(std::string_view b) {
  std::string hex;
  for (size_t i = 0; i < b.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) hex.push_back('-');
    hex += fmt::format("{:02x}", static_cast<unsigned char>(b[i]));
  }
  return hex;
}

// The text form of a scalar that JSON writes as a string (everything but
// booleans and numbers), without quotes.
bool IsNanos(TypeId id) {
  return id == TypeId::kTimestampNs || id == TypeId::kTimestampTzNs;
}
bool IsUtc(TypeId id) {
  return id == TypeId::kTimestampTz || id == TypeId::kTimestampTzNs;
}

}  // namespace

std::string ScalarText(const Column& c, int64_t i) {
  const Type& t = *c.type();
  switch (t.id()) {
    case TypeId::kDecimal:
      return FormatDecimal(c.Value<Int128>(i), t.scale());
    case TypeId::kDate:
      return FormatDate(c.Value<int32_t>(i));
    case TypeId::kTime:
      return FormatTime(c.Value<int64_t>(i));
    case TypeId::kTimestamp:
      return FormatTimestamp(c.Value<int64_t>(i), false, false);
    case TypeId::kTimestampTz:
      return FormatTimestamp(c.Value<int64_t>(i), false, true);
    case TypeId::kTimestampNs:
      return FormatTimestamp(c.Value<int64_t>(i), true, false);
    case TypeId::kTimestampTzNs:
      return FormatTimestamp(c.Value<int64_t>(i), true, true);
    case TypeId::kUuid:
      return FormatUuid(c.Bytes(i));
    case TypeId::kBinary:
    case TypeId::kFixed: {
      std::string out;
      AppendBase64(c.Bytes(i), &out);
      return out;
    }
    default:
      return std::string(c.Bytes(i));
  }
}

void AppendJsonNumber(float v, std::string* out) {
  AppendFloat(v, out);
}
void AppendJsonNumber(double v, std::string* out) {
  AppendFloat(v, out);
}

void AppendJsonValue(const Column& c, int64_t i, std::string* out) {
  if (!c.IsValid(i)) {
    *out += "null";
    return;
  }
  const Type& t = *c.type();
  switch (t.id()) {
    case TypeId::kBoolean:
      *out += c.Value<uint8_t>(i) ? "true" : "false";
      return;
    case TypeId::kInt:
      AppendInteger(c.Value<int32_t>(i), out);
      return;
    case TypeId::kLong:
      AppendInteger(c.Value<int64_t>(i), out);
      return;
    case TypeId::kFloat:
      AppendFloat(c.Value<float>(i), out);
      return;
    case TypeId::kDouble:
      AppendFloat(c.Value<double>(i), out);
      return;
    case TypeId::kString:
      AppendJsonString(c.Bytes(i), out);
      return;
    case TypeId::kStruct: {
      out->push_back('{');
      for (size_t f = 0; f < t.fields().size(); ++f) {
        if (f) out->push_back(',');
        AppendJsonString(t.fields()[f].name, out);
        out->push_back(':');
        AppendJsonValue(c.child(f), i, out);
      }
      out->push_back('}');
      return;
    }
    case TypeId::kList:
      out->push_back('[');
      for (int32_t e = c.Offset(i); e < c.Offset(i + 1); ++e) {
        if (e != c.Offset(i)) out->push_back(',');
        AppendJsonValue(c.child(0), e, out);
      }
      out->push_back(']');
      return;
    case TypeId::kMap:
      out->push_back('[');
      for (int32_t e = c.Offset(i); e < c.Offset(i + 1); ++e) {
        if (e != c.Offset(i)) out->push_back(',');
        *out += "{\"key\":";
        AppendJsonValue(c.child(0), e, out);
        *out += ",\"value\":";
        AppendJsonValue(c.child(1), e, out);
        out->push_back('}');
      }
      out->push_back(']');
      return;
    case TypeId::kTimestamp:
    case TypeId::kTimestampTz:
    case TypeId::kTimestampNs:
    case TypeId::kTimestampTzNs:  // digits and punctuation: nothing to escape
      out->push_back('"');
      AppendTimestamp(c.Value<int64_t>(i), IsNanos(t.id()), IsUtc(t.id()), out);
      out->push_back('"');
      return;
    default:
      AppendJsonString(ScalarText(c, i), out);
      return;
  }
}

void AppendJsonRow(const RecordBatch& batch, int64_t row, std::string* out) {
  AppendJsonLines(batch, row, row + 1, out);
  out->pop_back();  // the newline
}

void AppendJsonLines(const RecordBatch& batch, int64_t begin, int64_t end, std::string* out) {
  // Each key (with its quotes, colon and separating comma) is escaped once.
  const auto& fields = batch.schema.fields();
  std::vector<std::string> keys(fields.size());
  for (size_t f = 0; f < fields.size(); ++f) {
    keys[f].push_back(f == 0 ? '{' : ',');
    AppendJsonString(fields[f].name, &keys[f]);
    keys[f].push_back(':');
  }
  for (int64_t row = begin; row < end; ++row) {
    if (fields.empty()) out->push_back('{');
    for (size_t f = 0; f < fields.size(); ++f) {
      *out += keys[f];
      AppendJsonValue(batch.columns[f], row, out);
    }
    *out += "}\n";
  }
}

// --- parsing ------------------------------------------------------------------

namespace {

Status WrongType(const std::string& path, const Type& t, const Json& v) {
  // Text that is not UTF-8 is shown with U+FFFD, never thrown about.
  std::string shown = v.dump(-1, ' ', false, Json::error_handler_t::replace);
  if (shown.size() > 40) shown = shown.substr(0, 37) + "...";
  return Status::InvalidArgument("field {}: expected {}, got {}", path, t.ToString(), shown);
}

template <typename F>
Result<F> FloatFromJson(const Json& v) {
  if (v.is_number()) {
    const double d = v.get<double>();
    if (std::isfinite(d) && std::fabs(d) > static_cast<double>(std::numeric_limits<F>::max())) {
      return Status::InvalidArgument("out of range");
    }
    return static_cast<F>(d);
  }
  if (v.is_string()) {
    const auto& s = v.get_ref<const std::string&>();
    if (s == "NaN") return std::numeric_limits<F>::quiet_NaN();
    if (s == "Infinity") return std::numeric_limits<F>::infinity();
    if (s == "-Infinity") return -std::numeric_limits<F>::infinity();
  }
  return Status::InvalidArgument("not a number");
}

Result<std::string> UuidFromText(std::string_view s) {
  std::string bytes;
  int nibble = -1;
  for (char c : s) {
    if (c == '-') continue;
    int d = (c >= '0' && c <= '9')   ? c - '0'
            : (c >= 'a' && c <= 'f') ? c - 'a' + 10
            : (c >= 'A' && c <= 'F') ? c - 'A' + 10
                                     : -1;
    if (d < 0) return Status::InvalidArgument("invalid uuid '{}'", s);
    if (nibble < 0) {
      nibble = d;
    } else {
      bytes.push_back(static_cast<char>(nibble << 4 | d));
      nibble = -1;
    }
  }
  if (bytes.size() != 16 || nibble >= 0) return Status::InvalidArgument("invalid uuid '{}'", s);
  return bytes;
}

// Appends the scalar given as text (JSON string content or a CSV field).
Status AppendScalarText(std::string_view s, Column* c) {
  const Type& t = *c->type();
  switch (t.id()) {
    case TypeId::kDecimal: {
      FLOE_ASSIGN_OR_RETURN(Int128 v, ParseDecimal(s, t.precision(), t.scale()));
      c->Append(v);
      return Status::OK();
    }
    case TypeId::kDate: {
      FLOE_ASSIGN_OR_RETURN(int32_t v, ParseDate(s));
      c->Append(v);
      return Status::OK();
    }
    case TypeId::kTime: {
      FLOE_ASSIGN_OR_RETURN(int64_t v, ParseTime(s));
      c->Append(v);
      return Status::OK();
    }
    case TypeId::kTimestamp:
    case TypeId::kTimestampTz:
    case TypeId::kTimestampNs:
    case TypeId::kTimestampTzNs: {
      const bool nanos = t.id() == TypeId::kTimestampNs || t.id() == TypeId::kTimestampTzNs;
      const bool utc = t.id() == TypeId::kTimestampTz || t.id() == TypeId::kTimestampTzNs;
      FLOE_ASSIGN_OR_RETURN(int64_t v, ParseTimestamp(s, nanos, utc));
      c->Append(v);
      return Status::OK();
    }
    case TypeId::kUuid: {
      FLOE_ASSIGN_OR_RETURN(std::string v, UuidFromText(s));
      c->AppendBytes(v);
      return Status::OK();
    }
    case TypeId::kBinary:
    case TypeId::kFixed: {
      FLOE_ASSIGN_OR_RETURN(std::string v, DecodeBase64(s));
      if (t.id() == TypeId::kFixed && static_cast<int32_t>(v.size()) != t.length()) {
        return Status::InvalidArgument("{} bytes for {}", v.size(), t.ToString());
      }
      c->AppendBytes(v);
      return Status::OK();
    }
    case TypeId::kString:
      c->AppendBytes(s);
      return Status::OK();
    default:
      return Status::InvalidArgument("not text");
  }
}

Status AppendJson(const Json& v, const std::string& path, Column* c);

Status AppendStructJson(const Json& v, const std::vector<NestedField>& fields,
                        const std::string& path, std::span<Column> columns) {
  for (const auto& [key, _] : v.items()) {
    bool known = false;
    for (const NestedField& f : fields) known |= f.name == key;
    if (!known)
      return Status::InvalidArgument("unknown field {}{}", path.empty() ? "" : path + ".", key);
  }
  for (size_t i = 0; i < fields.size(); ++i) {
    const NestedField& f = fields[i];
    const std::string where = path.empty() ? f.name : path + "." + f.name;
    auto it = v.find(f.name);
    if (it == v.end() || it->is_null()) {
      if (f.required)
        return Status::InvalidArgument("field {}: required but null or missing", where);
      columns[i].AppendNull();
      continue;
    }
    FLOE_RETURN_IF_ERROR(AppendJson(*it, where, &columns[i]));
  }
  return Status::OK();
}

Status AppendJson(const Json& v, const std::string& path, Column* c) {
  const Type& t = *c->type();
  switch (t.id()) {
    case TypeId::kBoolean:
      if (!v.is_boolean()) return WrongType(path, t, v);
      c->Append<uint8_t>(v.get<bool>() ? 1 : 0);
      return Status::OK();
    case TypeId::kInt:
      if (!v.is_number_integer() || v < INT32_MIN || v > INT32_MAX) return WrongType(path, t, v);
      c->Append(v.get<int32_t>());
      return Status::OK();
    case TypeId::kLong:
      if (!v.is_number_integer() || (v.is_number_unsigned() && v > INT64_MAX))
        return WrongType(path, t, v);
      c->Append(v.get<int64_t>());
      return Status::OK();
    case TypeId::kFloat: {
      auto f = FloatFromJson<float>(v);
      if (!f.ok()) return WrongType(path, t, v);
      c->Append(*f);
      return Status::OK();
    }
    case TypeId::kDouble: {
      auto f = FloatFromJson<double>(v);
      if (!f.ok()) return WrongType(path, t, v);
      c->Append(*f);
      return Status::OK();
    }
    case TypeId::kStruct: {
      if (!v.is_object()) return WrongType(path, t, v);
      FLOE_RETURN_IF_ERROR(AppendStructJson(v, t.fields(), path,
                                            std::span<Column>(&c->child(0), c->num_children())));
      c->AppendStruct();
      return Status::OK();
    }
    case TypeId::kList:
    case TypeId::kMap: {
      if (!v.is_array()) return WrongType(path, t, v);
      const bool map = t.id() == TypeId::kMap;
      for (const Json& e : v) {
        if (map) {
          if (!e.is_object() || !e.contains("key")) {
            return Status::InvalidArgument(
                "field {}: map entries must be {{\"key\", \"value\"}} objects", path);
          }
          FLOE_RETURN_IF_ERROR(
              AppendStructJson(e, t.fields(), path, std::span<Column>(&c->child(0), 2)));
          continue;
        }
        if (e.is_null()) {
          if (t.element().required) return Status::InvalidArgument("field {}: null element", path);
          c->child(0).AppendNull();
        } else {
          FLOE_RETURN_IF_ERROR(AppendJson(e, path + ".element", &c->child(0)));
        }
      }
      c->AppendListEnd();
      return Status::OK();
    }
    default: {
      if (!v.is_string()) return WrongType(path, t, v);
      Status s = AppendScalarText(v.get_ref<const std::string&>(), c);
      return s.ok() ? s : s.WithContext("field " + path);
    }
  }
}

}  // namespace

Status AppendJsonRowTo(std::string_view json, RecordBatch* batch) {
  FLOE_ASSIGN_OR_RETURN(Json v, ParseJson(json, "row"));
  if (!v.is_object()) return Status::InvalidArgument("a row must be a JSON object");
  FLOE_RETURN_IF_ERROR(AppendStructJson(v, batch->schema.fields(), "", batch->columns));
  ++batch->num_rows;
  return Status::OK();
}

// --- CSV ------------------------------------------------------------------------

namespace {

void AppendCsvField(std::string_view s, std::string* out) {
  // One pass over the bytes (find_first_of would search the set per byte).
  bool plain = !s.empty();
  for (char c : s) plain = plain && c != ',' && c != '"' && c != '\r' && c != '\n';
  if (plain) {
    *out += s;
    return;
  }
  out->push_back('"');
  for (char c : s) {
    if (c == '"') out->push_back('"');
    out->push_back(c);
  }
  out->push_back('"');
}

}  // namespace

void AppendCsvHeader(const Schema& schema, std::string* out) {
  for (size_t f = 0; f < schema.fields().size(); ++f) {
    if (f) out->push_back(',');
    AppendCsvField(schema.fields()[f].name, out);
  }
}

void AppendCsvRow(const RecordBatch& batch, int64_t row, std::string* out) {
  for (size_t f = 0; f < batch.columns.size(); ++f) {
    if (f) out->push_back(',');
    const Column& c = batch.columns[f];
    if (!c.IsValid(row)) continue;  // null: empty, unquoted
    // The common scalars straight into `out` (numbers never need quotes).
    switch (c.type()->id()) {
      case TypeId::kInt:
        AppendInteger(c.Value<int32_t>(row), out);
        continue;
      case TypeId::kLong:
        AppendInteger(c.Value<int64_t>(row), out);
        continue;
      case TypeId::kDouble:
        if (std::isfinite(c.Value<double>(row))) {
          AppendFloat(c.Value<double>(row), out);
          continue;
        }
        break;
      case TypeId::kString:
        if (!c.Bytes(row).empty()) {
          AppendCsvField(c.Bytes(row), out);
          continue;
        }
        break;
      case TypeId::kTimestamp:
      case TypeId::kTimestampTz:
      case TypeId::kTimestampNs:
      case TypeId::kTimestampTzNs:
        AppendTimestamp(c.Value<int64_t>(row), IsNanos(c.type()->id()), IsUtc(c.type()->id()), out);
        continue;
      default:
        break;
    }
    std::string text;
    switch (c.type()->id()) {
      case TypeId::kBoolean:
      case TypeId::kInt:
      case TypeId::kLong:
      case TypeId::kFloat:
      case TypeId::kDouble:
      case TypeId::kStruct:
      case TypeId::kList:
      case TypeId::kMap:
        AppendJsonValue(c, row, &text);
        if (text.size() >= 2 && text.front() == '"') text = text.substr(1, text.size() - 2);
        break;
      default:
        text = ScalarText(c, row);
        break;
    }
    // An empty string must stay distinguishable from null: quote it.
    if (text.empty()) {
      *out += "\"\"";
    } else {
      AppendCsvField(text, out);
    }
  }
}

Status SplitCsvRecord(std::string_view line, std::vector<std::string>* fields,
                      std::vector<bool>* quoted) {
  fields->clear();
  quoted->clear();
  size_t i = 0;
  while (true) {
    std::string field;
    bool was_quoted = false;
    if (i < line.size() && line[i] == '"') {
      was_quoted = true;
      ++i;
      while (true) {
        if (i >= line.size()) return Status::InvalidArgument("unterminated quoted CSV field");
        if (line[i] == '"') {
          if (i + 1 < line.size() && line[i + 1] == '"') {
            field.push_back('"');
            i += 2;
            continue;
          }
          ++i;
          break;
        }
        field.push_back(line[i++]);
      }
      if (i < line.size() && line[i] != ',') {
        return Status::InvalidArgument("text after a quoted CSV field at column {}", i);
      }
    } else {
      size_t end = line.find(',', i);
      if (end == std::string_view::npos) end = line.size();
      field.assign(line.substr(i, end - i));
      i = end;
    }
    fields->push_back(std::move(field));
    quoted->push_back(was_quoted);
    if (i >= line.size()) break;
    ++i;  // the comma
  }
  return Status::OK();
}

Status AppendValueFromText(std::string_view text, Column* c) {
  switch (c->type()->id()) {
    case TypeId::kBoolean:
    case TypeId::kInt:
    case TypeId::kLong:
    case TypeId::kStruct:
    case TypeId::kList:
    case TypeId::kMap: {
      Json v = ParseJsonOrDiscarded(text);
      return v.is_discarded() ? WrongType("value", *c->type(), Json(std::string(text)))
                              : AppendJson(v, "value", c);
    }
    case TypeId::kFloat:
    case TypeId::kDouble: {
      Json v = ParseJsonOrDiscarded(text);
      return AppendJson(v.is_discarded() ? Json(std::string(text)) : v, "value", c);
    }
    default:
      return AppendScalarText(text, c);
  }
}

Status AppendCsvRowTo(const std::vector<std::string>& fields, const std::vector<bool>& quoted,
                      RecordBatch* batch) {
  const auto& schema_fields = batch->schema.fields();
  if (fields.size() != schema_fields.size()) {
    return Status::InvalidArgument("{} CSV fields, schema has {}", fields.size(),
                                   schema_fields.size());
  }
  for (size_t f = 0; f < fields.size(); ++f) {
    const NestedField& field = schema_fields[f];
    Column& c = batch->columns[f];
    if (fields[f].empty() && !quoted[f]) {
      if (field.required)
        return Status::InvalidArgument("field {}: required but empty", field.name);
      c.AppendNull();
      continue;
    }
    Status s = AppendValueFromText(fields[f], &c);
    if (!s.ok()) s = s.WithContext("field " + field.name);
    FLOE_RETURN_IF_ERROR(s);
  }
  ++batch->num_rows;
  return Status::OK();
}

}  // namespace floe
