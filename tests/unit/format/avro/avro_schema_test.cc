#include "floe/format/avro/avro_schema.h"

#include <gtest/gtest.h>

namespace floe::avro {
namespace {

// An Iceberg-style manifest entry schema (abridged): field ids, element ids,
// key/value ids, logical types, defaults, docs and a named-type reference.
constexpr const char* kManifestSchema = R"({"type":"record","name":"manifest_entry","fields":[
  {"name":"status","type":"int","field-id":0},
  {"name":"snapshot_id","type":["null","long"],"default":null,"field-id":1},
  {"name":"data_file","type":{"type":"record","name":"r2","fields":[
    {"name":"file_path","type":"string","doc":"Location URI with FS scheme","field-id":100},
    {"name":"partition","type":{"type":"record","name":"r102","fields":[
      {"name":"day","type":["null",{"type":"int","logicalType":"date"}],"default":null,"field-id":1000}]},
     "field-id":102},
    {"name":"column_sizes","type":["null",{"type":"array","items":{"type":"record","name":"k117_v118",
      "fields":[{"name":"key","type":"int","field-id":117},{"name":"value","type":"long","field-id":118}]},
      "logicalType":"map"}],"default":null,"field-id":108},
    {"name":"tags","type":{"type":"map","values":"string","key-id":7,"value-id":8},"field-id":109},
    {"name":"ids","type":{"type":"array","items":"int","element-id":136},"field-id":135},
    {"name":"amount","type":{"type":"fixed","name":"dec","size":5,"logicalType":"decimal","precision":10,"scale":2},"field-id":140},
    {"name":"ts","type":{"type":"long","logicalType":"timestamp-micros","adjust-to-utc":true},"field-id":141},
    {"name":"u","type":{"type":"string","logicalType":"uuid"},"field-id":142},
    {"name":"again","type":["null","r102"],"default":null,"field-id":143}
  ]},"field-id":2}]})";

TEST(AvroSchemaTest, ParsesAndWritesBackEveryAttribute) {
  auto schema = ParseAvroSchema(kManifestSchema);
  ASSERT_TRUE(schema.ok()) << schema.status().ToString();
  const AvroNode& root = schema->root_node();
  ASSERT_EQ(root.type, AvroType::kRecord);
  EXPECT_EQ(root.full_name, "manifest_entry");
  ASSERT_EQ(root.fields.size(), 3u);
  EXPECT_EQ(root.fields[0].attributes, (std::vector<Attribute>{{"field-id", "0"}}));
  EXPECT_EQ(root.fields[1].default_json, "null");
  const AvroNode& data_file = schema->node(root.fields[2].node);
  EXPECT_EQ(data_file.fields[0].doc, "Location URI with FS scheme");
  const AvroNode& tags = schema->node(data_file.fields[3].node);
  EXPECT_EQ(tags.type, AvroType::kMap);
  EXPECT_EQ(tags.attributes, (std::vector<Attribute>{{"key-id", "7"}, {"value-id", "8"}}));
  const AvroNode& amount = schema->node(data_file.fields[5].node);
  EXPECT_EQ(amount.logical_type, "decimal");
  EXPECT_EQ(amount.precision, 10);
  EXPECT_EQ(amount.scale, 2);
  EXPECT_EQ(amount.fixed_size, 5);
  // The reference resolves to the same node as the definition.
  const AvroNode& again = schema->node(data_file.fields[8].node);
  EXPECT_EQ(again.children[1], data_file.fields[1].node);

  const std::string json = AvroSchemaToJson(*schema);
  for (const char* needle :
       {R"("field-id":143)", R"("element-id":136)", R"("key-id":7,"value-id":8)",
        R"("logicalType":"timestamp-micros","adjust-to-utc":true)", R"("default":null)",
        R"("logicalType":"decimal","precision":10,"scale":2)", R"("type":["null","r102"])",
        R"("logicalType":"map")", R"("doc":"Location URI with FS scheme")"}) {
    EXPECT_NE(json.find(needle), std::string::npos) << needle << " missing from " << json;
  }
  // Writing is a fixed point.
  auto again_schema = ParseAvroSchema(json);
  ASSERT_TRUE(again_schema.ok()) << again_schema.status().ToString();
  EXPECT_EQ(AvroSchemaToJson(*again_schema), json);
}

