#include "floe/source/kafka_producer.h"

#include <librdkafka/rdkafka.h>

#include <iterator>

#include "floe/source/kafka_consumer.h"

namespace floe::source {

struct ProducerCallbacks {
  static void Delivered(rd_kafka_t*, const rd_kafka_message_t* m, void* opaque) {
    auto* p = static_cast<KafkaProducer*>(opaque);
    if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      ++p->delivered_;
    } else {
      if (p->failed_++ == 0) p->first_error_ = rd_kafka_err2str(m->err);
    }
  }
};

Result<std::unique_ptr<KafkaProducer>> KafkaProducer::Open(
    const std::string& bootstrap_servers, const std::map<std::string, std::string>& properties) {
  auto producer = std::make_unique<KafkaProducer>(Private{});
  std::map<std::string, std::string> props = {{"enable.idempotence", "true"},
                                              {"acks", "all"},
                                              {"linger.ms", "5"},
                                              {"batch.size", "1000000"},
                                              {"client.id", "floe-gen"}};
  for (const auto& [k, v] : properties) props[k] = v;
  props["bootstrap.servers"] = bootstrap_servers;
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  char err[512];
  for (const auto& [k, v] : props) {
    if (rd_kafka_conf_set(conf, k.c_str(), v.c_str(), err, sizeof err) != RD_KAFKA_CONF_OK) {
      rd_kafka_conf_destroy(conf);
      return Status::InvalidArgument("Kafka property {}: {}", k, err);
    }
  }
  rd_kafka_conf_set_opaque(conf, producer.get());
  rd_kafka_conf_set_dr_msg_cb(conf, ProducerCallbacks::Delivered);
  producer->rk_ = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
  if (producer->rk_ == nullptr) {
    rd_kafka_conf_destroy(conf);
    return Status::InvalidArgument("Kafka producer: {}", err);
  }
  return producer;
}

KafkaProducer::~KafkaProducer() {
  if (rk_ == nullptr) return;
  rd_kafka_flush(rk_, 10000);
  rd_kafka_destroy(rk_);
}

Status KafkaProducer::Produce(std::string_view topic, std::string_view key,
                              std::string_view value) {
  // The vector form of produce: librdkafka's RD_KAFKA_V_* macros are GNU
  // statement expressions, which would also end a temporary topic name early.
  const std::string topic_name(topic);
  rd_kafka_vu_t vus[4] = {};
  vus[0].vtype = RD_KAFKA_VTYPE_TOPIC;
  vus[0].u.cstr = topic_name.c_str();
  vus[1].vtype = RD_KAFKA_VTYPE_KEY;
  vus[1].u.mem = {const_cast<char*>(key.data()), key.size()};
  vus[2].vtype = RD_KAFKA_VTYPE_VALUE;
  vus[2].u.mem = {const_cast<char*>(value.data()), value.size()};
  vus[3].vtype = RD_KAFKA_VTYPE_MSGFLAGS;
  vus[3].u.i = RD_KAFKA_MSG_F_COPY;  // librdkafka keeps its own copy
  for (;;) {
    rd_kafka_error_t* error = rd_kafka_produceva(rk_, vus, std::size(vus));
    if (error == nullptr) return Status::OK();
    const rd_kafka_resp_err_t code = rd_kafka_error_code(error);
    rd_kafka_error_destroy(error);
    if (code != RD_KAFKA_RESP_ERR__QUEUE_FULL) {
      return Status::Unavailable("producing to {}: {}", topic, rd_kafka_err2str(code));
    }
    rd_kafka_poll(rk_, 10);  // the queue is full: let deliveries drain it
  }
}

Result<std::pair<int64_t, int64_t>> KafkaProducer::Watermarks(const stream::TopicPartition& tp) {
  return QueryWatermarks(rk_, tp);
}

void KafkaProducer::Poll() {
  rd_kafka_poll(rk_, 0);
}

Status KafkaProducer::Flush(int timeout_ms) {
  if (rd_kafka_flush(rk_, timeout_ms) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return Status::Unavailable("{} records still queued after {} ms", rd_kafka_outq_len(rk_),
                               timeout_ms);
  }
  if (failed_ > 0) return Status::Unavailable("{} records failed: {}", failed_, first_error_);
  return Status::OK();
}

}  // namespace floe::source
