#include "messaging/host_queue.hpp"

#include "text/strings.hpp"

namespace herald {

std::string host_of(std::string_view url) {
  auto scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return std::string(url);
  auto authority_start = scheme_end + 3;
  auto authority_end = url.find_first_of("/?#", authority_start);
  if (authority_end == std::string_view::npos) authority_end = url.size();
  auto authority = url.substr(authority_start, authority_end - authority_start);
  // The userinfo may be a secret and does not choose the connection.
  if (auto at = authority.rfind('@'); at != std::string_view::npos) authority = authority.substr(at + 1);
  std::string host(url.substr(0, authority_start));
  host.append(authority);
  return ascii_lower(host);
}

}  // namespace herald
