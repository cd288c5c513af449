// `floe gen clinical`: synthetic clinical-trial streams into Kafka
// (gen/clinical.h), at a rate, for a duration or a count, deterministic for a
// seed; `--out` keeps the same records as JSON lines for tests to compute
// the expected tables from.
#include <signal.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <fstream>
#include <map>
#include <optional>
#include <thread>

#include "floe/cli/command.h"
#include "floe/gen/clinical.h"
#include "floe/gen/clinical_avro.h"
#include "floe/io/file_io.h"
#include "floe/source/kafka_producer.h"
#include "floe/source/writer_schemas.h"
#include "floe/util/base64.h"
#include "floe/util/json_writer.h"

namespace floe::cli {
namespace {

struct GenOptions {
  std::string bootstrap;
  gen::ClinicalOptions clinical;
  int64_t rate = 1000;  // records per second; 0: as fast as possible
  double duration_s = 0;
  int64_t records = 0;
  std::string format = "json";
  std::string registry;     // avro: register the schemas here and use its ids
  std::string schemas_dir;  // avro: write the three .avsc files here
  std::string out;
  std::string topic_prefix;
};

volatile sig_atomic_t g_stop = 0;

// The three topics' schema ids: from the registry (subjects <topic>-value,
// Confluent's default naming), else 1, 2 and 3; the .avsc files written
// to --avro-schemas for pipelines that read them.
Result<gen::ClinicalAvroEncoder> MakeAvroEncoder(const GenOptions& o) {
  std::map<std::string, int32_t> ids;
  std::unique_ptr<source::SchemaRegistry> registry;
  if (!o.registry.empty()) {
    FLOE_ASSIGN_OR_RETURN(registry, source::SchemaRegistry::Open(o.registry));
  }
  int32_t next = 1;
  for (const std::string_view topic : {gen::kAuditTopic, gen::kFindingsTopic, gen::kEhrTopic}) {
    const std::string_view schema = gen::ClinicalAvroSchema(topic);
    int32_t& id = ids[std::string(topic)];
    if (registry) {
      const std::string subject = o.topic_prefix + std::string(topic) + "-value";
      FLOE_ASSIGN_OR_RETURN(id, registry->Register(subject, schema));
      spdlog::info("gen clinical: {} is schema id {} in {}", subject, id, o.registry);
    } else {
      id = next++;
    }
    if (!o.schemas_dir.empty()) {
      const std::string path = o.schemas_dir + "/" + std::string(topic) + ".avsc";
      FLOE_RETURN_IF_ERROR(LocalFileIO().WriteAtomically(path, std::string(schema) + "\n"));
    }
  }
  return gen::ClinicalAvroEncoder::Make(std::move(ids));
}

Status RunClinical(const GenOptions& o) {
  const bool avro = o.format == "avro";
  if (!avro && o.format != "json") {
    return Status::InvalidArgument("--format {}: json or avro", o.format);
  }
  if (!avro && (!o.registry.empty() || !o.schemas_dir.empty())) {
    return Status::InvalidArgument("--registry and --avro-schemas go with --format avro");
  }
  std::optional<gen::ClinicalAvroEncoder> encoder;
  if (avro) {
    FLOE_ASSIGN_OR_RETURN(encoder, MakeAvroEncoder(o));
  }
  if (o.records == 0 && o.duration_s == 0) {
    return Status::InvalidArgument("give --records N or --duration SECONDS");
  }
  std::unique_ptr<source::KafkaProducer> producer;
  if (!o.bootstrap.empty()) {
    FLOE_ASSIGN_OR_RETURN(producer, source::KafkaProducer::Open(o.bootstrap));
  }
  std::ofstream out;
  if (!o.out.empty()) {
    out.open(o.out, std::ios::binary | std::ios::trunc);
    if (!out) return Status::IOError("cannot write {}", o.out);
  }
  if (!producer && o.out.empty()) return Status::InvalidArgument("give --bootstrap, --out or both");
  signal(SIGINT, [](int) { g_stop = 1; });
  signal(SIGTERM, [](int) { g_stop = 1; });

  gen::ClinicalOptions options = o.clinical;
  options.avro = avro;
  gen::ClinicalGenerator generator(options);
  gen::GeneratedRecord record;
  std::string wire;  // avro: the record as sent
  using Clock = std::chrono::steady_clock;
  const auto start = Clock::now();
  const auto deadline = start + std::chrono::duration_cast<Clock::duration>(
                                    std::chrono::duration<double>(o.duration_s));
  auto next_progress = start + std::chrono::seconds(5);
  int64_t made = 0, bad = 0, bytes = 0;
  std::string line;
  while (!g_stop && (o.records == 0 || made < o.records)) {
    const auto now = Clock::now();
    if (o.duration_s > 0 && now >= deadline) break;
    if (o.rate > 0) {
      // Records due by now at the rate; sleep in 1 ms steps when ahead.
      const double elapsed = std::chrono::duration<double>(now - start).count();
      if (made >= static_cast<int64_t>(elapsed * static_cast<double>(o.rate)) + 1) {
        if (producer) producer->Poll();
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
        continue;
      }
    }
    const int64_t produced_at = std::chrono::duration_cast<std::chrono::milliseconds>(
                                    std::chrono::system_clock::now().time_since_epoch())
                                    .count();
    generator.Next(produced_at, &record);
    const std::string topic = o.topic_prefix + record.topic;
    if (encoder) FLOE_RETURN_IF_ERROR(encoder->Encode(record, &wire));
    const std::string& payload = encoder ? wire : record.value;
    if (producer) FLOE_RETURN_IF_ERROR(producer->Produce(topic, record.key, payload));
    if (out.is_open()) {
      JsonWriter w;
      w.BeginObject()
          .Member("topic", topic)
          .Member("key", record.key)
          .Member("value", record.value);
      if (encoder) {
        std::string base64;
        AppendBase64(wire, &base64);
        w.Member("wire_base64", base64);
      }
      w.Key("bad");
      if (record.bad.empty()) {
        w.Null();
      } else {
        w.String(record.bad);
      }
      w.EndObject();
      out << w.text() << '\n';
    }
    ++made;
    bad += record.bad.empty() ? 0 : 1;
    bytes += static_cast<int64_t>(payload.size());
    if ((made & 1023) == 0 && producer) producer->Poll();
    if (Clock::now() >= next_progress) {
      spdlog::info("gen clinical: {} records ({} malformed), {:.1f} MB", made, bad, bytes / 1e6);
      next_progress += std::chrono::seconds(5);
    }
  }
  if (producer) FLOE_RETURN_IF_ERROR(producer->Flush(60000));
  if (out.is_open()) {
    out.flush();
    if (!out) return Status::IOError("writing {} failed", o.out);
  }
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  std::fprintf(stderr, "gen clinical: %lld records (%lld malformed), %.1f MB in %.1f s\n",
               static_cast<long long>(made), static_cast<long long>(bad), bytes / 1e6, seconds);
  return Status::OK();
}

}  // namespace

void AddGenCommand(CLI::App& app) {
  CLI::App* cmd = app.add_subcommand("gen", "Synthetic data for demos, tests and benchmarks");
  cmd->require_subcommand(1);
  auto o = std::make_shared<GenOptions>();
  CLI::App* clinical = cmd->add_subcommand(
      "clinical",
      "Clinical-trial streams into Kafka: EDC audit events (edc.audit), SDTM findings "
      "(sdtm.findings: VS, LB, AE) and EHR observations (ehr.observations), keyed by subject");
  clinical->add_option("--bootstrap", o->bootstrap, "Kafka bootstrap servers (HOST:PORT)");
  clinical->add_option("--rate", o->rate, "Records per second (0: as fast as possible)")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  clinical->add_option("--records", o->records, "Stop after this many records")
      ->check(CLI::NonNegativeNumber);
  clinical->add_option("--duration", o->duration_s, "Stop after this many seconds")
      ->check(CLI::NonNegativeNumber);
  clinical->add_option("--studies", o->clinical.studies, "Studies")
      ->capture_default_str()
      ->check(CLI::Range(1, 1000));
  clinical->add_option("--sites", o->clinical.sites, "Sites per study")
      ->capture_default_str()
      ->check(CLI::Range(1, 10000));
  clinical->add_option("--subjects", o->clinical.subjects, "Subjects per study")
      ->capture_default_str()
      ->check(CLI::Range(1, 10000000));
  clinical->add_option("--seed", o->clinical.seed, "Seed: the same seed gives the same records")
      ->capture_default_str();
  clinical
      ->add_option("--bad-ratio", o->clinical.bad_ratio,
                   "Share of malformed records (bad JSON, wrong types, oversized values, "
                   "unknown SDTM domains)")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1.0));
  clinical
      ->add_option("--format", o->format,
                   "Record format: json, or avro in the Confluent wire format (schema ids from "
                   "--registry, else 1, 2 and 3 for audit, findings and EHR)")
      ->capture_default_str();
  clinical->add_option("--registry", o->registry,
                       "Avro: a Confluent-compatible Schema Registry (http://HOST:PORT[/path]) to "
                       "register the schemas in, as <topic>-value");
  clinical->add_option("--avro-schemas", o->schemas_dir,
                       "Avro: write the three writer schemas here as <topic>.avsc");
  clinical->add_option("--out", o->out,
                       "Also write every record as a JSON line {topic, key, value, bad} (Avro: "
                       "value as JSON, and wire_base64, the bytes sent)");
  clinical->add_option("--topic-prefix", o->topic_prefix, "Prefix for the three topic names");
  clinical->callback([o] { ExitOnError(RunClinical(*o)); });
}

}  // namespace floe::cli
