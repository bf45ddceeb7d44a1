// ready_channel::describe: where a channel's posts go, as logs, the dry
// run and send-test print it, never with a secret.
#include "daemon/channel.hpp"

#include <catch2/catch.hpp>

using namespace herald;

namespace {

email_channel email(std::string server) {
  email_channel c;
  c.server = std::move(server);
  return c;
}

std::string described(channel_kind kind) {
  channel_config config{"c", {}, std::move(kind)};
  auto prepared = ready_channel::prepare(config, {});
  REQUIRE(std::holds_alternative<ready_channel>(prepared));
  return std::get<ready_channel>(prepared).describe();
}

}  // namespace

TEST_CASE("channel: describe shows a server or URL without its userinfo, path or token", "[channel][secrets]") {
  // validate refuses userinfo in a server; describe holds should a config
  // reach it some other way.
  CHECK(described(email("smtp://user:SECRET@mail.example.org:587")) == "smtp://mail.example.org:587/…");
  CHECK(described(email("SMTPS://mail.example.org")) == "smtps://mail.example.org/");
  CHECK(described(slack_channel{{secret_ref::source::literal, "https://hooks.slack.com/services/T0/B0/SECRET"}}) ==
        "https://hooks.slack.com/…");
  CHECK(described(webhook_channel{{secret_ref::source::literal, "https://u:SECRET@example.org/hook"}, {}}) ==
        "https://example.org/…");
}
