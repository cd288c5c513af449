#include "floe/source/json_decoder.h"

#include <simdjson.h>

#include <charconv>
#include <cmath>
#include <limits>
#include <optional>
#include <string>

#include "floe/columnar/text_rows.h"
#include "floe/source/json_content.h"
#include "floe/util/decimal.h"
#include "floe/util/json_parse.h"

namespace floe::source {

namespace dom = simdjson::dom;

namespace {

Status JsonError(simdjson::error_code code) {
  return Status::Corruption("not JSON: {}", simdjson::error_message(code));
}

Status WrongType(const Type& type, std::string_view got) {
  return Status::InvalidArgument("expected {}, got {}", type.ToString(), got);
}

std::string_view TypeName(dom::element_type t) {
  switch (t) {
    case dom::element_type::ARRAY:
      return "an array";
    case dom::element_type::OBJECT:
      return "an object";
    case dom::element_type::INT64:
    case dom::element_type::UINT64:
    case dom::element_type::DOUBLE:
      return "a number";
    case dom::element_type::STRING:
      return "a string";
    case dom::element_type::BOOL:
      return "a boolean";
    case dom::element_type::NULL_VALUE:
      return "null";
  }
  return "a value";
}

bool IsNumber(dom::element_type t) {
  return t == dom::element_type::INT64 || t == dom::element_type::UINT64 ||
         t == dom::element_type::DOUBLE;
}

template <typename F>
Status AppendFloat(dom::element v, dom::element_type t, Column* c) {
  double d = 0;
  if (t == dom::element_type::STRING) {
    std::string_view s;
    if (auto e = v.get_string().get(s)) return JsonError(e);
    if (s == "NaN") {
      d = std::numeric_limits<double>::quiet_NaN();
    } else if (s == "Infinity") {
      d = std::numeric_limits<double>::infinity();
    } else if (s == "-Infinity") {
      d = -std::numeric_limits<double>::infinity();
    } else {
      return WrongType(*c->type(), "a string");
    }
  } else if (auto e = v.get_double().get(d)) {
    return JsonError(e);
  }
  if (std::isfinite(d) && std::fabs(d) > static_cast<double>(std::numeric_limits<F>::max())) {
    return Status::OutOfRange("{} is out of range for {}", d, c->type()->ToString());
  }
  c->Append(static_cast<F>(d));
  return Status::OK();
}

Status AppendTimestampMillis(dom::element v, Column* c) {
  int64_t millis = 0;
  if (auto e = v.get_int64().get(millis)) {
    return Status::InvalidArgument("expected epoch milliseconds: {}", simdjson::error_message(e));
  }
  const TypeId id = c->type()->id();
  const int64_t per_milli =
      id == TypeId::kTimestampNs || id == TypeId::kTimestampTzNs ? 1000000 : 1000;
  int64_t value = 0;
  if (__builtin_mul_overflow(millis, per_milli, &value)) {
    return Status::InvalidArgument("{} ms is out of range for {}", millis, c->type()->ToString());
  }
  c->Append(value);
  return Status::OK();
}

// A decimal given as a JSON number: integers are exact; a fraction is
// taken as the shortest text that reads back as the same double, which is
// what the writer wrote only when it had at most 15 significant digits.
Status AppendDecimalNumber(dom::element v, dom::element_type t, Column* c) {
  const Type& type = *c->type();
  char buf[64];
  std::to_chars_result end;
  if (t == dom::element_type::INT64) {
    end = std::to_chars(buf, buf + sizeof buf, v.get_int64().value_unsafe());
  } else if (t == dom::element_type::UINT64) {
    end = std::to_chars(buf, buf + sizeof buf, v.get_uint64().value_unsafe());
  } else {
    const double d = v.get_double().value_unsafe();
    end = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::fixed);
    int digits = 0;
    bool leading = true;
    for (const char* p = buf; p < end.ptr; ++p) {
      if (*p < '0' || *p > '9') continue;
      if (leading && *p == '0') continue;
      leading = false;
      ++digits;
    }
    // Trailing zeros of the integer part count (1e20 has 21 digits), so
    // this errs on the side of refusing.
    if (digits > 15) {
      return Status::InvalidArgument(
          "a {} given as a JSON number with more than 15 significant digits cannot be read "
          "exactly; send it as a string",
          type.ToString());
    }
  }
  FLOE_ASSIGN_OR_RETURN(Int128 value,
                        ParseDecimal(std::string_view(buf, static_cast<size_t>(end.ptr - buf)),
                                     type.precision(), type.scale()));
  c->Append(value);
  return Status::OK();
}

}  // namespace

class JsonDecoder::Impl {
 public:
  explicit Impl(size_t max_record_bytes)
      : max_record_bytes_(max_record_bytes), parser_(max_record_bytes) {}

