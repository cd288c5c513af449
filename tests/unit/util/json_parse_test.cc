#include "floe/util/json_parse.h"

#include <gtest/gtest.h>

#include <string>

#include "floe/schema/schema.h"

namespace floe {
namespace {

std::string Nested(int depth) {
  return std::string(static_cast<size_t>(depth), '[') +
         std::string(static_cast<size_t>(depth), ']');
}

TEST(JsonParseTest, DepthCountsArraysAndObjectsButNotStrings) {
  EXPECT_EQ(JsonNestingDepth("1"), 0);
  EXPECT_EQ(JsonNestingDepth(R"({"a": [1, {"b": []}]})"), 4);
  EXPECT_EQ(JsonNestingDepth(R"(["[[[[", "\"{{{{"])"),
            1);  // brackets inside strings, escaped quotes
  EXPECT_EQ(JsonNestingDepth(Nested(1000)), kMaxJsonDepth + 1);  // the scan stops past the bound
}

TEST(JsonParseTest, SixtyFourLevelsParseAndSixtyFiveAreRefused) {
  EXPECT_TRUE(ParseJson(Nested(kMaxJsonDepth), "doc").ok());
  auto deep = ParseJson(Nested(kMaxJsonDepth + 1), "doc");
  EXPECT_EQ(deep.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(deep.status().message(), "doc: JSON nested deeper than 64 levels");
  EXPECT_EQ(ParseJson("{", "doc").status().message(), "doc: not valid JSON");
  EXPECT_TRUE(ParseJsonOrDiscarded(Nested(kMaxJsonDepth + 1)).is_discarded());
}

// Issue 11, item 1: a schema nesting lists 200,000 deep (about 14 MB) used
// to overflow the stack of the recursive type walk after the parse.
TEST(JsonParseTest, AVeryDeepSchemaIsRefusedNotOverflowed) {
  const std::string head = R"({"type":"list","element-id":2,"element-required":false,"element":)";
  std::string text = R"({"type":"struct","fields":[{"id":1,"name":"a","required":false,"type":)";
  for (int i = 0; i < 200'000; ++i) text += head;
  text += R"("int")";
  text.append(200'000, '}');
  text += "}]}";
  auto schema = SchemaFromJson(text);
  EXPECT_EQ(schema.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(schema.status().message().find("nested deeper than 64"), std::string::npos);
}

}  // namespace
}  // namespace floe
