#include "floe/stream/pipeline_config.h"

#include <gtest/gtest.h>

namespace floe::stream {
namespace {

std::string Errors(const std::vector<ConfigError>& errors) {
  std::string out;
  for (const ConfigError& e : errors) out += e.ToString() + "\n";
  return out;
}

TEST(PipelineConfigTest, ReadsAPipelineWithDefaults) {
  std::vector<ConfigError> errors;
  auto pipelines = ParsePipelines(R"(
name: edc_audit
source:
  kafka:
    bootstrap_servers: 127.0.0.1:9092
    topics: edc.audit
    properties: {security.protocol: SASL_SSL}
table:
  name: edc.audit_events
  schema:
    - {name: audit_id, type: long, required: true}
    - {name: ts, type: timestamptz}
    - {name: tags, type: list, element: string}
    - {name: attrs, type: map, key: string, value: {type: struct, fields: [{name: n, type: int}]}}
  partition_by: day(ts)
commit_interval: 250ms
memory_budget: 64MiB
)",
                                  &errors);
  ASSERT_TRUE(pipelines) << Errors(errors);
  ASSERT_EQ(pipelines->size(), 1u);
  const PipelineConfig& p = (*pipelines)[0];
  EXPECT_EQ(p.name, "edc_audit");
  EXPECT_EQ(p.kafka.topics, std::vector<std::string>{"edc.audit"});
  EXPECT_EQ(p.kafka.group_id, "floe-edc_audit");
  EXPECT_TRUE(p.kafka.start_at_earliest);
  EXPECT_EQ(p.kafka.properties.at("security.protocol"), "SASL_SSL");
  ASSERT_EQ(p.tables.size(), 1u);
  const TableConfig& table = p.tables[0];
  EXPECT_EQ(table.id.ToString(), "edc.audit_events");
  EXPECT_TRUE(p.route.empty());
  EXPECT_EQ(p.dead_letters.ToString(), "edc.audit_events__dlq");
  EXPECT_EQ(p.commit_interval.count(), 250);
  EXPECT_EQ(p.memory_budget_bytes, int64_t{64} << 20);
  ASSERT_TRUE(table.schema);
  EXPECT_EQ(table.schema->fields().size(), 4u);
  EXPECT_TRUE(table.schema->fields()[0].required);
  EXPECT_EQ(table.schema->fields()[3].type->ToString(), "map<string, struct<8: n: optional int>>");
  EXPECT_TRUE(table.schema->Validate().ok());
}

TEST(PipelineConfigTest, ReportsEveryErrorWithItsPath) {
  std::vector<ConfigError> errors;
  auto pipelines = ParsePipelines(R"(
pipelines:
  - name: ok
    source: {kafka: {bootstrap_servers: b, topics: [t]}}
    table: db.t
  - name: ok
    source: {kafka: {topics: [t], start: middle}}
    table: {name: "", schema: [{name: a, type: lnog}, {type: int}]}
    commit_interval: 50ms
    memory_budget: lots
    extra: 1
)",
                                  &errors);
  EXPECT_FALSE(pipelines);
  const std::string text = Errors(errors);
  for (const char* expected : {
           "pipelines[1].source.kafka.bootstrap_servers: required",
           "pipelines[1].source.kafka.start: expected earliest or latest",
           "pipelines[1].table.name:",
           "pipelines[1].table.schema[0].type: unknown type 'lnog'",
           "pipelines[1].table.schema[1].name: required",
           "pipelines[1].commit_interval: expected a duration of at least 100ms",
           "pipelines[1].memory_budget: expected a size",
           "pipelines[1].extra: unknown key",
           "pipelines[1].name: pipeline 'ok' is declared twice",
       }) {
    EXPECT_NE(text.find(expected), std::string::npos) << expected << " not in\n" << text;
  }
  errors.clear();
  EXPECT_FALSE(ParsePipelines("pipelines: [unclosed", &errors));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].message.find("not YAML"), std::string::npos);
}