  Status Parse(std::string_view json) {
    parsed_ = false;
    if (json.size() > max_record_bytes_) {
      return Status::InvalidArgument("record of {} bytes is larger than max_record_size {}",
                                     json.size(), max_record_bytes_);
    }
    if (!allocated_) {
      // Deep nesting the schema does not ask for is refused past the bound,
      // which keeps the parser's depth stack small.
      if (auto e = parser_.allocate(64 * 1024, kMaxJsonDepth)) return JsonError(e);
      allocated_ = true;
    }
    padded_.assign(json);
    padded_.resize(json.size() + simdjson::SIMDJSON_PADDING);
    dom::element doc;
    if (auto e = parser_.parse(padded_.data(), json.size(), /*realloc_if_needed=*/false).get(doc)) {
      return JsonError(e);
    }
    if (doc.get_object().get(object_)) {
      return Status::InvalidArgument("a record must be a JSON object, got {}",
                                     TypeName(doc.type()));
    }
    parsed_ = true;
    return Status::OK();
  }

  std::optional<std::string> Scalar(std::string_view path) {
    if (!parsed_) return std::nullopt;
    dom::element e;
    if (object_.at_pointer(path).get(e)) return std::nullopt;
    switch (e.type()) {
      case dom::element_type::STRING:
        return std::string(e.get_string().value_unsafe());
      case dom::element_type::INT64:
        return std::to_string(e.get_int64().value_unsafe());
      case dom::element_type::UINT64:
        return std::to_string(e.get_uint64().value_unsafe());
      case dom::element_type::BOOL:
        return e.get_bool().value_unsafe() ? "true" : "false";
      default:
        return std::nullopt;
    }
  }

  Status AppendParsed(RecordBatch* batch, bool unknown_keys_fail) {
    if (!parsed_) return Status::Internal("no parsed record to append");
    unknown_keys_fail_ = unknown_keys_fail;
    const int64_t row = batch->num_rows;
    Column* columns = batch->columns.data();
    Status status =
        AppendMembers(object_, batch->schema.fields(), row, [&](size_t i) { return &columns[i]; });
    if (!status.ok()) {
      for (Column& c : batch->columns) c.Truncate(row);
      return status;
    }
    ++batch->num_rows;
    return Status::OK();
  }

 private:
  // An object's keys into the columns of `fields` (column_of(i) is field
  // i's), each holding `row` slots before: a column already longer was
  // given twice.
  template <typename ColumnOf>
  Status AppendMembers(dom::object object, const std::vector<NestedField>& fields, int64_t row,
                       const ColumnOf& column_of) {
    size_t guess = 0;
    for (dom::key_value_pair member : object) {
      const size_t i = FindField(fields, member.key, &guess);
      if (i == fields.size()) {  // not in the schema: skipped, unless told otherwise
        if (unknown_keys_fail_ && !member.key.empty() && HasContent(member.value)) {
          return Status::NotFound("{} is not a field of the table", member.key);
        }
        continue;
      }
      Column* c = column_of(i);
      if (c->length() > row) return Status::InvalidArgument("field {} given twice", fields[i].name);
      FLOE_RETURN_IF_ERROR(AppendValue(member.value, fields[i], c).WithContext(fields[i].name));
    }
    for (size_t i = 0; i < fields.size(); ++i) {
      Column* c = column_of(i);
      if (c->length() > row) continue;
      if (fields[i].required) {
        return Status::InvalidArgument("required field {} is missing", fields[i].name);
      }
      c->AppendNull();
    }
    return Status::OK();
  }

  // Field positions by name; JSON keys mostly come in schema order, so the
  // one after the last match is tried first.
  static size_t FindField(const std::vector<NestedField>& fields, std::string_view key,
                          size_t* guess) {
    const size_t n = fields.size();
    if (*guess < n && fields[*guess].name == key) return (*guess)++;
    for (size_t i = 0; i < n; ++i) {
      if (fields[i].name == key) {
        *guess = i + 1;
        return i;
      }
    }
    return n;
  }

