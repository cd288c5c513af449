#include "floe/source/writer_schemas.h"

#include "floe/util/json_parse.h"

namespace floe::source {

Result<std::shared_ptr<const WriterSchema>> WriterSchema::Parse(int32_t id, std::string_view json) {
  auto out = std::make_shared<WriterSchema>();
  out->id = id;
  FLOE_ASSIGN_OR_RETURN(out->schema, avro::ParseAvroSchema(json));
  out->min_sizes = avro::MinEncodedSizes(out->schema);
  return std::shared_ptr<const WriterSchema>(std::move(out));
}

Result<std::unique_ptr<SchemaRegistry>> SchemaRegistry::Open(std::string_view url) {
  FLOE_ASSIGN_OR_RETURN(auto http, HttpClient::Make(url, std::chrono::seconds(10)));
  return std::unique_ptr<SchemaRegistry>(new SchemaRegistry(std::move(http)));
}

namespace {

// The registry's error body, {"error_code": 40403, "message": "..."}, as text.
std::string RegistryMessage(const HttpResult& r) {
  nlohmann::json body = ParseJsonOrDiscarded(r.body);
  if (body.is_object() && body.contains("message") && body["message"].is_string()) {
    return body["message"].get<std::string>();
  }
  return r.body.substr(0, 200);
}

}  // namespace

Result<std::shared_ptr<const WriterSchema>> SchemaRegistry::Find(int32_t id) {
  if (auto it = cache_.find(id); it != cache_.end()) return it->second;
  Result<HttpResult> answer = http_->Send("GET", "/schemas/ids/" + std::to_string(id));
  if (!answer.ok()) {
    return Status::Unavailable("schema registry {}: {}", http_->base(), answer.status().message());
  }
  const HttpResult& r = *answer;
  if (r.status == 404) {
    return Status::NotFound("schema id {} is not in the registry: {}", id, RegistryMessage(r));
  }
  if (r.status != 200) {
    // 5xx and anything unexpected: the registry's trouble, not the record's.
    return Status::Unavailable("schema registry {} answered {} for schema id {}: {}", http_->base(),
                               r.status, id, RegistryMessage(r));
  }
  Result<nlohmann::json> body = ParseJson(r.body, "the schema registry's answer");
  if (!body.ok() || !body->is_object() || !body->contains("schema") ||
      !(*body)["schema"].is_string()) {
    return Status::Unavailable("schema registry {}: schema id {}: not a schema answer",
                               http_->base(), id);
  }
  if (body->contains("schemaType") && (*body)["schemaType"] != "AVRO") {
    return Status::NotFound("schema id {} is a {} schema, not Avro", id,
                            (*body)["schemaType"].dump());
  }
  Result<std::shared_ptr<const WriterSchema>> schema =
      WriterSchema::Parse(id, (*body)["schema"].get<std::string>());
  if (!schema.ok()) {
    return Status::NotFound("schema id {} is not a valid Avro schema: {}", id,
                            schema.status().message());
  }
  cache_[id] = *schema;
  return *schema;
}

Result<int32_t> SchemaRegistry::Register(std::string_view subject, std::string_view schema_json) {
  const std::string body = nlohmann::json{{"schema", schema_json}}.dump();
  FLOE_ASSIGN_OR_RETURN(
      HttpResult r, http_->Send("POST", "/subjects/" + PercentEncode(subject) + "/versions", body));
  if (r.status != 200) {
    return Status::InvalidArgument("schema registry {} refused the schema for {}: {} {}",
                                   http_->base(), subject, r.status, RegistryMessage(r));
  }
  nlohmann::json answer = ParseJsonOrDiscarded(r.body);
  if (!answer.is_object() || !answer.contains("id") || !answer["id"].is_number_integer()) {
    return Status::Corruption("schema registry {}: no id in {}", http_->base(), r.body);
  }
  return answer["id"].get<int32_t>();
}

Status SplitWireFormat(std::string_view value, int32_t* schema_id, std::string_view* datum) {
  if (value.size() < 5) {
    return Status::Corruption("not in the Confluent wire format: {} bytes, the header alone is 5",
                              value.size());
  }
  if (value[0] != 0) {
    return Status::Corruption("not in the Confluent wire format: magic byte {}, not 0",
                              static_cast<int>(static_cast<uint8_t>(value[0])));
  }
  uint32_t id = 0;
  for (int i = 1; i < 5; ++i) id = id << 8 | static_cast<uint8_t>(value[static_cast<size_t>(i)]);
  *schema_id = static_cast<int32_t>(id);
  *datum = value.substr(5);
  return Status::OK();
}

std::string WireFormatHeader(int32_t schema_id) {
  const auto id = static_cast<uint32_t>(schema_id);
  return std::string{'\0', static_cast<char>(id >> 24), static_cast<char>(id >> 16),
                     static_cast<char>(id >> 8), static_cast<char>(id)};
}

}  // namespace floe::source
