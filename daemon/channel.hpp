#pragma once
// A configured channel made ready to post: secrets resolved, the request
// builder chosen. `deliver` sends one post and reports the outcome; it is the
// one place that knows which kind of channel goes which way.
//
// Used from the io_context's thread only.

#include <functional>
#include <iosfwd>
#include <string>
#include <variant>
#include <vector>

#include "messaging/console_text.hpp"
#include "messaging/curl_transport.hpp"
#include "messaging/payloads.hpp"
#include "settings/config.hpp"
#include "settings/secrets.hpp"

namespace herald {

class ready_channel {
 public:
  /// Resolves the channel's secrets; an error names the secret's source, never its value.
  /// With `unread` (a dry run, which contacts no channel): a secret that
  /// cannot be read is no error but a line added there, in the same words,
  /// and the channel is ready to be described, never to deliver.
  static std::variant<ready_channel, std::string> prepare(const channel_config& config, const secret_sources& sources,
                                                          std::vector<std::string>* unread = nullptr);

  const channel_config& config() const { return *config_; }
  /// Where posts go, fit to print: `https://hooks.slack.com/…`, `smtp://mail.example.org:587/`, `stdout`, a path.
  std::string describe() const;

  /// Sends `post`; `done` gets the outcome (console and file answer at once).
  /// `console` is where console channels write, as `style` says. A channel prepared with a
  /// secret unread answers a permanent failure without contacting anyone.
  void deliver(const post_content& post, curl_transport& transport, std::ostream& console, const console_style& style,
               date::sys_seconds now, const curl_transport::handler& done) const;

 private:
  const channel_config* config_ = nullptr;
  std::string url_;
  std::vector<std::pair<std::string, std::string>> headers_;
  std::string password_;
  std::string unread_;  ///< "url from {env: SLACK_URL}" when prepared without it; "" when every secret was read
};

}  // namespace herald
