#include <catch2/catch.hpp>

#include <boost/json.hpp>

#include "messaging/payloads.hpp"

using namespace herald;
namespace json = boost::json;

namespace {

post_content sample_post() {
  post_content post;
  post.key = "inwed/2027-06-23/-28d/staff-slack";
  post.event = "inwed";
  post.title = "International Women in Engineering Day";
  post.text = "INWED is on Wednesday 23 June 2027.";
  post.subject = "INWED in four weeks";
  post.url = "https://www.inwed.org.uk/";
  post.date = "2027-06-23";
  post.end_date = "2027-06-23";
  post.due = "2027-05-26T08:30:00Z";
  post.channel = "staff-slack";
  return post;
}

post_content with_text(std::string text) {
  auto post = sample_post();
  post.text = std::move(text);
  return post;
}

json::value slack_body(const post_content& post) {
  return json::parse(slack_request(post, "https://hooks.slack.com/services/T/B/X").body);
}

std::string section_text(const post_content& post) {
  return json::value_to<std::string>(slack_body(post).at("blocks").at(1).at("text").at("text"));
}

// What Slack may count as a character: UTF-16 code units, the larger count.
std::size_t utf16_units(std::string_view text) {
  std::size_t units = 0;
  for (unsigned char c : text) {
    if ((c & 0xc0) != 0x80) ++units;  // a lead byte: one code point
    if (c >= 0xf0) ++units;           // four bytes: a surrogate pair
  }
  return units;
}

std::string repeat(std::string_view text, std::size_t times) {
  std::string out;
  for (std::size_t i = 0; i < times; ++i) out += text;
  return out;
}

}  // namespace

TEST_CASE("payloads: post_json is the docs/channels.md object, keys in order", "[payloads]") {
  auto post = sample_post();
  post.url.clear();
  auto value = json::parse(post_json(post));
  const auto& object = value.as_object();
  std::vector<std::string> keys;
  for (const auto& entry : object) keys.emplace_back(entry.key());
  CHECK(keys == std::vector<std::string>{"key", "event", "title", "text", "subject", "date", "end_date", "url", "due",
                                         "channel"});
  CHECK(value == json::parse(R"({"key":"inwed/2027-06-23/-28d/staff-slack","event":"inwed",
    "title":"International Women in Engineering Day","text":"INWED is on Wednesday 23 June 2027.",
    "subject":"INWED in four weeks","date":"2027-06-23","end_date":"2027-06-23","url":"",
    "due":"2027-05-26T08:30:00Z","channel":"staff-slack"})"));
}

TEST_CASE("payloads: post_json escapes quotes, newlines and control characters", "[payloads]") {
  auto post = with_text("She said \"hi\"\nthen\tleft \\ \x01");
  auto value = json::parse(post_json(post));
  CHECK(value.at("text") == "She said \"hi\"\nthen\tleft \\ \x01");
}

TEST_CASE("payloads: slack sends a header, an mrkdwn section and a button", "[payloads]") {
  auto request = slack_request(sample_post(), "https://hooks.slack.com/services/T/B/X");
  CHECK(request.url == "https://hooks.slack.com/services/T/B/X");
  CHECK(request.content_type == "application/json");
  CHECK(request.headers.empty());
  CHECK(json::parse(request.body) == json::parse(R"({
    "text": "INWED is on Wednesday 23 June 2027.",
    "blocks": [
      {"type": "header", "text": {"type": "plain_text", "text": "International Women in Engineering Day", "emoji": true}},
      {"type": "section", "text": {"type": "mrkdwn", "text": "INWED is on Wednesday 23 June 2027."}},
      {"type": "actions", "elements": [
        {"type": "button", "text": {"type": "plain_text", "text": "Find out more"}, "url": "https://www.inwed.org.uk/"}]}
    ]})"));
}

TEST_CASE("payloads: slack leaves out the button without a url", "[payloads]") {
  auto post = sample_post();
  post.url.clear();
  auto blocks = slack_body(post).at("blocks").as_array();
  REQUIRE(blocks.size() == 2);
  CHECK(blocks[0].at("type") == "header");
  CHECK(blocks[1].at("type") == "section");
}

TEST_CASE("payloads: slack leaves out a button whose url Slack would refuse", "[payloads]") {
  auto post = sample_post();
  post.url = "https://example.org/?q=" + std::string(3000, 'a');
  CHECK(slack_body(post).at("blocks").as_array().size() == 2);
}