TEST(PipelineConfigTest, RoutesOneTopicIntoSeveralTables) {
  std::vector<ConfigError> errors;
  auto pipelines = ParsePipelines(R"(
name: findings
source: {kafka: {bootstrap_servers: b, topics: [sdtm.findings]}}
route: source.DOMAIN
tables:
  - {name: sdtm.vs, when: VS}
  - {name: sdtm.lb, when: LB}
)",
                                  &errors);
  ASSERT_TRUE(pipelines) << Errors(errors);
  const PipelineConfig& p = (*pipelines)[0];
  EXPECT_EQ(p.route, "/source/DOMAIN");
  ASSERT_EQ(p.tables.size(), 2u);
  EXPECT_EQ(p.tables[1].when, "LB");
  EXPECT_EQ(p.dead_letters.ToString(), "sdtm.findings__dlq");
  errors.clear();
  EXPECT_FALSE(ParsePipelines(R"(
name: findings
source: {kafka: {bootstrap_servers: b, topics: [t]}}
tables: [{name: a.x, when: VS}, {name: a.y, when: VS}, {name: a.x}]
)",
                              &errors));
  const std::string text = Errors(errors);
  for (const char* expected :
       {"route: several tables need a route", "tables[1].when: 'VS' picks two",
        "tables[2].name: a.x is listed twice", "tables[0].when: needs a route"}) {
    EXPECT_NE(text.find(expected), std::string::npos) << expected << " not in\n" << text;
  }
}

TEST(PipelineConfigTest, InferredAndEvolvingSchemas) {
  std::vector<ConfigError> errors;
  auto pipelines = ParsePipelines(R"(
name: p
source: {kafka: {bootstrap_servers: b, topics: [t]}}
route: kind
tables:
  - {name: a.inferred, when: x, schema: infer}
  - {name: a.fixed, when: y, schema: infer, evolve_schema: false}
  - {name: a.declared, when: z, schema: [{name: id, type: long}], evolve_schema: true}
  - {name: a.plain, when: w, schema: [{name: id, type: long}]}
)",
                                  &errors);
  ASSERT_TRUE(pipelines) << Errors(errors);
  const std::vector<TableConfig>& t = (*pipelines)[0].tables;
  EXPECT_TRUE(t[0].infer_schema && t[0].evolve_schema);
  EXPECT_TRUE(t[1].infer_schema && !t[1].evolve_schema);
  EXPECT_TRUE(!t[2].infer_schema && t[2].evolve_schema && t[2].schema);
  EXPECT_TRUE(!t[3].infer_schema && !t[3].evolve_schema);
  errors.clear();
  EXPECT_FALSE(ParsePipelines(R"yaml(
name: p
source: {kafka: {bootstrap_servers: b, topics: [t]}}
table: {name: a.x, schema: guess, partition_by: "bucket(2, id)"}
)yaml",
                              &errors));
  const std::string text = Errors(errors);
  for (const char* expected :
       {"table.schema: expected a list of fields, or `infer`", "table.partition_by: needs"}) {
    EXPECT_NE(text.find(expected), std::string::npos) << expected << " not in\n" << text;
  }
  errors.clear();
  EXPECT_FALSE(ParsePipelines(R"yaml(
name: p
source: {kafka: {bootstrap_servers: b, topics: [t]}}
input: [{name: raw, type: string}]
transform: [{set: {id: "CAST(raw AS long)"}}]
table: {name: a.x, schema: infer}
)yaml",
                              &errors));
  EXPECT_NE(Errors(errors).find(
                "table: schema: infer and evolve_schema need a pipeline without transforms"),
            std::string::npos)
      << Errors(errors);
}

TEST(PipelineConfigTest, ParsesSizesAndDurations) {
  EXPECT_EQ(ParseByteSize("4096"), 4096);
  EXPECT_EQ(ParseByteSize("128MiB"), int64_t{128} << 20);
  EXPECT_EQ(ParseByteSize("1GB"), 1000000000);
  EXPECT_FALSE(ParseByteSize("1.5MiB"));
  EXPECT_FALSE(ParseByteSize("-1"));
  EXPECT_FALSE(ParseByteSize("99999999999999GiB"));
  EXPECT_EQ(ParseDuration("100ms")->count(), 100);
  EXPECT_EQ(ParseDuration("2s")->count(), 2000);
  EXPECT_EQ(ParseDuration("1m")->count(), 60000);
  EXPECT_FALSE(ParseDuration("1h"));
  EXPECT_FALSE(ParseDuration("s"));
}

}  // namespace
}  // namespace floe::stream
