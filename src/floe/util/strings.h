// Small string helpers shared by floe's text parsers.
#pragma once

#include <string_view>

namespace floe {

// ASCII case-insensitive equality (keywords such as AND, NULL, IS).
bool EqualsIgnoreCase(std::string_view a, std::string_view b);

}  // namespace floe
