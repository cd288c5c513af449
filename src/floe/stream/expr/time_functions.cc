// Time parsing functions: parse_timestamp, parse_date, to_timezone.
#include "floe/stream/expr/functions.h"

namespace floe::stream::expr {

Result<NodePtr> BindTimeFunction(const std::string&, std::vector<NodePtr>&, const Signature&) {
  return Status::NotFound("");
}

}  // namespace floe::stream::expr
