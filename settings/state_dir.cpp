#include "settings/state_dir.hpp"

#include <system_error>

#include <fmt/format.h>

namespace herald {

std::filesystem::path state_dir_of(const config& cfg, const std::function<const char*(const char*)>& getenv) {
  if (!cfg.state_dir.empty()) return cfg.state_dir;
  if (const char* dirs = getenv("STATE_DIRECTORY"); dirs && *dirs) {
    std::string_view list(dirs);
    return std::filesystem::path(std::string(list.substr(0, list.find(':'))));
  }
  return "state";
}

result<void> ensure_state_dir(const std::filesystem::path& dir) {
  std::error_code error;
  std::filesystem::create_directories(dir, error);
  if (error) return failure{fmt::format("cannot create state directory {}: {}", dir.string(), error.message())};
  if (!std::filesystem::is_directory(dir, error))
    return failure{fmt::format("state directory {} is not a directory", dir.string())};
  return {};
}

}  // namespace herald
