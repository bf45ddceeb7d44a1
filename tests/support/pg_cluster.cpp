#include "support/pg_cluster.hpp"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <stdexcept>
#include <system_error>

#include <fmt/format.h>

#include "support/shell_command.hpp"

namespace herald::test {
namespace {

const std::string bin = "/usr/lib/postgresql/15/bin/";

// A port the kernel hands out now: free until someone else takes it, which
// the short gap before the server binds makes unlikely.
int free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) throw std::runtime_error("pg_cluster: no socket for a free port");
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  int port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0)
    port = ntohs(address.sin_port);
  ::close(fd);
  if (port == 0) throw std::runtime_error("pg_cluster: cannot find a free port");
  return port;
}

// As the postgres user when we are root: initdb and the server refuse root.
std::string as_owner(const std::string& command) {
  return ::geteuid() == 0 ? "runuser -u postgres -- " + command : command;
}

std::string shell_quoted(const std::string& text) {
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::string run(const std::string& command, const std::string& what) {
  auto done = run_shell(command + " 2>&1");
  if (done.status != 0) throw std::runtime_error(fmt::format("pg_cluster: {} failed: {}", what, done.out));
  return done.out;
}

}  // namespace

pg_cluster::pg_cluster() {
  auto pattern = (std::filesystem::temp_directory_path() / "herald-pg-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("pg_cluster: cannot create " + pattern);
  dir_ = pattern;
  if (::geteuid() == 0) run("chown postgres: " + shell_quoted(dir_.string()), "chown");
  run(as_owner(fmt::format("{}initdb -D {} -U postgres --auth=trust --no-sync -E UTF8 --locale=C", bin,
                           shell_quoted((dir_ / "data").string()))),
      "initdb");
  port_ = free_port();
  start();
}

pg_cluster::~pg_cluster() {
  if (running_)
    (void)run_shell(as_owner(fmt::format("{}pg_ctl -D {} -m immediate -w stop >/dev/null 2>&1", bin,
                                         shell_quoted((dir_ / "data").string()))));
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

pg_cluster& pg_cluster::shared() {
  static std::unique_ptr<pg_cluster> cluster;
  if (!cluster) cluster = std::make_unique<pg_cluster>();
  if (!cluster->running()) cluster->start();
  return *cluster;
}

void pg_cluster::start() {
  auto options = fmt::format(
      "-p {} -c fsync=off -c synchronous_commit=off -c full_page_writes=off "
      "-c listen_addresses=127.0.0.1 -k {} -c max_connections=200",
      port_, dir_.string());
  run(as_owner(fmt::format("{}pg_ctl -D {} -l {} -o {} -w -t 60 start", bin, shell_quoted((dir_ / "data").string()),
                           shell_quoted((dir_ / "log").string()), shell_quoted(options))),
      "pg_ctl start");
  running_ = true;
}

void pg_cluster::stop() {
  run(as_owner(fmt::format("{}pg_ctl -D {} -m fast -w -t 60 stop", bin, shell_quoted((dir_ / "data").string()))),
      "pg_ctl stop");
  running_ = false;
}

std::string pg_cluster::url(const std::string& name) const {
  return fmt::format("postgresql://postgres@127.0.0.1:{}/{}?connect_timeout=3", port_, name);
}

std::string pg_cluster::psql(const std::string& name, const std::string& sql) const {
  return run(fmt::format("{}psql -X -At -v ON_ERROR_STOP=1 -h 127.0.0.1 -p {} -U postgres -d {} -c {}", bin, port_,
                         shell_quoted(name), shell_quoted(sql)),
             "psql");
}

std::string pg_cluster::fresh_database() {
  auto name = fmt::format("herald_{}_{}", ::getpid(), ++databases_);
  psql("postgres", "CREATE DATABASE " + name);
  return url(name);
}

}  // namespace herald::test
