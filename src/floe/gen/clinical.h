// Synthetic clinical-trial streams (no real patient data), as a trial's
// systems would send them to Kafka:
//   edc.audit         EDC audit trail events (ODM-like, ~500 bytes): 3-5 per
//                     data point (entered, corrected with a reason, verified,
//                     queried, sometimes removed)
//   sdtm.findings     SDTM-like vitals (VS), labs (LB) and adverse events (AE)
//                     in one topic, with the domain in DOMAIN (for routing)
//   ehr.observations  FHIR-Observation-like EHR records (~2 KB) with LOINC codes
// Every record carries its event time and `produced_at` (the time it was
// made, in ms since the epoch), and is keyed by subject. The stream is
// deterministic for a seed, apart from produced_at. A share of records is
// malformed on purpose (bad JSON, a wrong type, an oversized value, a domain
// no route takes), for testing dead letters.
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace floe::gen {

struct ClinicalOptions {
  uint64_t seed = 1;
  int studies = 2;
  int sites = 10;        // per study
  int subjects = 200;    // per study
  double bad_ratio = 0;  // share of malformed records, 0..1
  // Records to be sent as Avro (clinical_avro.h): values stay JSON here,
  // and the malformed ones are marked for the encoder to spoil ("bad-avro",
  // "bad-header") where JSON would be cut or mistyped.
  bool avro = false;
};

struct GeneratedRecord {
  std::string topic;
  std::string key;
  std::string value;
  // Empty for a good record, else what is wrong with it: "bad-json",
  // "wrong-type", "oversized", "unknown-route" (Avro: "bad-avro",
  // "bad-header" for the first two).
  std::string bad;
};

inline constexpr std::string_view kAuditTopic = "edc.audit";
inline constexpr std::string_view kFindingsTopic = "sdtm.findings";
inline constexpr std::string_view kEhrTopic = "ehr.observations";

class ClinicalGenerator {
 public:
  explicit ClinicalGenerator(ClinicalOptions options);

  // The next record of the three streams, interleaved (about 70% audit
  // events, 20% findings, 10% EHR observations).
  void Next(int64_t produced_at_ms, GeneratedRecord* out);

 private:
  struct Subject {
    std::string study, site, key;
  };
  void AuditEvent(int64_t produced_at_ms, GeneratedRecord* out);
  void Finding(int64_t produced_at_ms, GeneratedRecord* out);
  void Observation(int64_t produced_at_ms, GeneratedRecord* out);
  void Spoil(GeneratedRecord* out);
  const Subject& PickSubject();
  // Event times advance about 1 s per record from 2026-01-01T00:00:00Z.
  std::string EventTime();
  int Uniform(int lo, int hi);  // inclusive

  ClinicalOptions options_;
  std::mt19937_64 random_;
  std::vector<Subject> subjects_;
  int64_t sequence_ = 0;
  int64_t event_micros_;
  // The data point whose audit events are being emitted, and how many remain.
  struct DataPoint {
    const Subject* subject = nullptr;
    std::string event_oid, form_oid, item_oid, value;
    int remaining = 0;
    int step = 0;
  } point_;
};

}  // namespace floe::gen
