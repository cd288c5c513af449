#include "floe/format/avro/container_reader.h"

#include <algorithm>
#include <cstring>

namespace floe::avro {
namespace {

// Blocks of records that encode to no bytes (records of nulls) still cost
// time per record, so their counts are bounded too.
constexpr int64_t kMaxEmptyRecordsPerBlock = 1024;

}  // namespace

ContainerReader::ContainerReader(Token, std::unique_ptr<InputFile> file,
                                 ContainerReaderOptions options)
    : file_(std::move(file)), options_(options) {}

Result<std::unique_ptr<ContainerReader>> ContainerReader::Open(std::unique_ptr<InputFile> file,
                                                               ContainerReaderOptions options) {
  auto r = std::make_unique<ContainerReader>(Token{}, std::move(file), options);
  FLOE_RETURN_IF_ERROR(r->ReadHeader().WithContext(r->file_->path()));
  return r;
}

std::optional<std::string_view> ContainerReader::Metadata(std::string_view key) const {
  for (const auto& [k, v] : metadata_) {
    if (k == key) return v;
  }
  return std::nullopt;
}

Status ContainerReader::ReadHeader() {
  const int64_t size = file_->size();
  if (size < static_cast<int64_t>(kAvroMagic.size())) {
    return Status::Corruption("{} bytes is too short for an Avro file", size);
  }
  // The header's length is known only once it is parsed: read a prefix and
  // grow it while the parse runs out of bytes.
  size_t chunk = static_cast<size_t>(std::min<int64_t>(size, 64 * 1024));
  std::string bytes;
  while (true) {
    bytes.resize(chunk);
    FLOE_RETURN_IF_ERROR(
        file_->ReadAt(0, {reinterpret_cast<uint8_t*>(bytes.data()), bytes.size()}));
    size_t header_size = 0;
    metadata_.clear();
    Status s =
        ParseHeader({reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()}, &header_size);
    if (s.ok()) {
      offset_ = static_cast<int64_t>(header_size);
      break;
    }
    if (chunk == static_cast<size_t>(size) || s.code() != StatusCode::kOutOfRange) {
      if (s.code() == StatusCode::kOutOfRange) {
        return Status::Corruption("header is truncated: {}", s.message());
      }
      return s;
    }
    chunk = static_cast<size_t>(std::min<int64_t>(size, static_cast<int64_t>(chunk) * 4));
  }
  auto schema_json = Metadata("avro.schema");
  if (!schema_json) return Status::Corruption("header has no avro.schema");
  auto schema = ParseAvroSchema(*schema_json);
  if (!schema.ok()) return Status::Corruption("avro.schema: {}", schema.status().message());
  schema_ = std::move(*schema);
  if (auto codec = Metadata("avro.codec")) {
    FLOE_ASSIGN_OR_RETURN(codec_, ParseAvroCodec(*codec));
  }
  decoder_.emplace(schema_);
  return Status::OK();
}

// Running out of bytes is OutOfRange (the caller reads more and retries);
// anything else wrong is Corruption.
Status ContainerReader::ParseHeader(std::span<const uint8_t> bytes, size_t* header_size) {
  if (std::memcmp(bytes.data(), kAvroMagic.data(), kAvroMagic.size()) != 0) {
    return Status::Corruption("not an Avro object container file (bad magic)");
  }
  BinaryDecoder in(bytes.subspan(kAvroMagic.size()));
  auto truncated = [](const Status& s) { return Status::OutOfRange("{}", s.message()); };
  while (true) {
    auto count = in.ReadLong();
    if (!count.ok()) return truncated(count.status());
    if (*count == 0) break;
    int64_t n = *count;
    if (n < 0) {
      if (n == INT64_MIN) return Status::Corruption("metadata block count {}", n);
      n = -n;
      auto block_size = in.ReadLong();
      if (!block_size.ok()) return truncated(block_size.status());
    }
    // Each entry takes at least two bytes (two lengths).
    if (n > static_cast<int64_t>(in.remaining() / 2)) {
      return Status::OutOfRange("metadata block of {} entries with {} bytes left", n,
                                in.remaining());
    }
    for (int64_t i = 0; i < n; ++i) {
      auto key = in.ReadBytes();
      if (!key.ok()) return truncated(key.status());
      auto value = in.ReadBytes();
      if (!value.ok()) return truncated(value.status());
      metadata_.emplace_back(std::string(*key), std::string(*value));
    }
  }
  auto sync = in.ReadFixed(kSyncSize);
  if (!sync.ok()) return truncated(sync.status());
  std::memcpy(sync_.data(), sync->data(), kSyncSize);
  *header_size = kAvroMagic.size() + in.position();
  return Status::OK();
}

Status ContainerReader::LoadBlock() {
  block_offset_ = offset_;
  const int64_t left = file_->size() - offset_;
  // Two varints of at most 10 bytes each.
  std::array<uint8_t, 20> head{};
  const size_t head_size = static_cast<size_t>(std::min<int64_t>(left, 20));
  FLOE_RETURN_IF_ERROR(file_->ReadAt(offset_, {head.data(), head_size}));
  BinaryDecoder h({head.data(), head_size});
  FLOE_ASSIGN_OR_RETURN(int64_t count, h.ReadLong());
  FLOE_ASSIGN_OR_RETURN(int64_t size, h.ReadLong());
  const int64_t after_head = left - static_cast<int64_t>(h.position());
  if (count < 0) return Status::Corruption("negative record count {}", count);
  if (size < 0 || after_head < static_cast<int64_t>(kSyncSize) ||
      size > after_head - static_cast<int64_t>(kSyncSize)) {
    return Status::Corruption("block of {} bytes with {} bytes left in the file", size, after_head);
  }
  raw_.resize(static_cast<size_t>(size) + kSyncSize);
  FLOE_RETURN_IF_ERROR(file_->ReadAt(offset_ + static_cast<int64_t>(h.position()),
                                     {reinterpret_cast<uint8_t*>(raw_.data()), raw_.size()}));
  if (std::memcmp(raw_.data() + size, sync_.data(), kSyncSize) != 0) {
    return Status::Corruption("sync marker after the block does not match the header's");
  }
  FLOE_RETURN_IF_ERROR(DecompressBlock(
      codec_, {reinterpret_cast<const uint8_t*>(raw_.data()), static_cast<size_t>(size)},
      options_.max_block_bytes, &data_));
  const int64_t min_record = decoder_->min_root_size();
  const int64_t max_count = min_record > 0
                                ? static_cast<int64_t>(data_.size()) / min_record
                                : static_cast<int64_t>(data_.size()) * 8 + kMaxEmptyRecordsPerBlock;
  if (count > max_count) {
    return Status::Corruption("block of {} bytes cannot hold {} records", data_.size(), count);
  }
  offset_ += static_cast<int64_t>(h.position()) + size + static_cast<int64_t>(kSyncSize);
  in_.emplace(std::span(reinterpret_cast<const uint8_t*>(data_.data()), data_.size()));
  block_left_ = count;
  block_index_ = 0;
  if (count == 0 && !in_->done()) {
    return Status::Corruption("block of no records has {} bytes", data_.size());
  }
  return Status::OK();
}

Result<bool> ContainerReader::Next(AvroValue* out) {
  if (!failed_.ok()) return failed_;
  while (block_left_ == 0) {
    if (offset_ >= file_->size()) return false;
    Status s = LoadBlock();
    if (!s.ok()) {
      failed_ = s.WithContext(fmt::format("{}: block at offset {}", file_->path(), block_offset_));
      return failed_;
    }
  }
  Status s = decoder_->Decode(&*in_, out);
  if (s.ok() && block_left_ == 1 && !in_->done()) {
    s = Status::Corruption("{} bytes left after the block's last record", in_->remaining());
  }
  if (!s.ok()) {
    failed_ = s.WithContext(fmt::format("{}: block at offset {}, record {}", file_->path(),
                                        block_offset_, block_index_));
    return failed_;
  }
  --block_left_;
  ++block_index_;
  return true;
}

}  // namespace floe::avro
