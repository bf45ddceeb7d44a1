// The copy is written beside the journal because that is the one folder
// herald may write under systemd (StateDirectory=). A copy is named by its
// content's hash so that a new manifest never names a file an old manifest
// still needs half-written: files first, then the manifest, then the
// files no manifest names any more are removed.
#include "daemon/last_good.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>

#include <fmt/format.h>

#include "daemon/atomic_write.hpp"
#include "text/instant_format.hpp"

namespace herald {
namespace {

constexpr std::string_view manifest_header = "herald last-good 1";

constexpr std::uint64_t fnv_offset = 14695981039346656037ull;

// FNV-1a: stable across builds, unlike std::hash.
std::uint64_t fnv1a(std::string_view bytes, std::uint64_t hash = fnv_offset) {
  for (unsigned char c : bytes) hash = (hash ^ c) * 1099511628211ull;
  return hash;
}

std::string name_of_hash(std::uint64_t hash) { return fmt::format("{:016x}.yaml", hash); }

// The name `path`'s bytes would be copied under, read a piece at a time: a
// check of a 30 MB calendar costs no 30 MB of memory.
result<std::string> content_name_of_file(const std::filesystem::path& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return failure{fmt::format("cannot read {}: {}", path.string(), std::strerror(errno))};
  std::uint64_t hash = fnv_offset;
  std::string piece(64 * 1024, '\0');
  for (;;) {
    auto n = ::read(fd, piece.data(), piece.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      auto error = errno;
      ::close(fd);
      return failure{fmt::format("cannot read {}: {}", path.string(), std::strerror(error))};
    }
    if (n == 0) break;
    hash = fnv1a(std::string_view(piece.data(), static_cast<std::size_t>(n)), hash);
  }
  ::close(fd);
  return name_of_hash(hash);
}

std::int64_t nanoseconds_of(const timespec& t) { return std::int64_t{t.tv_sec} * 1'000'000'000 + t.tv_nsec; }

// Copies `file` into `dir` a piece at a time, synced, under the name of its
// content's hash (renamed there once whole); returns that name. A piece at
// a time, because the copy is made while the calendars just loaded are in
// memory: a 30 MB calendar read whole would be 30 MB more at the daemon's peak.
result<std::string> copy_into(const std::filesystem::path& dir, const std::string& file) {
  int in = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  if (in < 0) return failure{fmt::format("cannot read '{}': {}", file, std::strerror(errno))};
  auto temp = dir / "copying.tmp";
  int out = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (out < 0) {
    auto error = errno;
    ::close(in);
    return failure{fmt::format("cannot write {}: {}", temp.string(), std::strerror(error))};
  }
  std::uint64_t hash = fnv_offset;
  std::string piece(64 * 1024, '\0');
  std::string problem;
  for (;;) {
    auto n = ::read(in, piece.data(), piece.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) problem = fmt::format("cannot read '{}': {}", file, std::strerror(errno));
    if (n <= 0) break;
    std::string_view got(piece.data(), static_cast<std::size_t>(n));
    hash = fnv1a(got, hash);
    while (!got.empty() && problem.empty()) {
      auto written = ::write(out, got.data(), got.size());
      if (written < 0 && errno == EINTR) continue;
      if (written <= 0) problem = fmt::format("cannot write {}: {}", temp.string(), std::strerror(errno));
      if (written > 0) got.remove_prefix(static_cast<std::size_t>(written));
    }
    if (!problem.empty()) break;
  }
  if (problem.empty() && ::fsync(out) != 0)
    problem = fmt::format("cannot write {}: {}", temp.string(), std::strerror(errno));
  ::close(in);
  ::close(out);
  auto name = name_of_hash(hash);
  if (problem.empty() && ::rename(temp.c_str(), (dir / name).c_str()) != 0)
    problem = fmt::format("cannot write {}: {}", (dir / name).string(), std::strerror(errno));
  if (problem.empty()) return name;
  ::unlink(temp.c_str());
  return failure{problem};
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

namespace {

// The copy in `state_dir` when it holds just `files`, each with the bytes
// it has now: reading each file and its copy once costs less than writing
// and syncing them again on every reload.
std::optional<last_good_copy> same_copy(const std::filesystem::path& state_dir, const std::string& config_path,
                                        const std::vector<std::string>& files) {
  auto copy = read_last_good(state_dir, config_path);
  if (!copy || copy->copies.size() != std::set<std::string>(files.begin(), files.end()).size()) return std::nullopt;
  for (const auto& file : files) {
    auto found = copy->copies.find(file);
    if (found == copy->copies.end()) return std::nullopt;
    auto name = content_name_of_file(file);
    if (!name.ok() || name.value() != found->second.filename().string()) return std::nullopt;
  }
  if (!check_last_good(*copy).ok()) return std::nullopt;
  return copy;
}

}  // namespace

result<date::sys_seconds> save_last_good(const std::filesystem::path& state_dir, const std::string& config_path,
                                         const std::vector<std::string>& calendars, date::sys_seconds now) {
  std::vector<std::string> files{config_path};
  files.insert(files.end(), calendars.begin(), calendars.end());
  if (auto kept = same_copy(state_dir, config_path, files)) return kept->saved_at;
  auto dir = last_good_dir(state_dir);
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return failure{fmt::format("cannot create {}: {}", dir.string(), ec.message())};
  std::string manifest = fmt::format("{}\nsaved {}\n", manifest_header, format_utc_instant(now));
  std::set<std::string> kept{"manifest"};
  for (const auto& file : files) {
    if (file.find_first_of("\t\n") != std::string::npos)
      return failure{fmt::format("cannot keep a copy of '{}': its name holds a tab or line break", file)};
    auto name = copy_into(dir, file);
    if (!name.ok()) return failure{name.error()};
    kept.insert(name.value());
    manifest += fmt::format("{}\t{}\n", name.value(), file);
  }
  if (auto written = write_atomically(dir / "manifest", manifest); !written.ok()) return failure{written.error()};
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec))
    if (!kept.contains(entry.path().filename().string())) std::filesystem::remove(entry.path(), ec);
  return now;
}

result<void> check_last_good(const last_good_copy& copy) {
  for (const auto& [original, file] : copy.copies) {
    auto name = content_name_of_file(file);
    if (!name.ok()) return failure{name.error()};
    if (name.value() != file.filename().string())
      return failure{fmt::format("{} (the copy of {}) was changed since it was saved", file.string(), original)};
  }
  return {};
}

std::optional<file_stamp> stamp_of(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return std::nullopt;
  return file_stamp{static_cast<std::uint64_t>(st.st_dev), static_cast<std::uint64_t>(st.st_ino),
                    static_cast<std::uint64_t>(st.st_size), nanoseconds_of(st.st_mtim), nanoseconds_of(st.st_ctim)};
}

bool unchanged_since_read(const std::vector<std::string>& files, const file_stamps& read) {
  for (const auto& file : files) {
    auto was = read.find(file);
    if (was == read.end() || stamp_of(file) != was->second) return false;
  }
  return true;
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
