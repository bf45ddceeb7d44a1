// The file is JSON so that a person (or a script without herald) can read
// it with `cat` or `jq`; herald itself reads only pid, since and reasons.
#include "daemon/health_file.hpp"

#include <fstream>
#include <sstream>
#include <system_error>
#include <utility>

#include <boost/json.hpp>

#include "daemon/atomic_write.hpp"
#include "text/instant_format.hpp"

namespace herald {
namespace {
namespace json = boost::json;

std::optional<date::sys_seconds> parse_utc_instant(std::string_view text) {
  std::istringstream in{std::string(text)};
  date::sys_seconds at;
  in >> date::parse("%Y-%m-%dT%H:%M:%SZ", at);
  if (!in || in.peek() != std::char_traits<char>::eof()) return std::nullopt;
  return at;
}

}  // namespace

std::filesystem::path health_file_path(const std::filesystem::path& state_dir) { return state_dir / "health.json"; }

std::string health_file_text(const published_health& health) {
  json::array reasons;
  for (const auto& reason : health.reasons) reasons.emplace_back(reason);
  json::object doc{{"pid", health.pid},
                   {"since", format_utc_instant(health.since)},
                   {"degraded", health.degraded()},
                   {"reasons", std::move(reasons)}};
  return json::serialize(doc) + "\n";
}

std::optional<published_health> parse_health_file(std::string_view text) {
  std::error_code error;
  auto doc = json::parse(text, error);
  if (error || !doc.is_object()) return std::nullopt;
  const auto& object = doc.get_object();
  const auto* pid = object.if_contains("pid");
  const auto* since = object.if_contains("since");
  const auto* reasons = object.if_contains("reasons");
  if (!pid || !pid->is_int64() || !since || !since->is_string() || !reasons || !reasons->is_array())
    return std::nullopt;
  published_health health;
  health.pid = static_cast<int>(pid->get_int64());
  auto at = parse_utc_instant(since->get_string());
  if (!at) return std::nullopt;
  health.since = *at;
  for (const auto& reason : reasons->get_array()) {
    if (!reason.is_string()) return std::nullopt;
    health.reasons.emplace_back(reason.get_string());
  }
  return health;
}

std::optional<published_health> current_health(const std::filesystem::path& state_dir,
                                               const daemon_presence& presence) {
  if (!presence.running || !presence.pid) return std::nullopt;
  std::ifstream in(health_file_path(state_dir), std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  auto health = parse_health_file(text.str());
  if (!health || health->pid != *presence.pid) return std::nullopt;  // a crashed daemon's
  return health;
}

void health_publisher::remove_stale() const {
  if (dir_.empty()) return;
  std::error_code ignored;  // none there is the common case; a file that stays is not trusted (its pid)
  std::filesystem::remove(health_file_path(dir_), ignored);
}

std::optional<std::string> health_publisher::update(const std::vector<std::string>& reasons, date::sys_seconds now) {
  if (last_ && last_->reasons == reasons) return std::nullopt;
  last_ = published_health{pid_, now, reasons};
  if (dir_.empty()) return std::nullopt;
  auto written = write_atomically(health_file_path(dir_), health_file_text(*last_), write_durability::unsynced);
  if (written.ok()) {
    failing_ = false;
    return std::nullopt;
  }
  remove_stale();  // the file's older reasons are no longer the daemon's: "unknown" rather than wrong
  if (std::exchange(failing_, true)) return std::nullopt;  // said already
  return written.error();
}

}  // namespace herald
