#include "floe/util/json_writer.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace floe {
namespace {

TEST(JsonWriterTest, PlacesCommasAndNests) {
  JsonWriter w;
  w.BeginObject().Member("a", int64_t{1}).Key("b").BeginArray();
  w.Int(-2).String("x").Bool(true).Null().BeginObject().EndObject().BeginArray().EndArray();
  w.EndArray().Member("c", "d").Key("e").Raw(R"({"f":[1]})").EndObject();
  EXPECT_EQ(w.text(), R"({"a":1,"b":[-2,"x",true,null,{},[]],"c":"d","e":{"f":[1]}})");
}

TEST(JsonWriterTest, EscapesStringsAndReplacesInvalidUtf8) {
  JsonWriter w;
  w.BeginArray().String("q\"b\\n\nt\tr\r\x01\x7f").String("caf\xc3\xa9 \xf0\x9f\x90\x9f");
  w.String("bad\xff\xc3").String(std::string_view("nul\0x", 5)).EndArray();
  EXPECT_EQ(w.text(),
            "[\"q\\\"b\\\\n\\nt\\tr\\r\\u0001\x7f\",\"caf\xc3\xa9 \xf0\x9f\x90\x9f\","
            "\"bad\\ufffd\\ufffd\",\"nul\\u0000x\"]");
  // Whatever the input, the output is JSON that reads back.
  const auto parsed = nlohmann::json::parse(w.text());
  EXPECT_EQ(parsed[0].get<std::string>(), "q\"b\\n\nt\tr\r\x01\x7f");
  EXPECT_EQ(parsed[2].get<std::string>(), "bad\xef\xbf\xbd\xef\xbf\xbd");
  EXPECT_EQ(parsed[3].get<std::string>(), std::string("nul\0x", 5));
}

TEST(JsonWriterTest, WritesExtremeIntegers) {
  JsonWriter w;
  w.BeginArray().Int(INT64_MIN).Int(INT64_MAX).Int(0).EndArray();
  EXPECT_EQ(w.text(), "[-9223372036854775808,9223372036854775807,0]");
}

}  // namespace
}  // namespace floe
