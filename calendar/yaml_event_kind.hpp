#pragma once
// The kinds of yaml-cpp's events, as the recorders that carry them between
// threads write them down (calendar/yaml_event_pipe.cpp,
// calendar/yaml_parallel_parse.cpp): one byte each.

#include <cstdint>

namespace herald {

enum class yaml_event_kind : std::uint8_t {
  document_start,
  document_end,
  null,
  alias,
  scalar,
  sequence_start,
  sequence_end,
  map_start,
  map_end,
  anchor,
};

}  // namespace herald
