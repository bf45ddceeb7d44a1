// fork + exec with everything the child needs built before the fork: after
// fork() in a multi-threaded test process (the HTTP server has its own
// thread) the child may only call async-signal-safe functions until exec.

#include "support/herald_process.hpp"

#include <array>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <fstream>
#include <iterator>
#include <sstream>
#include <system_error>

#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace herald::test {
namespace {

// What a service manager hands a process; a test sets them itself.
constexpr std::array<std::string_view, 11> service_variables = {
    "NOTIFY_SOCKET",  "WATCHDOG_USEC",   "WATCHDOG_PID",          "JOURNAL_STREAM", "LISTEN_FDS",   "LISTEN_PID",
    "LISTEN_FDNAMES", "STATE_DIRECTORY", "CREDENTIALS_DIRECTORY", "HERALD_CONFIG",  "INVOCATION_ID"};

bool is_service_variable(std::string_view entry) {
  auto name = entry.substr(0, entry.find('='));
  for (auto v : service_variables)
    if (name == v) return true;
  return false;
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

process_exit decode(int status) {
  process_exit e;
  if (WIFEXITED(status)) {
    e.exited = true;
    e.code = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    e.signal = WTERMSIG(status);
  }
  return e;
}

// In the child: async-signal-safe calls only, then exec or _exit(127).
// It starts with every signal blocked (start() forks so): each handler is
// the default again before a signal can come. A SIGTERM sent at once after
// start() used to reach the child before that, and ran the test's own
// handler (Catch's, which reports a fatal error) in the forked copy of the
// test, where it hung on a lock another thread held at the fork; the
// process never became herald and never exited.
[[noreturn]] void become(const char* program, char* const* argv, char* const* envp, const char* out_file,
                         const char* err_file, pid_t parent) {
  for (int sig = 1; sig < NSIG; ++sig)
    if (sig != SIGKILL && sig != SIGSTOP) ::signal(sig, SIG_DFL);
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (::getppid() != parent) ::_exit(127);  // the test died before prctl
  sigset_t none;
  ::sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  int in = ::open("/dev/null", O_RDONLY);
  int out = ::open(out_file, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND, 0644);
  int err = ::open(err_file, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND, 0644);
  if (in < 0 || out < 0 || err < 0) ::_exit(127);
  if (::dup2(in, 0) < 0 || ::dup2(out, 1) < 0 || ::dup2(err, 2) < 0) ::_exit(127);
  ::close_range(3, ~0U, 0);  // the test's sockets and files stay with the test
  ::execve(program, argv, envp);
  ::_exit(127);
}

}  // namespace

std::string process_exit::describe() const {
  return exited ? "exit " + std::to_string(code) : "signal " + std::to_string(signal);
}

std::size_t count_of(std::string_view text, std::string_view needle) {
  std::size_t count = 0;
  for (auto at = text.find(needle); at != std::string_view::npos; at = text.find(needle, at + needle.size())) ++count;
  return count;
}

herald_process herald_process::start(const std::filesystem::path& program, const std::vector<std::string>& args,
                                     const environment& env, const std::filesystem::path& out_file,
                                     const std::filesystem::path& err_file) {
  std::vector<std::string> argv_text{program.string()};
  argv_text.insert(argv_text.end(), args.begin(), args.end());
  std::vector<std::string> env_text;
  auto set_by_test = [&](std::string_view entry) {
    auto name = entry.substr(0, entry.find('='));
    for (const auto& [n, v] : env)
      if (n == name) return true;
    return false;
  };
  for (char** e = environ; *e != nullptr; ++e)
    if (!is_service_variable(*e) && !set_by_test(*e)) env_text.emplace_back(*e);
  for (const auto& [name, value] : env) env_text.push_back(name + "=" + value);

  auto pointers = [](std::vector<std::string>& texts) {
    std::vector<char*> p;
    for (auto& t : texts) p.push_back(t.data());
    p.push_back(nullptr);
    return p;
  };
  auto argv = pointers(argv_text);
  auto envp = pointers(env_text);
  auto program_text = program.string();
  auto out_text = out_file.string();
  auto err_text = err_file.string();
  pid_t parent = ::getpid();

  sigset_t all, before;
  ::sigfillset(&all);
  ::pthread_sigmask(SIG_SETMASK, &all, &before);
  pid_t pid = ::fork();
  if (pid == 0) become(program_text.c_str(), argv.data(), envp.data(), out_text.c_str(), err_text.c_str(), parent);
  int fork_error = errno;
  ::pthread_sigmask(SIG_SETMASK, &before, nullptr);
  if (pid < 0) throw std::system_error(fork_error, std::generic_category(), "fork");
  return herald_process(pid, out_file, err_file);
}

herald_process herald_process::start(const std::vector<std::string>& args, const environment& env,
                                     const std::filesystem::path& out_file, const std::filesystem::path& err_file) {
  return start(HERALD_BINARY, args, env, out_file, err_file);
}

herald_process::herald_process(herald_process&& other) noexcept
    : pid_(std::exchange(other.pid_, -1)),
      exit_(std::move(other.exit_)),
      out_file_(std::move(other.out_file_)),
      err_file_(std::move(other.err_file_)) {}

herald_process::~herald_process() {
  if (pid_ > 0 && !exit_) {
    ::kill(pid_, SIGKILL);
    int status = 0;
    while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
  }
}

void herald_process::signal(int sig) const {
  if (pid_ > 0 && !exit_) ::kill(pid_, sig);
}

process_exit herald_process::kill9(std::chrono::milliseconds limit) {
  signal(SIGKILL);
  auto e = wait(limit);
  if (!e) throw std::runtime_error("herald did not die within the limit after SIGKILL");
  return *e;
}

bool herald_process::running() {
  if (exit_) return false;
  int status = 0;
  pid_t got = ::waitpid(pid_, &status, WNOHANG);
  if (got == pid_) exit_ = decode(status);
  return !exit_;
}

std::optional<process_exit> herald_process::wait(std::chrono::milliseconds limit) {
  eventually([&] { return !running(); }, limit);
  return exit_;
}

std::string herald_process::err() const { return read_file(err_file_); }
std::string herald_process::out() const { return read_file(out_file_); }

bool herald_process::wait_for_err(std::string_view text, std::chrono::milliseconds limit) const {
  return wait_for_err_count(text, 1, limit);
}

bool herald_process::wait_for_err_count(std::string_view text, std::size_t count,
                                        std::chrono::milliseconds limit) const {
  return eventually([&] { return count_of(err(), text) >= count; }, limit);
}

}  // namespace herald::test
