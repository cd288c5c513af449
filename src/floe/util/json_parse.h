// JSON text from outside floe (REST bodies, metadata files other writers
// made, records) parsed with its nesting bounded. nlohmann's parser itself
// keeps its own stack, but every walk over the result (copies, dumps,
// TypeFromJson and the other *FromJson converters) recurses once per level:
// a 14 MB body of nested lists would overflow the stack. Bounding the depth
// where the text enters makes every later walk safe.
#pragma once

#include <nlohmann/json.hpp>
#include <string_view>

#include "floe/util/status.h"

namespace floe {

// Deeper than any Iceberg document needs (a schema nests about three JSON
// levels per type level), as the Avro schema and expression parsers allow.
inline constexpr int kMaxJsonDepth = 64;

// The deepest nesting of arrays and objects in `text` (strings skipped), at
// most max_depth + 1: the scan stops once past the bound.
int JsonNestingDepth(std::string_view text, int max_depth = kMaxJsonDepth);

// Parses `text`; kInvalidArgument naming `what` when it is not JSON or nests
// deeper than kMaxJsonDepth (the caller turns it into kCorruption for stored
// files).
Result<nlohmann::json> ParseJson(std::string_view text, std::string_view what);

// The same, as nlohmann's non-throwing parse answers: a discarded value
// (is_discarded()) for text that is not JSON or nests too deep.
nlohmann::json ParseJsonOrDiscarded(std::string_view text);

}  // namespace floe
