#pragma once
// A throwaway PostgreSQL 15 cluster for the tests of the shared journal
// (docs/service.md "Replicas"): initdb into a temporary directory, started
// with pg_ctl on a free loopback port with trust authentication and no
// fsync. The Debian binaries in /usr/lib/postgresql/15/bin are used by full
// path (another pg_ctl may come first in $PATH); as root they run as the
// `postgres` user, who owns the directory.
//
// initdb takes seconds, so one cluster serves the whole test process
// (shared()); each test takes a fresh database of its own (fresh_database()).
// stop() and start() are for outage tests: the port stays the same.
//
// A cluster that cannot be made is a failure of the test, never a skip:
// shared() throws std::runtime_error with the tools' output.
//
// Used from one thread. Not copyable.

#include <filesystem>
#include <memory>
#include <string>

namespace herald::test {

class pg_cluster {
 public:
  /// Makes and starts a cluster. Throws std::runtime_error when it cannot.
  pg_cluster();
  ~pg_cluster();  // stops the server and removes the directory
  pg_cluster(const pg_cluster&) = delete;
  pg_cluster& operator=(const pg_cluster&) = delete;

  /// The process's cluster, made on first use; its server is started again
  /// when a test left it stopped.
  static pg_cluster& shared();

  int port() const { return port_; }
  /// A new, empty database; returns its URL
  /// (postgresql://postgres@127.0.0.1:PORT/NAME?connect_timeout=3).
  std::string fresh_database();
  /// The URL of database `name`.
  std::string url(const std::string& name) const;
  /// Runs `sql` with psql on database `name`; returns psql's output (-At), or throws.
  std::string psql(const std::string& name, const std::string& sql) const;

  /// Stops the server now (fast shutdown: the clients are cut off). Throws when it cannot.
  void stop();
  /// Starts it again on the same port. Throws when it cannot.
  void start();
  bool running() const { return running_; }

 private:
  std::filesystem::path dir_;
  int port_ = 0;
  bool running_ = false;
  int databases_ = 0;
};

}  // namespace herald::test
