#include "floe/gen/clinical_avro.h"

#include "floe/format/avro/avro_datum.h"
#include "floe/format/avro/avro_value_json.h"
#include "floe/source/writer_schemas.h"

namespace floe::gen {
namespace {

constexpr std::string_view kAuditSchema = R"avsc({
  "type": "record", "name": "AuditEvent", "namespace": "floe.clinical.edc",
  "doc": "One EDC audit trail event (ODM-like)",
  "fields": [
    {"name": "audit_id", "type": "long"},
    {"name": "subcategory", "type": "string"},
    {"name": "transaction_type",
     "type": {"type": "enum", "name": "TransactionType", "symbols": ["Insert", "Update", "Remove"]}},
    {"name": "study_oid", "type": "string"},
    {"name": "site_id", "type": "string"},
    {"name": "subject_key", "type": "string"},
    {"name": "event_oid", "type": "string"},
    {"name": "form_oid", "type": "string"},
    {"name": "item_group_oid", "type": "string"},
    {"name": "item_oid", "type": "string"},
    {"name": "value", "type": "string"},
    {"name": "reason_for_change", "type": ["null", "string"], "default": null},
    {"name": "user_oid", "type": "string"},
    {"name": "audit_ts", "type": "string"},
    {"name": "produced_at", "type": "long"}
  ]})avsc";

constexpr std::string_view kFindingsSchema = R"avsc({
  "type": "record", "name": "Finding", "namespace": "floe.clinical.sdtm",
  "doc": "An SDTM-like vital sign (VS), lab result (LB) or adverse event (AE)",
  "fields": [
    {"name": "STUDYID", "type": "string"},
    {"name": "DOMAIN", "type": "string"},
    {"name": "USUBJID", "type": "string"},
    {"name": "SITEID", "type": "string"},
    {"name": "SEQ", "type": "long"},
    {"name": "TESTCD", "type": "string"},
    {"name": "TEST", "type": "string"},
    {"name": "ORRES", "type": "string"},
    {"name": "ORRESU", "type": ["null", "string"], "default": null},
    {"name": "STRESN", "type": ["null", "double"], "default": null},
    {"name": "DTC", "type": "string"},
    {"name": "produced_at", "type": "long"}
  ]})avsc";

constexpr std::string_view kEhrSchema = R"avsc({
  "type": "record", "name": "Observation", "namespace": "floe.clinical.ehr",
  "doc": "A FHIR-Observation-like EHR record",
  "fields": [
    {"name": "resourceType", "type": "string"},
    {"name": "id", "type": "string"},
    {"name": "status", "type": "string"},
    {"name": "category", "type": {"type": "array", "items": {
      "type": "record", "name": "Category", "fields": [
        {"name": "coding", "type": {"type": "array", "items": {
          "type": "record", "name": "CategoryCoding", "fields": [
            {"name": "system", "type": "string"}, {"name": "code", "type": "string"}]}}}]}}},
    {"name": "code", "type": {"type": "record", "name": "CodeableConcept", "fields": [
      {"name": "coding", "type": {"type": "array", "items": {
        "type": "record", "name": "Coding", "fields": [
          {"name": "system", "type": "string"}, {"name": "code", "type": "string"},
          {"name": "display", "type": "string"}]}}},
      {"name": "text", "type": "string"}]}},
    {"name": "subject", "type": {"type": "record", "name": "Reference", "fields": [
      {"name": "reference", "type": "string"}]}},
    {"name": "effectiveDateTime", "type": "string"},
    {"name": "valueQuantity", "type": {"type": "record", "name": "Quantity", "fields": [
      {"name": "value", "type": "double"}, {"name": "unit", "type": "string"},
      {"name": "system", "type": "string"}]}},
    {"name": "performer", "type": {"type": "array", "items": "Reference"}},
    {"name": "note", "type": {"type": "array", "items": {
      "type": "record", "name": "Annotation", "fields": [{"name": "text", "type": "string"}]}}},
    {"name": "produced_at", "type": "long"}
  ]})avsc";

}  // namespace

std::string_view ClinicalAvroSchema(std::string_view topic) {
  if (topic == kAuditTopic) return kAuditSchema;
  if (topic == kFindingsTopic) return kFindingsSchema;
  if (topic == kEhrTopic) return kEhrSchema;
  return {};
}

Result<ClinicalAvroEncoder> ClinicalAvroEncoder::Make(std::map<std::string, int32_t> schema_ids) {
  ClinicalAvroEncoder out;
  for (const std::string_view topic : {kAuditTopic, kFindingsTopic, kEhrTopic}) {
    Topic& t = out.topics_[std::string(topic)];
    auto id = schema_ids.find(std::string(topic));
    if (id == schema_ids.end()) return Status::InvalidArgument("no schema id for {}", topic);
    t.id = id->second;
    FLOE_ASSIGN_OR_RETURN(t.schema, avro::ParseAvroSchema(ClinicalAvroSchema(topic)));
  }
  return out;
}

Status ClinicalAvroEncoder::Encode(const GeneratedRecord& record, std::string* wire) const {
  auto it = topics_.find(record.topic);
  if (it == topics_.end()) return Status::InvalidArgument("no Avro schema for {}", record.topic);
  const Topic& t = it->second;
  FLOE_ASSIGN_OR_RETURN(avro::AvroValue value, avro::AvroValueFromJson(t.schema, record.value));
  *wire = source::WireFormatHeader(t.id);
  FLOE_RETURN_IF_ERROR(avro::EncodeDatum(t.schema, value, wire));
  if (record.bad == "bad-avro") {
    wire->resize(5 + (wire->size() - 5) / 2);
  } else if (record.bad == "bad-header") {
    (*wire)[0] = 1;
  }
  return Status::OK();
}

}  // namespace floe::gen
