// JsonWriter: compact JSON text written straight into a string, for
// documents that are large and hot (table metadata with thousands of
// snapshots, written on every commit and sent on every load): no DOM, no
// allocation per value. Commas are placed by the writer; the caller pairs
// Begin/End calls and puts a Key before each member of an object.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace floe {

class JsonWriter {
 public:
  JsonWriter& BeginObject();
  JsonWriter& EndObject();
  JsonWriter& BeginArray();
  JsonWriter& EndArray();
  JsonWriter& Key(std::string_view key);

  JsonWriter& String(std::string_view value);
  JsonWriter& Int(int64_t value);
  JsonWriter& Bool(bool value);
  JsonWriter& Null();
  // A value that is JSON text already (from another writer or a DOM's dump).
  JsonWriter& Raw(std::string_view json);

  // Key(key) followed by the value.
  JsonWriter& Member(std::string_view key, std::string_view value) {
    return Key(key).String(value);
  }
  JsonWriter& Member(std::string_view key, const char* value) { return Key(key).String(value); }
  JsonWriter& Member(std::string_view key, int64_t value) { return Key(key).Int(value); }

  const std::string& text() const { return out_; }
  std::string Take() { return std::move(out_); }

 private:
  void BeforeValue();
  // Writes `s` as a JSON string: quotes, backslashes and control characters
  // escaped; bytes that are not valid UTF-8 become U+FFFD, so the output is
  // always valid JSON.
  void Quoted(std::string_view s);

  std::string out_;
  std::vector<bool> first_;  // per open container: no member written yet
  bool after_key_ = false;
};

}  // namespace floe
