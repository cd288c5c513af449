// Which floe this is. Version() is the release; BuildRevision() the git commit
// it was built from ("unknown" outside a checkout).
#pragma once

#include <string>
#include <string_view>

namespace floe {

std::string_view Version();
std::string_view BuildRevision();

// "floe version 0.1.0 (build 1a2b3c4d5e6f)": the form written into Parquet's
// created_by, so readers that parse writer versions understand it.
std::string CreatedBy();

}  // namespace floe
