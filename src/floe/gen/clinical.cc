#include "floe/gen/clinical.h"

#include <fmt/format.h>

#include "floe/util/json_writer.h"
#include "floe/util/temporal.h"

namespace floe::gen {
namespace {

constexpr int64_t kStartMicros = int64_t{1767225600} * 1000000;  // 2026-01-01T00:00:00Z

// A measurement: its code, name and unit, and the range values fall in.
struct Measure {
  const char* code;
  const char* name;
  const char* unit;
  double low, high;
};
constexpr Measure kVitals[] = {{"SYSBP", "Systolic Blood Pressure", "mmHg", 95, 175},
                               {"DIABP", "Diastolic Blood Pressure", "mmHg", 55, 105},
                               {"PULSE", "Pulse Rate", "beats/min", 48, 120},
                               {"TEMP", "Temperature", "C", 35.8, 39.5},
                               {"WEIGHT", "Weight", "kg", 45, 130}};
constexpr Measure kLabs[] = {{"ALT", "Alanine Aminotransferase", "U/L", 5, 120},
                             {"GLUC", "Glucose", "mmol/L", 3.2, 11.5},
                             {"HGB", "Hemoglobin", "g/dL", 9.5, 17.5},
                             {"CREAT", "Creatinine", "umol/L", 45, 160}};
constexpr const char* kAdverseEvents[] = {"HEADACHE",  "NAUSEA", "FATIGUE",
                                          "DIZZINESS", "RASH",   "INSOMNIA"};
constexpr Measure kLoinc[] = {{"8480-6", "Systolic blood pressure", "mm[Hg]", 95, 175},
                              {"8867-4", "Heart rate", "/min", 48, 120},
                              {"2339-0", "Glucose [Mass/volume] in Blood", "mg/dL", 60, 200},
                              {"718-7", "Hemoglobin [Mass/volume] in Blood", "g/dL", 9.5, 17.5},
                              {"29463-7", "Body weight", "kg", 45, 130}};
constexpr const char* kReasons[] = {"Transcription error", "Data entry error",
                                    "Source document corrected", "Unit conversion",
                                    "Clarified with site"};
constexpr const char* kUsers[] = {"crc.anna", "crc.bilal", "cra.chen", "dm.diaz", "pi.eriksen"};

std::string Decimal1(double v) {
  return fmt::format("{:.1f}", v);
}

// Replaces the scalar value of top-level `key` in the compact JSON text.
void ReplaceValue(std::string_view key, std::string_view replacement, std::string* json) {
  const std::string needle = fmt::format("\"{}\":", key);
  const size_t at = json->find(needle);
  if (at == std::string::npos) return;
  const size_t begin = at + needle.size();
  size_t end = begin;
  if ((*json)[begin] == '"') {
    end = json->find('"', begin + 1) + 1;
  } else {
    end = json->find_first_of(",}", begin);
  }
  json->replace(begin, end - begin, replacement);
}

}  // namespace

ClinicalGenerator::ClinicalGenerator(ClinicalOptions options)
    : options_(options), random_(options.seed), event_micros_(kStartMicros) {
  for (int s = 0; s < options_.studies; ++s) {
    const std::string study = fmt::format("ST{:03d}", s + 1);
    for (int j = 0; j < options_.subjects; ++j) {
      const int site = j % std::max(options_.sites, 1);
      subjects_.push_back({study, fmt::format("{}-S{:02d}", study, site + 1),
                           fmt::format("{}-{:02d}-{:04d}", study, site + 1, j + 1)});
    }
  }
}

int ClinicalGenerator::Uniform(int lo, int hi) {
  return lo + static_cast<int>(random_() % static_cast<uint64_t>(hi - lo + 1));
}

const ClinicalGenerator::Subject& ClinicalGenerator::PickSubject() {
  return subjects_[random_() % subjects_.size()];
}

std::string ClinicalGenerator::EventTime() {
  event_micros_ += 500000 + static_cast<int64_t>(random_() % 1000000);
  return FormatTimestamp(event_micros_, false, true);
}

void ClinicalGenerator::Next(int64_t produced_at_ms, GeneratedRecord* out) {
  ++sequence_;
  out->bad.clear();
  const int pick = Uniform(0, 9);
  if (pick < 7) {
    AuditEvent(produced_at_ms, out);
  } else if (pick < 9) {
    Finding(produced_at_ms, out);
  } else {
    Observation(produced_at_ms, out);
  }
  if (options_.bad_ratio > 0 &&
      std::uniform_real_distribution<double>(0, 1)(random_) < options_.bad_ratio) {
    Spoil(out);
  }
}

void ClinicalGenerator::AuditEvent(int64_t produced_at_ms, GeneratedRecord* out) {
  DataPoint& p = point_;
  if (p.remaining == 0) {  // a new data point: 3-5 audit events
    p.subject = &PickSubject();
    const Measure& t = kVitals[random_() % std::size(kVitals)];
    p.event_oid = fmt::format("SE.VISIT{}", Uniform(1, 12));
    p.form_oid = "F.VS";
    p.item_oid = fmt::format("I.VS.{}", t.code);
    p.value = Decimal1(t.low + (t.high - t.low) * (random_() % 1000) / 1000.0);
    p.remaining = Uniform(3, 5);
    p.step = 0;
  }
  const char* subcategory = "EnteredWithChangeCode";
  const char* transaction = "Insert";
  std::string reason;
  if (p.step > 0) {
    switch (Uniform(0, 5)) {
      case 0:
      case 1:
        subcategory = "EnteredWithChangeCode";
        transaction = "Update";
        reason = kReasons[random_() % std::size(kReasons)];
        p.value = Decimal1(std::stod(p.value) + Uniform(-50, 50) / 10.0);
        break;
      case 2:
        subcategory = "QueryOpen";
        transaction = "Update";
        reason = "Value out of expected range";
        break;
      case 3:
        subcategory = p.remaining == 1 ? "Removed" : "Verify";
        transaction = p.remaining == 1 ? "Remove" : "Update";
        if (p.remaining == 1) reason = "Entered in error";
        break;
      default:
        subcategory = "Verify";
        transaction = "Update";
        break;
    }
  }
  ++p.step;
  --p.remaining;
  const Subject& s = *p.subject;
  JsonWriter w;
  w.BeginObject()
      .Member("audit_id", sequence_)
      .Member("subcategory", subcategory)
      .Member("transaction_type", transaction)
      .Member("study_oid", s.study)
      .Member("site_id", s.site)
      .Member("subject_key", s.key)
      .Member("event_oid", p.event_oid)
      .Member("form_oid", p.form_oid)
      .Member("item_group_oid", "IG.VS")
      .Member("item_oid", p.item_oid)
      .Member("value", p.value);
  w.Key("reason_for_change");
  if (reason.empty()) {
    w.Null();
  } else {
    w.String(reason);
  }
  w.Member("user_oid", kUsers[random_() % std::size(kUsers)])
      .Member("audit_ts", EventTime())
      .Member("produced_at", produced_at_ms)
      .EndObject();
  out->topic = kAuditTopic;
  out->key = s.key;
  out->value = w.Take();
}

void ClinicalGenerator::Finding(int64_t produced_at_ms, GeneratedRecord* out) {
  const Subject& s = PickSubject();
  const int kind = Uniform(0, 9);
  JsonWriter w;
  w.BeginObject().Member("STUDYID", s.study);
  if (kind < 9) {
    const bool vital = kind < 6;
    const Measure& t =
        vital ? kVitals[random_() % std::size(kVitals)] : kLabs[random_() % std::size(kLabs)];
    const double v = t.low + (t.high - t.low) * (random_() % 1000) / 1000.0;
    w.Member("DOMAIN", vital ? "VS" : "LB")
        .Member("USUBJID", s.key)
        .Member("SITEID", s.site)
        .Member("SEQ", sequence_)
        .Member("TESTCD", t.code)
        .Member("TEST", t.name)
        .Member("ORRES", Decimal1(v))
        .Member("ORRESU", t.unit)
        .Key("STRESN")
        .Raw(Decimal1(v));
  } else {
    w.Member("DOMAIN", "AE")
        .Member("USUBJID", s.key)
        .Member("SITEID", s.site)
        .Member("SEQ", sequence_)
        .Member("TESTCD", kAdverseEvents[random_() % std::size(kAdverseEvents)])
        .Member("TEST", "Adverse Event")
        .Member("ORRES", Uniform(0, 2) == 0 ? "MODERATE" : "MILD")
        .Key("ORRESU")
        .Null()
        .Key("STRESN")
        .Null();
  }
  w.Member("DTC", EventTime()).Member("produced_at", produced_at_ms).EndObject();
  out->topic = kFindingsTopic;
  out->key = s.key;
  out->value = w.Take();
}

void ClinicalGenerator::Observation(int64_t produced_at_ms, GeneratedRecord* out) {
  const Subject& s = PickSubject();
  const Measure& l = kLoinc[random_() % std::size(kLoinc)];
  const double v = l.low + (l.high - l.low) * (random_() % 1000) / 1000.0;
  JsonWriter w;
  w.BeginObject()
      .Member("resourceType", "Observation")
      .Member("id", fmt::format("obs-{}", sequence_))
      .Member("status", "final");
  w.Key("category").BeginArray().BeginObject().Key("coding").BeginArray().BeginObject();
  w.Member("system", "http://terminology.hl7.org/CodeSystem/observation-category")
      .Member("code", "vital-signs")
      .EndObject()
      .EndArray()
      .EndObject()
      .EndArray();
  w.Key("code").BeginObject().Key("coding").BeginArray().BeginObject();
  w.Member("system", "http://loinc.org").Member("code", l.code).Member("display", l.name);
  w.EndObject().EndArray().Member("text", l.name).EndObject();
  w.Key("subject").BeginObject().Member("reference", "Patient/" + s.key).EndObject();
  w.Member("effectiveDateTime", EventTime());
  w.Key("valueQuantity").BeginObject().Key("value").Raw(Decimal1(v));
  w.Member("unit", l.unit).Member("system", "http://unitsofmeasure.org").EndObject();
  w.Key("performer").BeginArray().BeginObject().Member("reference", "Practitioner/" + s.site);
  w.EndObject().EndArray();
  // Free-text clinical notes make up most of an EHR record's bytes.
  std::string note;
  while (note.size() < 1500) {
    note += fmt::format("Patient seen at {} for routine monitoring; {} recorded as {:.1f} {}. ",
                        s.site, l.name, v, l.unit);
  }
  w.Key("note").BeginArray().BeginObject().Member("text", note).EndObject().EndArray();
  w.Member("produced_at", produced_at_ms).EndObject();
  out->topic = kEhrTopic;
  out->key = s.key;
  out->value = w.Take();
}

void ClinicalGenerator::Spoil(GeneratedRecord* out) {
  switch (Uniform(0, out->topic == kFindingsTopic ? 3 : 2)) {
    case 0:  // cut off mid-way
      if (options_.avro) {
        out->bad = "bad-avro";  // the encoder cuts the datum
        break;
      }
      out->value.resize(out->value.size() / 2);
      out->bad = "bad-json";
      break;
    case 1:  // a value of the wrong type
      if (options_.avro) {
        out->bad = "bad-header";  // Avro has no wrong types: a header that is not one
        break;
      }
      if (out->topic == kAuditTopic) {
        ReplaceValue("audit_id", "\"not a number\"", &out->value);
      } else if (out->topic == kFindingsTopic) {
        ReplaceValue("SEQ", "\"not a number\"", &out->value);
      } else {
        ReplaceValue("status", "{\"code\": 1}", &out->value);
      }
      out->bad = "wrong-type";
      break;
    case 2: {  // far larger than any record should be
      // Under Kafka's default limit of 1 MB a record, over what a pipeline
      // should take (the demo's max_record_size is 256KiB).
      const std::string padding = "\"" + std::string(300 << 10, 'x') + "\"";
      if (options_.avro) {  // a schema has no room for a new key: a huge value instead
        ReplaceValue(out->topic == kAuditTopic      ? "user_oid"
                     : out->topic == kFindingsTopic ? "TEST"
                                                    : "status",
                     padding, &out->value);
      } else {
        out->value.insert(out->value.size() - 1, ",\"padding\":" + padding);
      }
      out->bad = "oversized";
      break;
    }
    default: {  // a domain no route takes
      const size_t at = out->value.find("\"DOMAIN\":\"");
      out->value.replace(at + 10, 2, "XX");
      out->bad = "unknown-route";
      break;
    }
  }
}

}  // namespace floe::gen
