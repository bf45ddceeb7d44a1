#include "messaging/scrub_lists.hpp"

#include <algorithm>
#include <string_view>

#include "messaging/curl_transfer.hpp"
#include "text/strings.hpp"

namespace herald {
namespace {

// Channels are few; the cap only matters if URLs or credentials keep
// changing (reloads), and then the cache starts over.
constexpr std::size_t max_lists = 256;

// Each part with its length first, so that no two different sets of parts
// (a value holding a separator, say) give the same key.
void add_part(std::string& key, std::string_view part) {
  key += std::to_string(part.size());
  key += ':';
  key += part;
}

}  // namespace

scrub_lists::list scrub_lists::for_http(const std::string& url,
                                        const std::vector<std::pair<std::string, std::string>>& headers) {
  auto build = [&] {
    auto secrets = secret_parts(url);
    for (const auto& header : headers) add_header_secret(secrets, header.second);
    with_encoded_forms(secrets);
    return secrets;
  };
  // A webhook's headers hold its post's key (Idempotency-Key), so its list
  // is its own: kept, it would only push the channels' lists out.
  bool per_post = std::any_of(headers.begin(), headers.end(),
                              [](const auto& header) { return iequals(header.first, "Idempotency-Key"); });
  if (per_post) return std::make_shared<const std::vector<std::string>>(build());
  std::string key = "http ";
  add_part(key, url);
  for (const auto& header : headers) add_part(key, header.second);
  if (auto found = lists_.find(key); found != lists_.end()) return found->second;
  return remember(std::move(key), build());
}

scrub_lists::list scrub_lists::for_smtp(const std::string& server, const std::string& password) {
  std::string key = "smtp ";
  add_part(key, server);
  add_part(key, password);
  if (auto found = lists_.find(key); found != lists_.end()) return found->second;
  auto secrets = secret_parts(server);
  if (password.size() >= 2) secrets.insert(secrets.begin(), password);
  with_encoded_forms(secrets);
  return remember(std::move(key), std::move(secrets));
}

scrub_lists::list scrub_lists::remember(std::string key, std::vector<std::string> secrets) {
  if (lists_.size() >= max_lists) lists_.clear();
  auto made = std::make_shared<const std::vector<std::string>>(std::move(secrets));
  lists_.emplace(std::move(key), made);
  return made;
}

}  // namespace herald
