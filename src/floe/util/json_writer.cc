#include "floe/util/json_writer.h"

#include <charconv>

#include "floe/util/strings.h"

namespace floe {

void JsonWriter::BeforeValue() {
  if (after_key_) {
    after_key_ = false;
    return;
  }
  if (!first_.empty()) {
    if (!first_.back()) out_.push_back(',');
    first_.back() = false;
  }
}

JsonWriter& JsonWriter::BeginObject() {
  BeforeValue();
  out_.push_back('{');
  first_.push_back(true);
  return *this;
}

JsonWriter& JsonWriter::EndObject() {
  out_.push_back('}');
  first_.pop_back();
  return *this;
}

JsonWriter& JsonWriter::BeginArray() {
  BeforeValue();
  out_.push_back('[');
  first_.push_back(true);
  return *this;
}

JsonWriter& JsonWriter::EndArray() {
  out_.push_back(']');
  first_.pop_back();
  return *this;
}

JsonWriter& JsonWriter::Key(std::string_view key) {
  BeforeValue();
  Quoted(key);
  out_.push_back(':');
  after_key_ = true;
  return *this;
}

JsonWriter& JsonWriter::String(std::string_view value) {
  BeforeValue();
  Quoted(value);
  return *this;
}

JsonWriter& JsonWriter::Int(int64_t value) {
  BeforeValue();
  char digits[24];
  const auto end = std::to_chars(digits, digits + sizeof(digits), value).ptr;
  out_.append(digits, end);
  return *this;
}

JsonWriter& JsonWriter::Bool(bool value) {
  BeforeValue();
  out_.append(value ? "true" : "false");
  return *this;
}

JsonWriter& JsonWriter::Null() {
  BeforeValue();
  out_.append("null");
  return *this;
}

JsonWriter& JsonWriter::Raw(std::string_view json) {
  BeforeValue();
  out_.append(json);
  return *this;
}

void JsonWriter::Quoted(std::string_view s) {
  out_.push_back('"');
  size_t plain = 0;  // start of the bytes not yet copied
  for (size_t i = 0; i < s.size();) {
    const auto b = static_cast<unsigned char>(s[i]);
    if (b >= 0x20 && b != '"' && b != '\\' && b < 0x80) {
      ++i;
      continue;
    }
    const size_t n = b < 0x80 ? 1 : Utf8SequenceLength(s, i);
    if (n > 1) {  // valid multi-byte UTF-8 is copied as is
      i += n;
      continue;
    }
    out_.append(s.substr(plain, i - plain));
    if (n == 0) {
      out_.append("\\ufffd");
    } else if (b == '"' || b == '\\') {
      out_.push_back('\\');
      out_.push_back(static_cast<char>(b));
    } else if (b == '\n') {
      out_.append("\\n");
    } else if (b == '\t') {
      out_.append("\\t");
    } else if (b == '\r') {
      out_.append("\\r");
    } else {
      static constexpr char kHex[] = "0123456789abcdef";
      out_.append("\\u00");
      out_.push_back(kHex[b >> 4]);
      out_.push_back(kHex[b & 15]);
    }
    plain = ++i;
  }
  out_.append(s.substr(plain));
  out_.push_back('"');
}

}  // namespace floe
