#include "floe/format/avro/avro_codec.h"

#include <snappy-c.h>
#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <limits>
#include <memory>

namespace floe::avro {
namespace {

// zlib and snappy take sizes as uInt / size_t; Avro blocks are far below this.
constexpr size_t kMaxInput = std::numeric_limits<uInt>::max();

const uint8_t* NonNull(std::span<const uint8_t> s) {
  static const uint8_t dummy = 0;
  return s.empty() ? &dummy : s.data();
}

uint32_t Crc32(std::string_view bytes) {
  return static_cast<uint32_t>(
      crc32(0, reinterpret_cast<const Bytef*>(bytes.data()), static_cast<uInt>(bytes.size())));
}

Status Deflate(std::span<const uint8_t> input, int level, std::string* out) {
  z_stream z{};
  if (deflateInit2(&z, level == 0 ? Z_DEFAULT_COMPRESSION : level, Z_DEFLATED, -15, 8,
                   Z_DEFAULT_STRATEGY) != Z_OK) {
    return Status::InvalidArgument("deflate level {} is not 1..9", level);
  }
  const size_t at = out->size();
  out->resize(at + deflateBound(&z, static_cast<uLong>(input.size())));
  z.next_in = const_cast<Bytef*>(NonNull(input));
  z.avail_in = static_cast<uInt>(input.size());
  z.next_out = reinterpret_cast<Bytef*>(out->data() + at);
  z.avail_out = static_cast<uInt>(out->size() - at);
  const int rc = deflate(&z, Z_FINISH);
  const size_t written = z.total_out;
  deflateEnd(&z);
  if (rc != Z_STREAM_END) return Status::Internal("deflate failed ({})", rc);
  out->resize(at + written);
  return Status::OK();
}

Status Inflate(std::span<const uint8_t> input, size_t max_bytes, std::string* out) {
  z_stream z{};
  if (inflateInit2(&z, -15) != Z_OK) return Status::Internal("inflateInit2 failed");
  z.next_in = const_cast<Bytef*>(NonNull(input));
  z.avail_in = static_cast<uInt>(input.size());
  out->clear();
  int rc = Z_OK;
  while (rc != Z_STREAM_END) {
    if (out->size() >= max_bytes) {
      inflateEnd(&z);
      return Status::Corruption("deflate block inflates past {} bytes", max_bytes);
    }
    const size_t at = out->size();
    const size_t grow = std::min(max_bytes - at, std::max<size_t>(4 * input.size(), 1 << 16));
    out->resize(at + grow);
    z.next_out = reinterpret_cast<Bytef*>(out->data() + at);
    z.avail_out = static_cast<uInt>(grow);
    rc = inflate(&z, Z_NO_FLUSH);
    out->resize(at + grow - z.avail_out);
    if (rc != Z_OK && rc != Z_STREAM_END) {
      inflateEnd(&z);
      // Z_BUF_ERROR with output room left means the input ended early.
      return Status::Corruption("deflate block is malformed ({})", z.msg ? z.msg : "truncated");
    }
  }
  inflateEnd(&z);
  return Status::OK();
}

Status Snappy(std::span<const uint8_t> input, std::string* out) {
  const size_t at = out->size();
  size_t n = snappy_max_compressed_length(input.size());
  out->resize(at + n + 4);
  if (snappy_compress(reinterpret_cast<const char*>(NonNull(input)), input.size(), out->data() + at,
                      &n) != SNAPPY_OK) {
    return Status::Internal("snappy compression failed");
  }
  const uint32_t crc = Crc32({reinterpret_cast<const char*>(input.data()), input.size()});
  char* p = out->data() + at + n;
  p[0] = static_cast<char>(crc >> 24);
  p[1] = static_cast<char>(crc >> 16);
  p[2] = static_cast<char>(crc >> 8);
  p[3] = static_cast<char>(crc);
  out->resize(at + n + 4);
  return Status::OK();
}

Status Unsnappy(std::span<const uint8_t> input, size_t max_bytes, std::string* out) {
  if (input.size() < 4) return Status::Corruption("snappy block shorter than its checksum");
  const size_t n = input.size() - 4;
  const char* data = reinterpret_cast<const char*>(NonNull(input));
  size_t length = 0;
  if (snappy_uncompressed_length(data, n, &length) != SNAPPY_OK) {
    return Status::Corruption("snappy block is malformed");
  }
  if (length > max_bytes) {
    return Status::Corruption("snappy block claims {} bytes, more than {}", length, max_bytes);
  }
  out->resize(length);
  if (snappy_uncompress(data, n, out->data(), &length) != SNAPPY_OK || length != out->size()) {
    return Status::Corruption("snappy block is malformed");
  }
  const auto* c = input.data() + n;
  const uint32_t want =
      (uint32_t{c[0]} << 24) | (uint32_t{c[1]} << 16) | (uint32_t{c[2]} << 8) | uint32_t{c[3]};
  const uint32_t got = Crc32(*out);
  if (want != got) {
    return Status::Corruption("snappy block checksum {:08x} does not match its data ({:08x})", want,
                              got);
  }
  return Status::OK();
}

struct ZstdFree {
  void operator()(ZSTD_DStream* d) const { ZSTD_freeDStream(d); }
};

Status Zstd(std::span<const uint8_t> input, int level, std::string* out) {
  if (level != 0 && (level < ZSTD_minCLevel() || level > ZSTD_maxCLevel())) {
    return Status::InvalidArgument("zstandard level {} is outside {}..{}", level, ZSTD_minCLevel(),
                                   ZSTD_maxCLevel());
  }
  const size_t at = out->size();
  out->resize(at + ZSTD_compressBound(input.size()));
  const size_t n = ZSTD_compress(out->data() + at, out->size() - at, NonNull(input), input.size(),
                                 level == 0 ? ZSTD_CLEVEL_DEFAULT : level);
  if (ZSTD_isError(n)) return Status::Internal("zstandard: {}", ZSTD_getErrorName(n));
  out->resize(at + n);
  return Status::OK();
}

// Streaming, so the frame's claimed content size never decides an allocation.
Status Unzstd(std::span<const uint8_t> input, size_t max_bytes, std::string* out) {
  std::unique_ptr<ZSTD_DStream, ZstdFree> d(ZSTD_createDStream());
  if (!d) return Status::Internal("zstandard: out of memory");
  ZSTD_inBuffer in{NonNull(input), input.size(), 0};
  out->clear();
  size_t rc = 1;
  while (in.pos < in.size || rc != 0) {
    if (out->size() >= max_bytes) {
      return Status::Corruption("zstandard block decompresses past {} bytes", max_bytes);
    }
    const size_t at = out->size();
    const size_t grow = std::min(max_bytes - at, std::max<size_t>(4 * input.size(), 1 << 16));
    out->resize(at + grow);
    ZSTD_outBuffer o{out->data() + at, grow, 0};
    const size_t before = in.pos;
    rc = ZSTD_decompressStream(d.get(), &o, &in);
    out->resize(at + o.pos);
    if (ZSTD_isError(rc)) return Status::Corruption("zstandard: {}", ZSTD_getErrorName(rc));
    if (rc != 0 && in.pos == in.size && before == in.pos && o.pos < grow) {
      return Status::Corruption("zstandard block is truncated");
    }
  }
  return Status::OK();
}

}  // namespace

std::string_view AvroCodecName(AvroCodec codec) {
  switch (codec) {
    case AvroCodec::kNull:
      return "null";
    case AvroCodec::kDeflate:
      return "deflate";
    case AvroCodec::kSnappy:
      return "snappy";
    case AvroCodec::kZstandard:
      return "zstandard";
  }
  return "unknown";
}

Result<AvroCodec> ParseAvroCodec(std::string_view name) {
  for (AvroCodec c :
       {AvroCodec::kNull, AvroCodec::kDeflate, AvroCodec::kSnappy, AvroCodec::kZstandard}) {
    if (AvroCodecName(c) == name) return c;
  }
  return Status::NotSupported(
      "Avro codec \"{}\" is not supported (null, deflate, snappy, zstandard)", name);
}

Status CompressBlock(AvroCodec codec, std::span<const uint8_t> input, int level, std::string* out) {
  if (input.size() > kMaxInput) return Status::InvalidArgument("block of {} bytes", input.size());
  switch (codec) {
    case AvroCodec::kNull:
      out->append(reinterpret_cast<const char*>(input.data()), input.size());
      return Status::OK();
    case AvroCodec::kDeflate:
      return Deflate(input, level, out);
    case AvroCodec::kSnappy:
      return Snappy(input, out);
    case AvroCodec::kZstandard:
      return Zstd(input, level, out);
  }
  return Status::InvalidArgument("unknown codec");
}

Status DecompressBlock(AvroCodec codec, std::span<const uint8_t> input, size_t max_bytes,
                       std::string* out) {
  if (input.size() > kMaxInput) return Status::Corruption("block of {} bytes", input.size());
  switch (codec) {
    case AvroCodec::kNull:
      if (input.size() > max_bytes) return Status::Corruption("block exceeds {} bytes", max_bytes);
      out->assign(reinterpret_cast<const char*>(input.data()), input.size());
      return Status::OK();
    case AvroCodec::kDeflate:
      return Inflate(input, max_bytes, out);
    case AvroCodec::kSnappy:
      return Unsnappy(input, max_bytes, out);
    case AvroCodec::kZstandard:
      return Unzstd(input, max_bytes, out);
  }
  return Status::Corruption("unknown codec");
}

}  // namespace floe::avro