TEST(AvroSchemaTest, NamespacesAndRecursion) {
  auto s = ParseAvroSchema(R"({"type":"record","name":"Node","namespace":"a.b","fields":[
      {"name":"value","type":"long"},
      {"name":"next","type":["null","Node"]},
      {"name":"e","type":{"type":"enum","name":"E","symbols":["X","Y"],"default":"Y"}},
      {"name":"e2","type":"a.b.E"}]})");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->root_node().full_name, "a.b.Node");
  const AvroNode& next = s->node(s->root_node().fields[1].node);
  EXPECT_EQ(next.children[1], s->root);
  EXPECT_EQ(s->root_node().fields[3].node, s->root_node().fields[2].node);
  EXPECT_EQ(s->node(s->root_node().fields[2].node).full_name, "a.b.E");
}

TEST(AvroSchemaTest, PrimitivesAreWrittenAsStrings) {
  auto s = ParseAvroSchema(R"({"type":"string"})");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(AvroSchemaToJson(*s), R"("string")");
  auto u = ParseAvroSchema(R"(["null","int","bytes"])");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(AvroSchemaToJson(*u), R"(["null","int","bytes"])");
}

TEST(AvroSchemaTest, RejectsMalformedSchemas) {
  const char* bad[] = {
      R"("integer")",
      R"({"type":"record","name":"r","fields":[{"name":"a","type":"nope"}]})",
      R"({"type":"record","name":"r","fields":[{"name":"a","type":"int"},{"name":"a","type":"int"}]})",
      R"({"type":"record","name":"r","fields":[{"name":"a","type":{"type":"record","name":"r","fields":[]}}]})",
      R"({"type":"record","name":"r","fields":[{"name":"a","type":"int","default":"x"}]})",
      R"({"type":"record","name":"r","fields":[{"name":"a","type":"int","default":4294967296}]})",
      R"({"type":"record","name":"r","fields":[{"name":"a","type":["null","int"],"default":[]}]})",
      R"({"type":"enum","name":"e","symbols":["A","A"]})",
      R"({"type":"enum","name":"e","symbols":["A"],"default":"B"})",
      R"({"type":"fixed","name":"f","size":-1})",
      R"({"type":"fixed","name":"f"})",
      R"(["int","int"])",
      R"(["null",["int"]])",
      R"([])",
      R"({"type":"array"})",
      R"({"type":"bytes","logicalType":"decimal","precision":2,"scale":3})",
      R"({"type":"record","name":"1r","fields":[]})",
      R"({"type":"record","name":"int","fields":[]})",
      R"({"type":"record","name":"r"})",
      R"(42)",
      R"({"type":)",
  };
  for (const char* json : bad) {
    auto s = ParseAvroSchema(json);
    EXPECT_FALSE(s.ok()) << json;
    if (!s.ok()) {
      EXPECT_EQ(s.status().code(), StatusCode::kInvalidArgument) << json;
    }
  }
  auto msg =
      ParseAvroSchema(R"({"type":"record","name":"r","fields":[{"name":"a","type":"nope"}]})");
  EXPECT_NE(msg.status().message().find("record r field a: unknown type \"nope\""),
            std::string::npos)
      << msg.status().ToString();
}

TEST(AvroSchemaTest, LimitsNesting) {
  std::string deep;
  for (int i = 0; i < 200; ++i) deep += R"({"type":"array","items":)";
  deep += R"("int")";
  for (int i = 0; i < 200; ++i) deep += "}";
  EXPECT_FALSE(ParseAvroSchema(deep).ok());
  std::string ok;
  for (int i = 0; i < 10; ++i) ok += R"({"type":"array","items":)";
  ok += R"("int")";
  for (int i = 0; i < 10; ++i) ok += "}";
  EXPECT_TRUE(ParseAvroSchema(ok).ok());
}

TEST(AvroSchemaTest, MinEncodedSizes) {
  auto s = ParseAvroSchema(R"({"type":"record","name":"r","fields":[
      {"name":"a","type":"null"},{"name":"b","type":"double"},
      {"name":"c","type":{"type":"fixed","name":"f","size":3}},{"name":"d","type":["null","r"]}]})");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(MinEncodedSizes(*s)[static_cast<size_t>(s->root)], 12);
}

}  // namespace
}  // namespace floe::avro
