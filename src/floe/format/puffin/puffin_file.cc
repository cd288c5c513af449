#include "floe/format/puffin/puffin_file.h"

#include <fmt/format.h>

#include <cstring>
#include <limits>
#include <nlohmann/json.hpp>

#include "floe/util/json_parse.h"

namespace floe::puffin {
namespace {

using Json = nlohmann::json;

constexpr uint8_t kMagic[4] = {0x50, 0x46, 0x41, 0x31};  // "PFA1"
// Magic, payload size, flags, magic: the footer's fixed bytes besides the
// payload.
constexpr int64_t kFooterFixed = 16;
// A footer describes blobs, not holds them: more than this is not a footer.
constexpr int64_t kMaxFooterPayload = int64_t{64} << 20;

bool IsMagic(const uint8_t* p) {
  return std::memcmp(p, kMagic, 4) == 0;
}

uint32_t LoadLittleEndian32(const uint8_t* p) {
  return uint32_t{p[0]} | uint32_t{p[1]} << 8 | uint32_t{p[2]} << 16 | uint32_t{p[3]} << 24;
}

void AppendLittleEndian32(uint32_t v, std::string* out) {
  for (int i = 0; i < 4; ++i) out->push_back(static_cast<char>(v >> (8 * i)));
}

Json BlobToJson(const BlobMetadata& b) {
  Json j = {{"type", b.type},
            {"fields", b.fields},
            {"snapshot-id", b.snapshot_id},
            {"sequence-number", b.sequence_number},
            {"offset", b.offset},
            {"length", b.length}};
  if (b.compression_codec) j["compression-codec"] = *b.compression_codec;
  if (!b.properties.empty()) j["properties"] = b.properties;
  return j;
}

Result<std::map<std::string, std::string>> StringMap(const Json& j, const char* what) {
  if (!j.is_object()) return Status::Corruption("'{}' is not an object", what);
  std::map<std::string, std::string> out;
  for (const auto& [k, v] : j.items()) {
    if (!v.is_string()) return Status::Corruption("'{}' value of '{}' is not a string", what, k);
    out[k] = v.get<std::string>();
  }
  return out;
}

Result<BlobMetadata> BlobFromJson(const Json& j) {
  if (!j.is_object()) return Status::Corruption("a blob's metadata is not an object");
  BlobMetadata b;
  auto text = j.find("type");
  if (text == j.end() || !text->is_string()) return Status::Corruption("a blob has no 'type'");
  b.type = text->get<std::string>();
  auto fields = j.find("fields");
  if (fields == j.end() || !fields->is_array()) {
    return Status::Corruption("blob '{}' has no 'fields' list", b.type);
  }
  for (const Json& f : *fields) {
    if (!f.is_number_integer() || f.get<int64_t>() < std::numeric_limits<int32_t>::min() ||
        f.get<int64_t>() > std::numeric_limits<int32_t>::max()) {
      return Status::Corruption("blob '{}' has a field id that is not an int", b.type);
    }
    b.fields.push_back(f.get<int32_t>());
  }
  for (auto [key, out] :
       {std::pair{"snapshot-id", &b.snapshot_id}, std::pair{"sequence-number", &b.sequence_number},
        std::pair{"offset", &b.offset}, std::pair{"length", &b.length}}) {
    auto it = j.find(key);
    if (it == j.end() || !it->is_number_integer()) {
      return Status::Corruption("blob '{}' has no integer '{}'", b.type, key);
    }
    *out = it->get<int64_t>();
  }
  if (auto codec = j.find("compression-codec"); codec != j.end() && !codec->is_null()) {
    if (!codec->is_string()) return Status::Corruption("blob '{}' codec is not a string", b.type);
    b.compression_codec = codec->get<std::string>();
  }
  if (auto props = j.find("properties"); props != j.end()) {
    FLOE_ASSIGN_OR_RETURN(b.properties, StringMap(*props, "properties"));
  }
  return b;
}

}  // namespace

Result<PuffinWriter> PuffinWriter::Open(std::unique_ptr<OutputFile> out) {
  FLOE_RETURN_IF_ERROR(out->Append(kMagic));
  return PuffinWriter(std::move(out));
}

Result<BlobMetadata> PuffinWriter::Add(BlobMetadata blob, std::span<const uint8_t> bytes) {
  blob.offset = out_->position();
  blob.length = static_cast<int64_t>(bytes.size());
  blob.compression_codec.reset();
  FLOE_RETURN_IF_ERROR(out_->Append(bytes));
  blobs_.push_back(blob);
  return blob;
}

Result<int64_t> PuffinWriter::Finish(std::map<std::string, std::string> properties) {
  Json blobs = Json::array();
  for (const BlobMetadata& b : blobs_) blobs.push_back(BlobToJson(b));
  Json footer = {{"blobs", std::move(blobs)}};
  if (!properties.empty()) footer["properties"] = std::move(properties);
  const std::string payload = footer.dump();
  std::string tail(reinterpret_cast<const char*>(kMagic), 4);
  tail += payload;
  AppendLittleEndian32(static_cast<uint32_t>(payload.size()), &tail);
  AppendLittleEndian32(0, &tail);  // flags: payload not compressed
  tail.append(reinterpret_cast<const char*>(kMagic), 4);
  FLOE_RETURN_IF_ERROR(
      out_->Append(std::span(reinterpret_cast<const uint8_t*>(tail.data()), tail.size())));
  const int64_t size = out_->position();
  FLOE_RETURN_IF_ERROR(out_->Close());
  return size;
}

Result<FileMetadata> ParseFooter(std::span<const uint8_t> tail, int64_t file_size) {
  const auto size = static_cast<int64_t>(tail.size());
  if (size > file_size) return Status::InvalidArgument("more footer bytes than the file has");
  // The leading magic and an empty footer are the least a file holds.
  if (file_size < 4 + kFooterFixed || size < kFooterFixed) {
    return Status::Corruption("not a Puffin file: {} bytes is too short", file_size);
  }
  const uint8_t* end = tail.data() + size;
  if (!IsMagic(end - 4)) return Status::Corruption("not a Puffin file: no magic at its end");
  const uint32_t flags = LoadLittleEndian32(end - 8);
  const int64_t payload_size = LoadLittleEndian32(end - 12);
  if (payload_size > kMaxFooterPayload || payload_size + kFooterFixed + 4 > file_size) {
    return Status::Corruption("Puffin footer payload of {} bytes does not fit a {}-byte file",
                              payload_size, file_size);
  }
  if (payload_size + kFooterFixed > size) {
    return Status::Corruption("Puffin footer of {} bytes is longer than the {} bytes read",
                              payload_size + kFooterFixed, size);
  }
  const uint8_t* footer = end - kFooterFixed - payload_size;
  if (!IsMagic(footer)) return Status::Corruption("Puffin footer does not start with the magic");
  if ((flags & 1) != 0) {
    return Status::NotSupported("compressed Puffin footers are not supported (flags {:#x})", flags);
  }
  if ((flags & ~1u) != 0) return Status::Corruption("Puffin footer has unknown flags {:#x}", flags);
  const std::string_view payload(reinterpret_cast<const char*>(footer + 4),
                                 static_cast<size_t>(payload_size));
  auto json = ParseJson(payload, "Puffin footer");
  if (!json.ok()) return Status::Corruption("{}", json.status().message());
  if (!json->is_object()) return Status::Corruption("Puffin footer is not a JSON object");
  auto blobs = json->find("blobs");
  if (blobs == json->end() || !blobs->is_array()) {
    return Status::Corruption("Puffin footer has no 'blobs' list");
  }
  FileMetadata out;
  const int64_t footer_start = file_size - kFooterFixed - payload_size;
  for (const Json& j : *blobs) {
    FLOE_ASSIGN_OR_RETURN(BlobMetadata b, BlobFromJson(j));
    if (b.offset < 4 || b.length < 0 || b.offset > footer_start ||
        b.length > footer_start - b.offset) {
      return Status::Corruption(
          "Puffin blob '{}' at offset {} of length {} lies outside the blobs (bytes 4 to {})",
          b.type, b.offset, b.length, footer_start);
    }
    out.blobs.push_back(std::move(b));
  }
  if (auto props = json->find("properties"); props != json->end()) {
    FLOE_ASSIGN_OR_RETURN(out.properties, StringMap(*props, "properties"));
  }
  return out;
}

Result<FileMetadata> ReadFooter(const InputFile& file) {
  const int64_t size = file.size();
  auto context = [&](Status s) { return s.WithContext(file.path()); };
  if (size < 4 + kFooterFixed) {
    return context(Status::Corruption("not a Puffin file: {} bytes is too short", size));
  }
  uint8_t fixed[12];
  FLOE_RETURN_IF_ERROR(file.ReadAt(size - 12, fixed));
  const int64_t payload_size = LoadLittleEndian32(fixed);
  const int64_t want = std::min(size, payload_size + kFooterFixed);
  if (payload_size > kMaxFooterPayload) {
    return context(Status::Corruption("Puffin footer payload of {} bytes", payload_size));
  }
  std::vector<uint8_t> tail(static_cast<size_t>(want));
  FLOE_RETURN_IF_ERROR(file.ReadAt(size - want, tail));
  auto footer = ParseFooter(tail, size);
  if (!footer.ok()) return context(footer.status());
  return footer;
}

}  // namespace floe::puffin