TEST_CASE("payloads: slack escapes &, < and > in the message and its fallback", "[payloads]") {
  auto post = with_text("Tom & Jerry <!channel> say 2 > 1 and *bold*");
  auto body = slack_body(post);
  CHECK(body.at("blocks").at(1).at("text").at("text") == "Tom &amp; Jerry &lt;!channel&gt; say 2 &gt; 1 and *bold*");
  CHECK(body.at("text") == "Tom &amp; Jerry &lt;!channel&gt; say 2 &gt; 1 and *bold*");
}

TEST_CASE("payloads: the slack header is plain text, not escaped", "[payloads]") {
  auto post = sample_post();
  post.title = "Science & Engineering <Week>";
  CHECK(slack_body(post).at("blocks").at(0).at("text").at("text") == "Science & Engineering <Week>");
}

TEST_CASE("payloads: a 5000-character slack message is cut at a word with an ellipsis", "[payloads]") {
  // Given 1000 five-letter words, then the section holds whole words up to 3000.
  auto text = repeat("word ", 1000);
  auto cut = section_text(with_text(text));
  CHECK(utf16_units(cut) <= 3000);
  CHECK(utf16_units(cut) > 2900);
  REQUIRE(cut.ends_with("\u2026"));
  auto kept = cut.substr(0, cut.size() - 3);
  CHECK(kept.ends_with("word"));
  CHECK(text.starts_with(kept + " "));
  CHECK(slack_body(with_text(text)).at("text") == json::value(cut));
}

TEST_CASE("payloads: a message of exactly 3000 characters is not cut", "[payloads]") {
  auto text = std::string(3000, 'x');
  CHECK(section_text(with_text(text)) == text);
  CHECK(section_text(with_text(text + "x")) == std::string(2999, 'x') + "\u2026");
}

TEST_CASE("payloads: slack never cuts inside an escape", "[payloads]") {
  // Given ampersands only: each is five characters once escaped, no spaces.
  auto cut = section_text(with_text(std::string(1000, '&')));
  CHECK(cut == repeat("&amp;", 599) + "\u2026");

  // Given a word boundary just before an '&' that would straddle the limit.
  auto text = std::string(2994, 'a') + " & b" + std::string(100, 'c');
  CHECK(section_text(with_text(text)) == std::string(2994, 'a') + "\u2026");
}

TEST_CASE("payloads: slack counts characters, not bytes, and never splits one", "[payloads]") {
  // Two-byte letters: 3000 of them are 6000 bytes, yet fit.
  CHECK(section_text(with_text(repeat("é", 3000))) == repeat("é", 3000));
  CHECK(section_text(with_text(repeat("é", 3001))) == repeat("é", 2999) + "\u2026");

  // Emoji outside the BMP count as two (UTF-16), so 1499 fit with the ellipsis.
  auto emoji = section_text(with_text(repeat("😀", 2000)));
  CHECK(emoji == repeat("😀", 1499) + "\u2026");
  CHECK(utf16_units(emoji) == 2999);
}

TEST_CASE("payloads: slack keeps a ZWJ emoji whole at the cut", "[payloads]") {
  // Given families of 8 UTF-16 units each: 374 fit (2992); the 375th would
  // be cut after "woman ZWJ woman ZWJ", which must not be sent.
  auto family = std::string("👩\u200d👩\u200d👧");
  CHECK(section_text(with_text(repeat(family, 400))) == repeat(family, 374) + "\u2026");
}

TEST_CASE("payloads: the slack header is cut to 150 characters", "[payloads]") {
  auto post = sample_post();
  post.title = repeat("Engineering ", 20);  // 240 characters
  auto header = json::value_to<std::string>(slack_body(post).at("blocks").at(0).at("text").at("text"));
  CHECK(utf16_units(header) <= 150);
  CHECK(header.ends_with("Engineering\u2026"));
}

TEST_CASE("payloads: slack leaves out empty blocks it would refuse", "[payloads]") {
  auto post = sample_post();
  post.title.clear();
  post.text.clear();
  auto body = slack_body(post);
  REQUIRE(body.at("blocks").as_array().size() == 1);
  CHECK(body.at("blocks").at(0).at("type") == "actions");
}

TEST_CASE("payloads: the slack body is byte for byte what Boost.JSON writes for it", "[payloads]") {
  // slack_request writes its JSON directly; parsing it and serialising the
  // value again with Boost.JSON (keys kept in order) must give the same bytes.
  std::vector<post_content> posts{sample_post(), with_text(""), with_text("a & b < c > \"q\" \\ \n\t\r\x01\x1f\x7f"),
                                  with_text("caf\xc3\xa9 \xf0\x9f\x91\xa9\xe2\x80\x8d\xf0\x9f\x92\xbb \xe2\x80\xa8"),
                                  with_text(repeat("word ", 1000))};
  posts.back().title = repeat("t\"", 100);
  posts[1].title.clear();
  posts[2].url = "https://example.org/?a=\"b\"&c=<d>";
  posts[3].url = repeat("u", 3001);
  for (const auto& post : posts) {
    auto body = slack_request(post, "https://hooks.slack.com/services/T/B/X").body;
    INFO(body);
    CHECK(json::serialize(json::parse(body)) == body);
  }
}

