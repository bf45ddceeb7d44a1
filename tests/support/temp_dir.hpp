#pragma once
// A fresh directory for one test, removed with everything in it when the
// test ends, passed or failed. mkdtemp makes the name unique across
// processes, so tests run in parallel (ctest -j) never share one.
//
// Not copyable or movable: the directory belongs to one scope.

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>

namespace herald::test {

class temp_dir {
 public:
  /// Creates $TMPDIR/<prefix>-XXXXXX (or /tmp/…). Throws std::runtime_error
  /// when it cannot.
  explicit temp_dir(std::string_view prefix = "herald-test") {
    auto pattern = (std::filesystem::temp_directory_path() / (std::string(prefix) + "-XXXXXX")).string();
    if (::mkdtemp(pattern.data()) == nullptr)
      throw std::runtime_error("cannot create a temporary directory like " + pattern);
    path_ = pattern;
  }
  ~temp_dir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::filesystem::path& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

/// Writes `text` to `path` as an editor does: a new file beside it, renamed
/// over the old one, so a watcher never reads half of it.
inline void replace_file(const std::filesystem::path& path, const std::string& text) {
  auto name = path.filename().string();  // ".NAME.tmp", built in place (GCC 12's -Wrestrict)
  name.insert(0, 1, '.');
  name += ".tmp";
  auto temporary = path.parent_path() / name;
  std::ofstream(temporary, std::ios::binary | std::ios::trunc) << text;
  std::filesystem::rename(temporary, path);
}

}  // namespace herald::test
