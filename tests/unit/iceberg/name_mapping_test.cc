#include "floe/iceberg/name_mapping.h"

#include <gtest/gtest.h>

namespace floe::iceberg {
namespace {

TEST(NameMappingTest, ParsesTheSpecsForm) {
  auto mapping = NameMapping::Parse(
      R"([{"field-id": 1, "names": ["id", "record_id"]},
          {"names": ["dropped"]},
          {"field-id": 2, "names": ["data"],
           "fields": [{"field-id": 3, "names": ["x"]}, {"field-id": null, "names": []}]}])");
  ASSERT_TRUE(mapping.ok()) << mapping.status().ToString();
  ASSERT_EQ(mapping->fields().size(), 3u);
  EXPECT_EQ(*mapping->NamesOf(1), (std::vector<std::string>{"id", "record_id"}));
  EXPECT_FALSE(mapping->fields()[1].field_id.has_value());
  EXPECT_EQ(mapping->fields()[2].fields[0], (MappedField{3, {"x"}, {}}));
  EXPECT_FALSE(mapping->fields()[2].fields[1].field_id.has_value());
  EXPECT_EQ(mapping->NamesOf(3), nullptr);  // nested ids are not top-level names
  EXPECT_EQ(mapping->NamesOf(9), nullptr);
}

TEST(NameMappingTest, RejectsMalformedMappings) {
  for (const char* bad : {"", "{}", "[1]", R"([{"field-id": 1}])", R"([{"names": "id"}])",
                          R"([{"field-id": "1", "names": ["id"]}])", R"([{"names": [1]}])",
                          R"([{"names": ["a"], "fields": {}}])", "[{\"names\": [\"a\"]"}) {
    auto mapping = NameMapping::Parse(bad);
    EXPECT_EQ(mapping.status().code(), StatusCode::kCorruption) << bad;
  }
  std::string deep = R"({"names": ["a"]})";
  for (int i = 0; i < 100; ++i) deep = R"({"names": ["a"], "fields": [)" + deep + "]}";
  EXPECT_EQ(NameMapping::Parse("[" + deep + "]").status().code(), StatusCode::kCorruption);
}

TEST(NameMappingTest, ComesFromTheTableProperty) {
  TableMetadata m;
  EXPECT_FALSE(DefaultNameMapping(m)->has_value());
  m.properties["schema.name-mapping.default"] = R"([{"field-id": 4, "names": ["ts"]}])";
  auto mapping = DefaultNameMapping(m);
  ASSERT_TRUE(mapping.ok() && mapping->has_value());
  EXPECT_EQ(*(*mapping)->NamesOf(4), std::vector<std::string>{"ts"});
  m.properties["schema.name-mapping.default"] = "nope";
  EXPECT_NE(DefaultNameMapping(m).status().message().find("schema.name-mapping.default"),
            std::string::npos);
}

}  // namespace
}  // namespace floe::iceberg