  // One value into c, a column of field's type.
  Status AppendValue(dom::element v, const NestedField& field, Column* c) {
    const dom::element_type t = v.type();
    const Type& type = *c->type();
    if (t == dom::element_type::NULL_VALUE) {
      if (field.required) return Status::InvalidArgument("is required, got null");
      c->AppendNull();
      return Status::OK();
    }
    switch (type.id()) {
      case TypeId::kBoolean:
        if (t != dom::element_type::BOOL) return WrongType(type, TypeName(t));
        c->Append<uint8_t>(v.get_bool().value_unsafe() ? 1 : 0);
        return Status::OK();
      case TypeId::kInt:
      case TypeId::kLong: {
        int64_t n = 0;
        if (t != dom::element_type::INT64) {
          if (t == dom::element_type::UINT64) {
            return Status::OutOfRange("{} is out of range for {}", v.get_uint64().value_unsafe(),
                                      type.ToString());
          }
          return WrongType(type, t == dom::element_type::DOUBLE ? "a fraction" : TypeName(t));
        }
        n = v.get_int64().value_unsafe();
        if (type.id() == TypeId::kLong) {
          c->Append(n);
        } else if (n < std::numeric_limits<int32_t>::min() ||
                   n > std::numeric_limits<int32_t>::max()) {
          return Status::OutOfRange("{} is out of range for int", n);
        } else {
          c->Append(static_cast<int32_t>(n));
        }
        return Status::OK();
      }
      case TypeId::kFloat:
      case TypeId::kDouble:
        if (!IsNumber(t) && t != dom::element_type::STRING) return WrongType(type, TypeName(t));
        return type.id() == TypeId::kFloat ? AppendFloat<float>(v, t, c)
                                           : AppendFloat<double>(v, t, c);
      case TypeId::kDecimal: {
        if (IsNumber(t)) return AppendDecimalNumber(v, t, c);
        if (t != dom::element_type::STRING) return WrongType(type, TypeName(t));
        FLOE_ASSIGN_OR_RETURN(
            Int128 d, ParseDecimal(v.get_string().value_unsafe(), type.precision(), type.scale()));
        c->Append(d);
        return Status::OK();
      }
      case TypeId::kStruct: {
        if (t != dom::element_type::OBJECT) return WrongType(type, TypeName(t));
        dom::object object;
        if (auto e = v.get_object().get(object)) return JsonError(e);
        FLOE_RETURN_IF_ERROR(AppendMembers(object, type.fields(), c->length(),
                                           [&](size_t i) { return &c->child(i); }));
        c->AppendStructSlot(true);
        return Status::OK();
      }
      case TypeId::kList: {
        if (t != dom::element_type::ARRAY) return WrongType(type, TypeName(t));
        const NestedField& element = type.fields()[0];
        dom::array array;
        if (auto e = v.get_array().get(array)) return JsonError(e);
        for (dom::element item : array) {
          FLOE_RETURN_IF_ERROR(AppendValue(item, element, &c->child(0)).WithContext("element"));
        }
        c->AppendListEnd();
        return Status::OK();
      }
      case TypeId::kMap: {
        if (t != dom::element_type::OBJECT) return WrongType(type, TypeName(t));
        if (type.fields()[0].type->id() != TypeId::kString) {
          return Status::InvalidArgument("a JSON object gives maps with string keys, not {}",
                                         type.ToString());
        }
        dom::object object;
        if (auto e = v.get_object().get(object)) return JsonError(e);
        for (dom::key_value_pair entry : object) {
          c->child(0).AppendBytes(entry.key);
          FLOE_RETURN_IF_ERROR(AppendValue(entry.value, type.fields()[1], &c->child(1))
                                   .WithContext(std::string(entry.key)));
        }
        c->AppendListEnd();
        return Status::OK();
      }
      default:
        break;
    }
    if (IsTimestamp(type.id()) && IsNumber(t)) return AppendTimestampMillis(v, c);
    if (t != dom::element_type::STRING) return WrongType(type, TypeName(t));
    const std::string_view text = v.get_string().value_unsafe();
    if (type.id() == TypeId::kString) {
      c->AppendBytes(text);
      return Status::OK();
    }
    return AppendValueFromText(text, c);
  }

  size_t max_record_bytes_;
  dom::parser parser_;
  bool allocated_ = false;
  std::string padded_;
  dom::object object_;  // the last record Parse read, while parsed_
  bool parsed_ = false;
  bool unknown_keys_fail_ = false;
};

JsonDecoder::JsonDecoder(size_t max_record_bytes)
    : impl_(std::make_unique<Impl>(max_record_bytes)) {}
JsonDecoder::~JsonDecoder() = default;
JsonDecoder::JsonDecoder(JsonDecoder&&) noexcept = default;
JsonDecoder& JsonDecoder::operator=(JsonDecoder&&) noexcept = default;

Status JsonDecoder::Parse(std::string_view json) {
  return impl_->Parse(json);
}

std::optional<std::string> JsonDecoder::Scalar(std::string_view pointer) {
  return impl_->Scalar(pointer);
}

Status JsonDecoder::AppendParsed(RecordBatch* batch, bool unknown_keys_fail) {
  return impl_->AppendParsed(batch, unknown_keys_fail);
}

}  // namespace floe::source
