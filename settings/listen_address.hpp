#pragma once
// `http.listen` (docs/daemon.md "The status endpoint"): HOST:PORT with an
// IP address or localhost — "127.0.0.1:8470", "[::1]:8470",
// "localhost:8470". One parser for the config loader (`validate` refuses
// what `run` would) and the status server (which binds what it returns).
// Pure: no name lookup, no socket.

#include <string>
#include <string_view>

#include "text/result.hpp"

namespace herald {

struct listen_address {
  std::string host;  ///< the IP address as written, without brackets ("127.0.0.1" for localhost)
  unsigned short port = 0;
  bool any = false;  ///< 0.0.0.0 or [::]: every interface, not loopback only
};

/// The address in `listen`, or why not: "http.listen '18470': no host;
/// write HOST:PORT …".
result<listen_address> parse_listen(std::string_view listen);

}  // namespace herald
