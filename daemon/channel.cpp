#include "daemon/channel.hpp"

#include <cerrno>
#include <cstring>
#include <ostream>

#include <fcntl.h>
#include <unistd.h>

#include <fmt/format.h>

namespace herald {
namespace {

// One lambda for each kind of channel, for std::visit.
template <class... F>
struct overloaded : F... {
  using F::operator()...;
};

smtp_submission::tls_mode tls_of(email_channel::tls_mode tls) {
  switch (tls) {
    case email_channel::tls_mode::tls:
      return smtp_submission::tls_mode::tls;
    case email_channel::tls_mode::none:
      return smtp_submission::tls_mode::none;
    case email_channel::tls_mode::starttls:
      break;
  }
  return smtp_submission::tls_mode::starttls;
}

// The url of the kinds that post to one.
const secret_ref* url_of(const channel_kind& kind) {
  return std::visit(
      overloaded{[](const slack_channel& c) { return &c.url; }, [](const teams_channel& c) { return &c.url; },
                 [](const webhook_channel& c) { return &c.url; },
                 [](const auto&) -> const secret_ref* { return nullptr; }},
      kind);
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
                                                                const secret_sources& sources,
                                                                std::vector<std::string>* unread) {
  ready_channel channel;
  channel.config_ = &config;
  bool read = true;  // the last secret `need` asked for was read
  // "" when read (or, with `unread`, noted there): an error otherwise.
  auto need = [&](const secret_ref& secret, std::string_view what, std::string& into) -> std::string {
    auto resolved = resolve_secret(secret, sources);
    if (resolved.ok()) {
      into = std::move(resolved).value();
      return {};
    }
    auto error = fmt::format("channel '{}': {}: {}", config.name, what, resolved.error());
    if (!unread) return error;
    unread->push_back(std::move(error));
    if (channel.unread_.empty()) channel.unread_ = fmt::format("{} from {}", what, describe_secret(secret));
    read = false;
    return {};
  };
  const auto* url = url_of(config.kind);
  if (url)
    if (auto error = need(*url, "url", channel.url_); !error.empty()) return error;
  if (auto* email = std::get_if<email_channel>(&config.kind); email && email->password)
    if (auto error = need(*email->password, "password", channel.password_); !error.empty()) return error;
  if (auto* webhook = std::get_if<webhook_channel>(&config.kind))
    for (const auto& [name, secret] : webhook->headers) {
      std::string value;
      read = true;
      if (auto error = need(secret, fmt::format("header {}", name), value); !error.empty()) return error;
      if (!read) continue;
      if (has_control_character(value))
        return fmt::format("channel '{}': header {} from {} holds a line break or control character; it is never sent",
                           config.name, name, describe_secret(secret));
      channel.headers_.emplace_back(name, std::move(value));
    }
  if (!channel.url_.empty())
    if (auto checked = check_post_url(channel.url_); !checked.ok())
      return fmt::format("channel '{}': the url from {} {}", config.name, describe_secret(*url), checked.error());
  return channel;
}

// A server goes through redact_url like a URL: validate refuses userinfo in
// it, and this holds should a config ever reach here without validate.
std::string ready_channel::describe() const {
  if (!unread_.empty()) {
    auto shown = std::visit(overloaded{[](const email_channel& c) { return redact_url(c.server); },
                                       [this](const auto&) { return url_.empty() ? std::string() : redact_url(url_); }},
                            config_->kind);
    if (!shown.empty()) shown += ", ";
    return shown + unread_ + " not read";
  }
  return std::visit(overloaded{[](const console_channel&) -> std::string { return "stdout"; },
                               [](const file_channel& c) { return c.path; },
                               [](const email_channel& c) { return redact_url(c.server); },
                               [this](const auto&) { return redact_url(url_); }},
                    config_->kind);
}

void ready_channel::deliver(const post_content& post, curl_transport& transport, std::ostream& console,
                            const console_style& style, date::sys_seconds now,
                            const curl_transport::handler& done) const {
  if (!unread_.empty()) {  // a dry run's channel; the sender never delivers through it
    done({delivery_outcome::kind::permanent, std::nullopt, unread_ + " was not read"});
    return;
  }
  std::visit(
      overloaded{
          [&](const console_channel&) {
            console << console_text(post, now, style);
            console.flush();
            done({console ? delivery_outcome::kind::sent : delivery_outcome::kind::transient, std::nullopt, "printed"});
          },
          [&](const file_channel& c) { done(append_line(c.path, post_json(post))); },
          [&](const slack_channel&) { transport.send(slack_request(post, url_), done); },
          [&](const teams_channel&) { transport.send(teams_request(post, url_), done); },
          [&](const webhook_channel&) { transport.send(webhook_request(post, url_, headers_), done); },
          [&](const email_channel& c) {
            email_settings settings{c.server, tls_of(c.tls), c.username, password_, c.from, c.to, {}};
            auto submission = email_submission(post, settings, now);
            if (!submission.ok())  // a header that would inject: never sent
              done({delivery_outcome::kind::permanent, std::nullopt, submission.error()});
            else
              transport.send(std::move(submission).value(), done);
          },
      },
      config_->kind);
}

}  // namespace herald
