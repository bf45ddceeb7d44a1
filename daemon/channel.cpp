#include "daemon/channel.hpp"

#include <cerrno>
#include <cstring>
#include <ostream>

#include <fcntl.h>
#include <unistd.h>

#include <fmt/format.h>

namespace herald {
namespace {

smtp_submission::tls_mode tls_of(const std::string& tls) {
  if (tls == "tls") return smtp_submission::tls_mode::tls;
  if (tls == "none") return smtp_submission::tls_mode::none;
  return smtp_submission::tls_mode::starttls;
}

// One write() of a whole line with O_APPEND: concurrent writers (two herald
// processes, a tail -f) never see half a line.
delivery_outcome append_line(const std::string& path, const std::string& line) {
  int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
  if (fd < 0)
    return {delivery_outcome::kind::transient, std::nullopt,
            fmt::format("cannot open {}: {}", path, std::strerror(errno))};
  auto text = line + "\n";
  auto written = ::write(fd, text.data(), text.size());
  int error = errno;
  bool synced = ::fsync(fd) == 0;
  ::close(fd);
  if (written != static_cast<ssize_t>(text.size()) || !synced)
    return {delivery_outcome::kind::transient, std::nullopt,
            fmt::format("cannot write {}: {}", path, std::strerror(error))};
  return {delivery_outcome::kind::sent, std::nullopt, fmt::format("appended to {}", path)};
}

}  // namespace

std::variant<ready_channel, std::string> ready_channel::prepare(const channel_config& config,
                                                                const secret_sources& sources) {
  ready_channel channel;
  channel.config_ = &config;
  auto need = [&](const std::optional<secret_ref>& secret, std::string_view what, std::string& into) -> std::string {
    if (!secret) return {};
    auto resolved = resolve_secret(*secret, sources);
    if (!resolved.ok()) return fmt::format("channel '{}': {}: {}", config.name, what, resolved.error());
    into = std::move(resolved).value();
    return {};
  };
  if (auto error = need(config.url, "url", channel.url_); !error.empty()) return error;
  if (auto error = need(config.password, "password", channel.password_); !error.empty()) return error;
  for (const auto& [name, secret] : config.headers) {
    std::string value;
    if (auto error = need(secret, fmt::format("header {}", name), value); !error.empty()) return error;
    if (has_control_character(value))
      return fmt::format("channel '{}': header {} from {} holds a line break or control character; it is never sent",
                         config.name, name, describe_secret(secret));
    channel.headers_.emplace_back(name, std::move(value));
  }
  if (!channel.url_.empty())
    if (auto checked = check_post_url(channel.url_); !checked.ok())
      return fmt::format("channel '{}': the url from {} {}", config.name, describe_secret(*config.url),
                         checked.error());
  return channel;
}

std::string ready_channel::describe() const {
  const auto& type = config_->type;
  if (type == "console") return "stdout";
  if (type == "file") return config_->path;
  if (type == "email") return config_->server;
  return redact_url(url_);
}

void ready_channel::deliver(const post_content& post, curl_transport& transport, std::ostream& console,
                            date::sys_seconds now, const curl_transport::handler& done) const {
  const auto& type = config_->type;
  if (type == "console") {
    console << post_json(post) << '\n';
    console.flush();
    done({console ? delivery_outcome::kind::sent : delivery_outcome::kind::transient, std::nullopt, "printed"});
  } else if (type == "file") {
    done(append_line(config_->path, post_json(post)));
  } else if (type == "slack") {
    transport.send(slack_request(post, url_), done);
  } else if (type == "teams") {
    transport.send(teams_request(post, url_), done);
  } else if (type == "webhook") {
    transport.send(webhook_request(post, url_, headers_), done);
  } else if (type == "email") {
    email_settings settings{
        config_->server, tls_of(config_->tls), config_->username, password_, config_->from, config_->to, {}};
    auto submission = email_submission(post, settings, now);
    if (!submission.ok())
      done({delivery_outcome::kind::permanent, std::nullopt,
            submission.error()});  // a header that would inject: never sent
    else
      transport.send(std::move(submission).value(), done);
  }
}

}  // namespace herald
