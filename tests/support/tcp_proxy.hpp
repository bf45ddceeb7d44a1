#pragma once
// A TCP proxy on 127.0.0.1 for partition tests: forwards each connection
// to a target port, on a thread of its own. On cue it holds the answers:
// once a client's bytes contain a pattern (the SQL of a claim), nothing the
// server sends back reaches any client until release(), while the
// client's requests still go through — the request arrives, the answer is
// lost in a partition. Destroying it closes every connection.

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

namespace herald::test {

class tcp_proxy {
 public:
  explicit tcp_proxy(int target_port);
  ~tcp_proxy();
  tcp_proxy(const tcp_proxy&) = delete;
  tcp_proxy& operator=(const tcp_proxy&) = delete;

  int port() const { return port_; }
  /// From the first client chunk holding `pattern` on, answers are held.
  void hold_answers_after(const std::string& pattern);
  /// True once answers are being held.
  bool holding() const { return holding_; }
  /// Sends what was held and forwards freely again.
  void release();

 private:
  void run();

  int target_port_;
  int listener_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<bool> holding_{false};
  std::atomic<bool> released_{false};
  std::mutex mutex_;
  std::string pattern_;
  std::thread thread_;
};

}  // namespace herald::test
