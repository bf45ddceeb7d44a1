#include "settings/state_dir.hpp"

#include <system_error>

#include <fmt/format.h>

#include "calendar/yaml_document.hpp"
#include "text/file.hpp"

namespace herald {

std::filesystem::path state_dir_of(const config& cfg, const std::function<const char*(const char*)>& getenv) {
  if (!cfg.state_dir.empty()) return cfg.state_dir;
  if (const char* dirs = getenv("STATE_DIRECTORY"); dirs && *dirs) {
    std::string_view list(dirs);
    return std::filesystem::path(std::string(list.substr(0, list.find(':'))));
  }
  return "state";
}

std::filesystem::path state_dir_hint(const std::string& config_path,
                                     const std::function<const char*(const char*)>& getenv) {
  config cfg;
  if (auto text = read_text_file(config_path); text.ok()) {
    auto document = yaml_document::read(text.value(), config_path);
    if (auto* doc = std::get_if<yaml_document>(&document); doc && doc->root().is_mapping())
      if (auto dir = doc->root().find("state_dir"); dir && dir->is_scalar() && !dir->scalar().empty()) {
        std::filesystem::path path(dir->scalar());  // resolved as the config loader does
        cfg.state_dir = path.is_absolute()
                            ? path.string()
                            : (std::filesystem::path(config_path).parent_path() / path).lexically_normal().string();
      }
  }
  return state_dir_of(cfg, getenv);
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
