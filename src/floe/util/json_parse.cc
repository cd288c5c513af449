#include "floe/util/json_parse.h"

namespace floe {

int JsonNestingDepth(std::string_view text, int max_depth) {
  int depth = 0, deepest = 0;
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;  // the escaped character cannot end the string
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    switch (c) {
      case '"':
        in_string = true;
        break;
      case '[':
      case '{':
        deepest = std::max(deepest, ++depth);
        if (deepest > max_depth) return deepest;
        break;
      case ']':
      case '}':
        --depth;
        break;
      default:
        break;
    }
  }
  return deepest;
}

Result<nlohmann::json> ParseJson(std::string_view text, std::string_view what) {
  // A raw NUL is never valid JSON (nlohmann would stop reading at it).
  if (text.find('\0') != std::string_view::npos) {
    return Status::InvalidArgument("{}: not valid JSON (a NUL byte)", what);
  }
  if (JsonNestingDepth(text) > kMaxJsonDepth) {
    return Status::InvalidArgument("{}: JSON nested deeper than {} levels", what, kMaxJsonDepth);
  }
  nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return Status::InvalidArgument("{}: not valid JSON", what);
  return j;
}

nlohmann::json ParseJsonOrDiscarded(std::string_view text) {
  auto j = ParseJson(text, "");
  return j.ok() ? *std::move(j) : nlohmann::json(nlohmann::json::value_t::discarded);
}

}  // namespace floe
