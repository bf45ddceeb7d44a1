#pragma once
// Building a yaml_document's node tree from yaml-cpp's events. Internal to
// the calendar library: yaml_document::read calls it.

#include <string_view>
#include <vector>

#include "calendar/diagnostic.hpp"
#include "calendar/yaml_document.hpp"

namespace herald {

/// Parses `doc.source()` into `doc`. Returns the error that stopped it, or
/// every duplicate key (reading goes on past them); empty when all is well.
std::vector<diagnostic> build_yaml_tree(yaml_document& doc, const yaml_limits& limits, std::string_view stream_key,
                                        const yaml_document::item_callback& on_item);

}  // namespace herald
