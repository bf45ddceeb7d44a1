#pragma once
// Building a yaml_document's node tree from yaml-cpp's events. Internal to
// the calendar library: yaml_document::read calls it.

#include <optional>
#include <string_view>

#include "calendar/diagnostic.hpp"
#include "calendar/yaml_document.hpp"

namespace herald {

/// Parses `doc.source()` into `doc`; the first error, or nullopt.
std::optional<diagnostic> build_yaml_tree(yaml_document& doc, const yaml_limits& limits, std::string_view stream_key,
                                          const yaml_document::item_callback& on_item);

}  // namespace herald
