// The copy is written beside the journal because that is the one folder
// herald may write under systemd (StateDirectory=). A copy is named by its
// content's hash so that a new manifest never names a file an old manifest
// still needs half-written: files first, then the manifest, then the
// files no manifest names any more are removed.
#include "daemon/last_good.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>

#include <fmt/format.h>

#include "text/file.hpp"
#include "text/instant_format.hpp"

namespace herald {
namespace {

constexpr std::string_view manifest_header = "herald last-good 1";

// FNV-1a: stable across builds, unlike std::hash.
std::string content_name(const std::string& bytes) {
  std::uint64_t hash = 14695981039346656037ull;
  for (unsigned char c : bytes) hash = (hash ^ c) * 1099511628211ull;
  return fmt::format("{:016x}.yaml", hash);
}

// Written whole and synced under a temporary name, then renamed over `path`.
result<void> write_atomically(const std::filesystem::path& path, const std::string& bytes) {
  auto temp = path;
  temp += ".tmp";
  int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return failure{fmt::format("cannot write {}: {}", temp.string(), std::strerror(errno))};
  std::size_t done = 0;
  while (done < bytes.size()) {
    auto n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    done += static_cast<std::size_t>(n);
  }
  bool ok = done == bytes.size() && ::fsync(fd) == 0;
  auto error = errno;
  ::close(fd);
  if (!ok || ::rename(temp.c_str(), path.c_str()) != 0) {
    if (ok) error = errno;
    ::unlink(temp.c_str());
    return failure{fmt::format("cannot write {}: {}", path.string(), std::strerror(error))};
  }
  return {};
}

std::optional<date::sys_seconds> parse_stamp(const std::string& text) {
  std::istringstream in(text);
  date::sys_seconds at;
  in >> date::parse("%FT%TZ", at);
  if (in.fail()) return std::nullopt;
  return at;
}

}  // namespace

std::string last_good_copy::read_from(const std::string& path) const {
  auto found = copies.find(path);
  return found == copies.end() ? path : found->second.string();
}

result<void> save_last_good(const std::filesystem::path& state_dir, const std::string& config_path,
                            const std::vector<std::string>& calendars, date::sys_seconds now) {
  auto dir = last_good_dir(state_dir);
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return failure{fmt::format("cannot create {}: {}", dir.string(), ec.message())};
  std::string manifest = fmt::format("{}\nsaved {}\n", manifest_header, format_utc_instant(now));
  std::set<std::string> kept{"manifest"};
  std::vector<std::string> files{config_path};
  files.insert(files.end(), calendars.begin(), calendars.end());
  for (const auto& file : files) {
    if (file.find_first_of("\t\n") != std::string::npos)
      return failure{fmt::format("cannot keep a copy of '{}': its name holds a tab or line break", file)};
    auto bytes = read_text_file(file);
    if (!bytes.ok()) return failure{bytes.error()};
    auto name = content_name(bytes.value());
    if (kept.insert(name).second)
      if (auto written = write_atomically(dir / name, bytes.value()); !written.ok()) return written;
    manifest += fmt::format("{}\t{}\n", name, file);
  }
  if (auto written = write_atomically(dir / "manifest", manifest); !written.ok()) return written;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec))
    if (!kept.contains(entry.path().filename().string())) std::filesystem::remove(entry.path(), ec);
  return {};
}

std::optional<last_good_copy> read_last_good(const std::filesystem::path& state_dir, const std::string& config_path) {
  auto dir = last_good_dir(state_dir);
  std::ifstream in(dir / "manifest");
  std::string line;
  if (!std::getline(in, line) || line != manifest_header) return std::nullopt;
  if (!std::getline(in, line) || !line.starts_with("saved ")) return std::nullopt;
  auto saved = parse_stamp(line.substr(6));
  if (!saved) return std::nullopt;
  last_good_copy copy{*saved, {}, {}};
  while (std::getline(in, line)) {
    auto tab = line.find('\t');
    if (tab == std::string::npos) return std::nullopt;
    auto original = line.substr(tab + 1);
    auto file = dir / line.substr(0, tab);
    if (!std::filesystem::is_regular_file(file)) return std::nullopt;  // not whole: never run half a copy
    if (copy.config_path.empty()) copy.config_path = original;
    copy.copies.emplace(original, file);
  }
  // A copy made for another config is not this one's last good start.
  if (copy.config_path != config_path) return std::nullopt;
  return copy;
}

}  // namespace herald
