#pragma once
// The text no outcome detail of a transfer may hold (its scrub list:
// secret_parts, header secrets and their base64 forms, longest first), kept
// per distinct destination and credentials. *Why:* a list depends only on
// the channel's URL and headers (or SMTP server and password), and building
// it for every post was ~9 % of the send loop's instructions
// (docs/PERFORMANCE.md "2026-12-03, evening: send path"). A webhook's list
// also holds its post's Idempotency-Key, so it is still built per post.
//
// Internal to the messaging library; one per transport, on its thread.

#include <memory>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace herald {

class scrub_lists {
 public:
  /// Shared: a transfer keeps its list however the cache changes.
  using list = std::shared_ptr<const std::vector<std::string>>;

  list for_http(const std::string& url, const std::vector<std::pair<std::string, std::string>>& headers);
  list for_smtp(const std::string& server, const std::string& password);

 private:
  list remember(std::string key, std::vector<std::string> secrets);

  std::unordered_map<std::string, list> lists_;  // by the length-prefixed parts they come from
};

}  // namespace herald
