// Standard base64 (RFC 4648, with padding), for binary values in text output.
#pragma once

#include <string>
#include <string_view>

#include "floe/util/status.h"

namespace floe {

void AppendBase64(std::string_view bytes, std::string* out);
Result<std::string> DecodeBase64(std::string_view text);

}  // namespace floe
