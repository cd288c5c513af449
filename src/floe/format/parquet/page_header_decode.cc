// Decoding of page headers (PageHeader and its four kinds) from untrusted
// bytes; the footer's structs are in metadata_decode.cc.
#include "floe/format/parquet/metadata.h"
#include "floe/format/parquet/metadata_decode_internal.h"

namespace floe::parquet {
namespace internal {

namespace {
constexpr FieldSpec kDataPageHeader[] = {
    {1, "num_values", true},
    {2, "encoding", true},
    {3, "definition_level_encoding", true},
    {4, "repetition_level_encoding", true},
    {5, "statistics", false},
};
}  // namespace

Status Decode(CompactReader& r, DataPageHeader* out) {
  return ReadStruct(r, "DataPageHeader", kDataPageHeader, [&](FieldReader& f) -> Status {
    switch (f.id()) {
      case 1:
        return f.ReadNonNegative(&out->num_values);
      case 2:
        return f.Read(&out->encoding);
      case 3:
        return f.Read(&out->definition_level_encoding);
      case 4:
        return f.Read(&out->repetition_level_encoding);
      case 5:
        return f.Read(&out->statistics);
      default:
        return f.Skip();
    }
  });
}

Status Decode(CompactReader& r, IndexPageHeader*) {
  return ReadStruct(r, "IndexPageHeader", {}, [](FieldReader& f) { return f.Skip(); });
}

namespace {
constexpr FieldSpec kDictionaryPageHeader[] = {
    {1, "num_values", true}, {2, "encoding", true}, {3, "is_sorted", false}};
}  // namespace

Status Decode(CompactReader& r, DictionaryPageHeader* out) {
  return ReadStruct(r, "DictionaryPageHeader", kDictionaryPageHeader,
                    [&](FieldReader& f) -> Status {
                      switch (f.id()) {
                        case 1:
                          return f.ReadNonNegative(&out->num_values);
                        case 2:
                          return f.Read(&out->encoding);
                        case 3:
                          return f.Read(&out->is_sorted);
                        default:
                          return f.Skip();
                      }
                    });
}

namespace {
constexpr FieldSpec kDataPageHeaderV2[] = {
    {1, "num_values", true},
    {2, "num_nulls", true},
    {3, "num_rows", true},
    {4, "encoding", true},
    {5, "definition_levels_byte_length", true},
    {6, "repetition_levels_byte_length", true},
    {7, "is_compressed", false},
    {8, "statistics", false},
};
}  // namespace

Status Decode(CompactReader& r, DataPageHeaderV2* out) {
  return ReadStruct(r, "DataPageHeaderV2", kDataPageHeaderV2, [&](FieldReader& f) -> Status {
    switch (f.id()) {
      case 1:
        return f.ReadNonNegative(&out->num_values);
      case 2:
        return f.ReadNonNegative(&out->num_nulls);
      case 3:
        return f.ReadNonNegative(&out->num_rows);
      case 4:
        return f.Read(&out->encoding);
      case 5:
        return f.ReadNonNegative(&out->definition_levels_byte_length);
      case 6:
        return f.ReadNonNegative(&out->repetition_levels_byte_length);
      case 7:
        return f.Read(&out->is_compressed);
      case 8:
        return f.Read(&out->statistics);
      default:
        return f.Skip();
    }
  });
}

namespace {
constexpr FieldSpec kPageHeader[] = {
    {1, "type", true},
    {2, "uncompressed_page_size", true},
    {3, "compressed_page_size", true},
    {4, "crc", false},
    {5, "data_page_header", false},
    {6, "index_page_header", false},
    {7, "dictionary_page_header", false},
    {8, "data_page_header_v2", false},
};
}  // namespace

Status Decode(CompactReader& r, PageHeader* out) {
  return ReadStruct(r, "PageHeader", kPageHeader, [&](FieldReader& f) -> Status {
    switch (f.id()) {
      case 1:
        return f.Read(&out->type);
      case 2:
        return f.ReadNonNegative(&out->uncompressed_page_size);
      case 3:
        return f.ReadNonNegative(&out->compressed_page_size);
      case 4:
        return f.Read(&out->crc);
      case 5:
        return f.Read(&out->data_page_header);
      case 6:
        return f.Read(&out->index_page_header);
      case 7:
        return f.Read(&out->dictionary_page_header);
      case 8:
        return f.Read(&out->data_page_header_v2);
      default:
        return f.Skip();
    }
  });
}

}  // namespace internal

Result<PageHeader> DecodePageHeader(std::span<const uint8_t> bytes, size_t* consumed) {
  CompactReader reader(bytes);
  PageHeader header;
  FLOE_RETURN_IF_ERROR(internal::Decode(reader, &header).WithContext("Parquet PageHeader"));
  if (consumed != nullptr) *consumed = reader.position();
  return header;
}

}  // namespace floe::parquet