TEST_CASE("payloads: teams sends an Adaptive Card 1.4 message, a TextBlock per line", "[payloads]") {
  auto post = with_text("Line one\nTom & Jerry");
  auto request = teams_request(post, "https://example.webhook.office.com/x");
  CHECK(request.url == "https://example.webhook.office.com/x");
  CHECK(request.content_type == "application/json");
  CHECK(json::parse(request.body) == json::parse(R"({"type":"message","attachments":[{
    "contentType":"application/vnd.microsoft.card.adaptive","contentUrl":null,
    "content":{"$schema":"http://adaptivecards.io/schemas/adaptive-card.json","type":"AdaptiveCard","version":"1.4",
      "body":[{"type":"TextBlock","text":"International Women in Engineering Day","weight":"Bolder","size":"Medium","wrap":true},
              {"type":"TextBlock","text":"Line one","wrap":true},
              {"type":"TextBlock","text":"Tom & Jerry","wrap":true,"spacing":"None"}],
      "actions":[{"type":"Action.OpenUrl","title":"Find out more","url":"https://www.inwed.org.uk/"}]}}]})"));
}

TEST_CASE("payloads: teams has no actions without a url", "[payloads]") {
  auto post = sample_post();
  post.url.clear();
  auto body = json::parse(teams_request(post, "https://x.example/").body);
  const auto& content = body.at("attachments").at(0).at("content").as_object();
  CHECK_FALSE(content.contains("actions"));
  CHECK(content.at("body").as_array().size() == 2);
}

TEST_CASE("payloads: a webhook gets post_json and the post key as Idempotency-Key", "[payloads]") {
  auto post = sample_post();
  auto request = webhook_request(post, "https://hooks.example.org/herald", {{"Authorization", "Bearer s3cret"}});
  CHECK(request.url == "https://hooks.example.org/herald");
  CHECK(request.content_type == "application/json");
  CHECK(request.body == post_json(post));
  using headers = std::vector<std::pair<std::string, std::string>>;
  CHECK(request.headers ==
        headers{{"Idempotency-Key", "inwed/2027-06-23/-28d/staff-slack"}, {"Authorization", "Bearer s3cret"}});
}

TEST_CASE("payloads: a webhook header that would inject a line is never sent", "[payloads]") {
  // Given values with CR, LF or NUL, and names that are no header names.
  auto request = webhook_request(sample_post(), "https://hooks.example.org/herald",
                                 {{"Authorization", "Bearer x\r\nX-Evil: 1"},
                                  {"X-Token", "abc\n"},
                                  {"X-Nul", std::string("a\0b", 3)},
                                  {"X-Evil\r\nHost", "x"},
                                  {"Bad Name", "x"},
                                  {"", "x"},
                                  {"X-Ok", " \tfine\t "}});
  using headers = std::vector<std::pair<std::string, std::string>>;
  CHECK(request.headers == headers{{"Idempotency-Key", "inwed/2027-06-23/-28d/staff-slack"}, {"X-Ok", "fine"}});
}

TEST_CASE("payloads: a control character in the post key cannot break the Idempotency-Key", "[payloads]") {
  auto post = sample_post();
  post.key = "inwed/2027-06-23/-28d/odd\r\nX-Evil: 1";
  auto request = webhook_request(post, "https://hooks.example.org/herald", {});
  REQUIRE(request.headers.size() == 1);
  CHECK(request.headers[0].second == "inwed/2027-06-23/-28d/odd%0D%0AX-Evil: 1");
  CHECK(json::parse(request.body).at("key") == json::value(post.key));
}

TEST_CASE("payloads: configured headers cannot replace the Idempotency-Key or framing", "[payloads]") {
  auto request = webhook_request(
      sample_post(), "https://hooks.example.org/herald",
      {{"idempotency-key", "other"}, {"Content-Type", "text/plain"}, {"Content-Length", "1"}, {"X-Tab", "a\tb"}});
  using headers = std::vector<std::pair<std::string, std::string>>;
  CHECK(request.headers == headers{{"Idempotency-Key", "inwed/2027-06-23/-28d/staff-slack"}, {"X-Tab", "a\tb"}});
}
