// libFuzzer target for the parsers of JSON documents floe reads from others:
// table metadata files, schemas, view metadata and name mappings (the REST
// bodies have rest_catalog_fuzzer). The first byte picks the parser, the
// rest is the document. Inputs run to several MB (scripts/fuzz), so that
// nesting and size limits are reached: a deep document must be refused, not
// overflow the stack of a recursive walk.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "floe/iceberg/name_mapping.h"
#include "floe/iceberg/table_metadata.h"
#include "floe/iceberg/view_metadata.h"
#include "floe/schema/schema.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 4) {
    case 0:
      if (auto m = floe::iceberg::TableMetadataFromJson(text); m.ok()) {
        (void)floe::iceberg::TableMetadataToJson(*m);
      }
      break;
    case 1:
      if (auto s = floe::SchemaFromJson(text); s.ok()) (void)floe::SchemaToJson(*s);
      break;
    case 2:
      (void)floe::iceberg::ViewMetadataFromJson(text);
      break;
    default:
      (void)floe::iceberg::NameMapping::Parse(text);
      break;
  }
  return 0;
}
