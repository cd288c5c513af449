// Schema JSON serde on nlohmann::json values, for the other serializers
// inside libfloe (table metadata, REST) that embed schemas in larger
// documents. Not part of the public API: nlohmann is a private dependency.
#pragma once

#include <nlohmann/json.hpp>

#include "floe/schema/schema.h"

namespace floe::internal {

Result<Schema> SchemaFromJsonValue(const nlohmann::json& j);
nlohmann::json SchemaToJsonValue(const Schema& schema);

}  // namespace floe::internal
