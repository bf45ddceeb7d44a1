// Runs smtp_test_server.py with posix_spawn (safe in a threaded process), its
// stdin and stdout on pipes. The script exits when its stdin closes, so it
// never outlives the test binary; a reader thread parses its stdout lines.

#include "support/smtp_test_server.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <sstream>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace herald::test {
namespace {

std::string unhex(std::string_view hex) {
  std::string out;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2)
    out += static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16));
  return out;
}

// "MESSAGE from=… to=…,… auth=… tls=1 data=…"
smtp_test_server::message parse_message(const std::string& line) {
  smtp_test_server::message m;
  std::istringstream words(line);
  std::string word;
  while (words >> word) {
    auto equals = word.find('=');
    if (equals == std::string::npos) continue;
    auto key = word.substr(0, equals), value = word.substr(equals + 1);
    if (key == "from") m.mail_from = unhex(value);
    if (key == "auth") m.login = unhex(value);
    if (key == "tls") m.tls = value == "1";
    if (key == "data") m.data = unhex(value);
    if (key == "to")
      for (std::size_t start = 0; start < value.size();) {
        auto comma = std::min(value.find(',', start), value.size());
        m.rcpt_tos.push_back(unhex(std::string_view(value).substr(start, comma - start)));
        start = comma + 1;
      }
  }
  return m;
}

}  // namespace

struct smtp_test_server::impl {
  pid_t pid = -1;
  int to_child = -1;    // its stdin; closing it stops the script
  int from_child = -1;  // its stdout
  std::thread reader;

  mutable std::mutex mutex;
  mutable std::condition_variable changed;
  bool ready = false, ended = false;
  bool implicit_tls = false;
  unsigned short port = 0;
  std::string ca_file;
  std::vector<message> received;

  ~impl() { stop(); }
  void stop();
  void read_lines();
  void take(const std::string& line);
};

void smtp_test_server::impl::take(const std::string& line) {
  std::lock_guard lock(mutex);
  if (line.starts_with("READY ")) {
    std::istringstream words(line.substr(6));
    words >> port >> ca_file;
    ready = true;
  } else if (line.starts_with("MESSAGE ")) {
    received.push_back(parse_message(line));
  }
  changed.notify_all();
}

void smtp_test_server::impl::read_lines() {
  std::string pending;
  char buffer[4096];
  for (;;) {
    auto n = ::read(from_child, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    pending.append(buffer, static_cast<std::size_t>(n));
    for (auto end = pending.find('\n'); end != std::string::npos; end = pending.find('\n')) {
      take(pending.substr(0, end));
      pending.erase(0, end + 1);
    }
  }
  std::lock_guard lock(mutex);
  ended = true;
  changed.notify_all();
}

smtp_test_server::smtp_test_server(options opts) : impl_(std::make_unique<impl>()) {
  impl_->implicit_tls = opts.implicit_tls;
  std::vector<std::string> args{"/usr/bin/python3", HERALD_SOURCE_DIR "/tests/support/smtp_test_server.py"};
  if (!opts.username.empty()) args.insert(args.end(), {"--user", opts.username, "--password", opts.password});
  if (!opts.mechanisms.empty()) args.insert(args.end(), {"--mechanisms", opts.mechanisms});
  if (!opts.rcpt_reply.empty()) args.insert(args.end(), {"--rcpt-reply", opts.rcpt_reply});
  if (!opts.data_reply.empty()) args.insert(args.end(), {"--data-reply", opts.data_reply});
  if (opts.starttls) args.push_back("--starttls");
  if (opts.implicit_tls) args.push_back("--implicit-tls");
  std::vector<char*> argv;
  for (auto& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);

  int in[2], out[2];
  if (::pipe2(in, O_CLOEXEC) != 0 || ::pipe2(out, O_CLOEXEC) != 0) throw std::runtime_error("smtp_test_server: pipe");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in[0], 0);
  posix_spawn_file_actions_adddup2(&actions, out[1], 1);
  posix_spawn_file_actions_addclosefrom_np(&actions, 3);  // no test sockets leak into it
  int spawned = posix_spawn(&impl_->pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(in[0]);
  ::close(out[1]);
  impl_->to_child = in[1];
  impl_->from_child = out[0];
  if (spawned != 0) impl_->pid = -1;
  impl_->reader = std::thread([this] { impl_->read_lines(); });

  std::unique_lock lock(impl_->mutex);
  impl_->changed.wait_for(lock, std::chrono::seconds{10}, [&] { return impl_->ready || impl_->ended; });
  if (!impl_->ready) {
    lock.unlock();
    throw std::runtime_error("smtp_test_server: the aiosmtpd script did not start (is python3-aiosmtpd installed?)");
  }
}

smtp_test_server::smtp_test_server() : smtp_test_server(options{}) {}

smtp_test_server::~smtp_test_server() = default;

void smtp_test_server::impl::stop() {
  if (to_child >= 0) ::close(to_child);
  to_child = -1;
  if (pid > 0) {
    ::kill(pid, SIGTERM);
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    pid = -1;
  }
  if (reader.joinable()) reader.join();
  if (from_child >= 0) ::close(from_child);
  from_child = -1;
}

unsigned short smtp_test_server::port() const { return impl_->port; }

std::string smtp_test_server::url() const {
  return (impl_->implicit_tls ? "smtps://127.0.0.1:" : "smtp://127.0.0.1:") + std::to_string(impl_->port);
}

std::string smtp_test_server::ca_file() const { return impl_->ca_file; }

bool smtp_test_server::wait_for_messages(std::size_t count, std::chrono::milliseconds limit) const {
  std::unique_lock lock(impl_->mutex);
  return impl_->changed.wait_for(lock, limit, [&] { return impl_->received.size() >= count; });
}

std::vector<smtp_test_server::message> smtp_test_server::messages() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->received;
}

}  // namespace herald::test
