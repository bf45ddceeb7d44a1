// HOST:PORT for the status endpoint (settings/listen_address.hpp).
#include "settings/listen_address.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <optional>

#include <fmt/format.h>

#include "text/strings.hpp"

namespace herald {

result<listen_address> parse_listen(std::string_view listen) {
  auto bad = [&](std::string_view why) {
    return failure{
        fmt::format("http.listen '{}': {}; write HOST:PORT with an IP address or localhost, e.g. 127.0.0.1:8470 or "
                    "[::1]:8470",
                    listen, why)};
  };
  std::string_view host, port_text;
  if (listen.starts_with('[')) {  // [IPv6]:PORT
    auto close = listen.find(']');
    if (close == std::string_view::npos) return bad("no ']' after the IPv6 address");
    host = listen.substr(1, close - 1);
    if (host.find(':') == std::string_view::npos) return bad("only an IPv6 address goes in brackets");
    if (close + 1 == listen.size() || listen[close + 1] != ':') return bad("no port");
    port_text = listen.substr(close + 2);
  } else {
    auto colon = listen.rfind(':');
    // "18470" is a port without a host; "127.0.0.1" a host without a port.
    if (colon == std::string_view::npos)
      return bad(!listen.empty() && listen.find_first_not_of("0123456789") == std::string_view::npos ? "no host"
                                                                                                     : "no port");
    host = listen.substr(0, colon);
    port_text = listen.substr(colon + 1);
    if (host.find(':') != std::string_view::npos) return bad("an IPv6 address goes in brackets");
  }
  if (host.empty()) return bad("no host");
  auto port = port_text.size() > 5 ? std::nullopt : parse_integer<unsigned>(port_text, 0, 65535);
  if (!port) return bad("the port is not a number from 0 to 65535");
  listen_address out{std::string(host == "localhost" ? "127.0.0.1" : host), static_cast<unsigned short>(*port)};
  unsigned char bytes[16];
  bool v6 = out.host.find(':') != std::string::npos;
  if (::inet_pton(v6 ? AF_INET6 : AF_INET, out.host.c_str(), bytes) != 1) return bad("the host is not an IP address");
  out.any = out.host == "0.0.0.0" || (v6 && std::all_of(bytes, bytes + 16, [](unsigned char b) { return b == 0; }));
  return out;
}

}  // namespace herald
