#include "floe/format/avro/container_writer.h"

#include <random>

#include "floe/format/avro/avro_binary.h"
#include "floe/format/avro/avro_datum.h"

namespace floe::avro {

ContainerWriter::ContainerWriter(Token, std::unique_ptr<OutputFile> file, AvroSchema schema,
                                 ContainerWriterOptions options)
    : file_(std::move(file)), schema_(std::move(schema)), options_(std::move(options)) {}

Result<std::unique_ptr<ContainerWriter>> ContainerWriter::Open(std::unique_ptr<OutputFile> file,
                                                               AvroSchema schema,
                                                               ContainerWriterOptions options) {
  if (schema.root < 0) return Status::InvalidArgument("Avro writer needs a schema");
  for (const auto& [key, value] : options.metadata) {
    if (key.starts_with("avro.")) {
      return Status::InvalidArgument("metadata key \"{}\" is reserved for Avro", key);
    }
  }
  if (options.block_bytes == 0) options.block_bytes = 1;
  auto w = std::make_unique<ContainerWriter>(Token{}, std::move(file), std::move(schema),
                                             std::move(options));
  FLOE_RETURN_IF_ERROR(w->WriteHeader().WithContext(w->file_->path()));
  return w;
}

Status ContainerWriter::WriteHeader() {
  if (options_.sync) {
    sync_ = *options_.sync;
  } else {
    std::random_device rd;
    for (uint8_t& b : sync_) b = static_cast<uint8_t>(rd());
  }
  std::string h(kAvroMagic.begin(), kAvroMagic.end());
  AppendLong(static_cast<int64_t>(2 + options_.metadata.size()), &h);
  AppendBytes("avro.schema", &h);
  AppendBytes(AvroSchemaToJson(schema_), &h);
  AppendBytes("avro.codec", &h);
  AppendBytes(AvroCodecName(options_.codec), &h);
  for (const auto& [key, value] : options_.metadata) {
    AppendBytes(key, &h);
    AppendBytes(value, &h);
  }
  AppendLong(0, &h);
  h.append(sync_.begin(), sync_.end());
  return file_->Append(h);
}

Status ContainerWriter::Append(const AvroValue& value) {
  if (!failed_.ok()) return failed_;
  if (closed_) return Status::InvalidArgument("{}: Append after Close", file_->path());
  const size_t before = pending_.size();
  Status s = EncodeDatum(schema_, value, &pending_);
  if (!s.ok()) {
    pending_.resize(before);
    return s.WithContext(fmt::format("{}: record {}", file_->path(), records_));
  }
  ++pending_count_;
  ++records_;
  if (pending_.size() >= options_.block_bytes) return Flush();
  return Status::OK();
}

Status ContainerWriter::Flush() {
  if (!failed_.ok()) return failed_;
  if (pending_count_ == 0) return Status::OK();
  std::string compressed;
  Status s = CompressBlock(options_.codec,
                           {reinterpret_cast<const uint8_t*>(pending_.data()), pending_.size()},
                           options_.compression_level, &compressed);
  if (s.ok()) {
    block_.clear();
    AppendLong(pending_count_, &block_);
    AppendLong(static_cast<int64_t>(compressed.size()), &block_);
    block_ += compressed;
    block_.append(sync_.begin(), sync_.end());
    s = file_->Append(block_);
  }
  if (!s.ok()) {
    failed_ = s.WithContext(file_->path());
    return failed_;
  }
  pending_.clear();
  pending_count_ = 0;
  return Status::OK();
}

Status ContainerWriter::Close() {
  if (closed_) return failed_;
  FLOE_RETURN_IF_ERROR(Flush());
  closed_ = true;
  Status s = file_->Close();
  if (!s.ok()) failed_ = s.WithContext(file_->path());
  return failed_;
}

}  // namespace floe::avro
