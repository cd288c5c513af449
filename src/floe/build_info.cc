#include "floe/build_info.h"

#include <fmt/format.h>

namespace floe {

std::string CreatedBy() {
  return fmt::format("floe version {} (build {})", Version(), BuildRevision());
}

}  // namespace floe
