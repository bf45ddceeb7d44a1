// libcurl's multi interface on Asio socket readiness, the shape of curl's
// docs/examples/asiohiper.cpp and hiperfifo.c:
//
// - curl says, per socket, whether it waits to read or write
//   (CURLMOPT_SOCKETFUNCTION). We watch a dup() of that socket with a
//   posix::stream_descriptor, so curl keeps owning (and closing) its own fd,
//   and call curl_multi_socket_action when it is ready. A wait is one-shot:
//   it is armed again after each readiness for as long as curl wants it.
// - Asio's epoll reactor is edge-triggered and an async_wait is never tried
//   speculatively, so readiness that came while no wait was queued (say, an
//   answer arriving while curl still waited to write) is never reported. curl
//   expects level-triggered readiness (hiperfifo uses plain poll semantics),
//   so before queuing a wait we ask poll() with a zero timeout whether the
//   socket is ready already.
// - curl says when it next needs the clock (CURLMOPT_TIMERFUNCTION); one
//   steady_timer calls curl_multi_socket_action(CURL_SOCKET_TIMEOUT).
// - At most max_host_connections transfers per host are in curl; the rest
//   wait in a host_queue and start as that host's transfers end, so a
//   transfer's timeout starts when curl can send it.
// - After each action finished transfers are read with curl_multi_info_read
//   and their handlers posted, so no handler runs inside a curl callback (a
//   handler may send again, or destroy the transport).
//
// Everything runs on the io_context's one thread: no locks. Asio handlers
// hold a weak_ptr to the impl and do nothing once it is gone.
//
// Setting up a transfer per channel kind is curl_requests.cpp's; judging
// how it ended (and keeping secrets out of the detail) curl_outcome.cpp's.

#include "messaging/curl_transport.hpp"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <unordered_map>
#include <utility>
#include <vector>

#include <curl/curl.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include "messaging/curl_transfer.hpp"
#include "messaging/host_queue.hpp"

namespace herald {
namespace {

namespace asio = boost::asio;
using error_code = boost::system::error_code;

// Channels that share a host share these: 1000 posts due at once over 50
// webhook channels on one host reached it with p99 236 ms at 8 against
// 299 ms at 4 (docs/PERFORMANCE.md "The remaining goals (2026-12-03)").
constexpr std::size_t max_host_connections = 8;

// One socket curl uses, watched through a duplicate of its fd.
struct watch {
  watch(curl_socket_t fd, asio::io_context& io) : fd(fd), copy(io) {}
  curl_socket_t fd;                     ///< curl's; curl closes it
  asio::posix::stream_descriptor copy;  ///< our dup(); what Asio waits on
  int wanted = 0;                       ///< CURL_POLL_IN / CURL_POLL_OUT bits
  std::array<bool, 2> waiting{};        ///< a wait is queued: [0] read, [1] write
  bool removed = false;                 ///< curl said CURL_POLL_REMOVE
};

constexpr std::array<int, 2> poll_bit{CURL_POLL_IN, CURL_POLL_OUT};

}  // namespace

struct curl_transport::impl {
  impl(asio::io_context& io, options opts);
  ~impl();

  void start(std::unique_ptr<transfer> t);
  void begin(std::unique_ptr<transfer> t);
  void host_freed(const std::string& host);
  void finish_now(handler done, delivery_outcome outcome);
  void act(curl_socket_t fd, int events);
  void collect_finished();
  delivery_outcome judge(const transfer& t, CURLcode code) const;
  void arm(const std::shared_ptr<watch>& w);
  void on_ready(const std::shared_ptr<watch>& w, int direction, error_code ec);
  void set_common(transfer& t) const;
  CURL* take_easy();
  void give_back(CURL* easy);

  static int on_socket(CURL*, curl_socket_t fd, int what, void* self, void*);
  static int on_timer(CURLM*, long timeout_ms, void* self);

  asio::io_context& io_;
  options opts_;
  CURLM* multi_;
  asio::steady_timer timer_;
  bool timer_armed_ = false;      // a wait is pending on timer_
  std::vector<CURL*> idle_easy_;  // handles of finished transfers, reset for the next
  std::unordered_map<curl_socket_t, std::shared_ptr<watch>> watches_;
  std::unordered_map<CURL*, std::unique_ptr<transfer>> transfers_;  // in curl
  host_queue<std::unique_ptr<transfer>> waiting_{max_host_connections};
  std::shared_ptr<impl*> alive_ = std::make_shared<impl*>(this);  ///< handlers hold a weak_ptr
};

curl_transport::impl::impl(asio::io_context& io, options opts)
    : io_(io), opts_(std::move(opts)), multi_(nullptr), timer_(io) {
  static const bool initialised = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
  (void)initialised;
  if (!opts_.now) opts_.now = [] { return date::floor<std::chrono::seconds>(std::chrono::system_clock::now()); };
  multi_ = curl_multi_init();
  curl_multi_setopt(multi_, CURLMOPT_SOCKETFUNCTION, &impl::on_socket);
  curl_multi_setopt(multi_, CURLMOPT_SOCKETDATA, this);
  curl_multi_setopt(multi_, CURLMOPT_TIMERFUNCTION, &impl::on_timer);
  curl_multi_setopt(multi_, CURLMOPT_TIMERDATA, this);
  curl_multi_setopt(multi_, CURLMOPT_MAX_HOST_CONNECTIONS, static_cast<long>(max_host_connections));
}

curl_transport::impl::~impl() {
  alive_.reset();
  for (auto& entry : transfers_) curl_multi_remove_handle(multi_, entry.first);
  transfers_.clear();
  curl_multi_cleanup(multi_);
  for (CURL* easy : idle_easy_) curl_easy_cleanup(easy);
  // Closing cancels the queued waits, which hold the watches.
  for (auto& entry : watches_) {
    error_code ignored;
    entry.second->removed = true;
    entry.second->copy.close(ignored);
  }
}

void curl_transport::impl::set_common(transfer& t) const {
  curl_easy_setopt(t.easy, CURLOPT_PRIVATE, &t);
  curl_easy_setopt(t.easy, CURLOPT_URL, t.url.c_str());
  curl_easy_setopt(t.easy, CURLOPT_ERRORBUFFER, t.error);
  curl_easy_setopt(t.easy, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(t.easy, CURLOPT_TIMEOUT_MS, static_cast<long>(opts_.timeout.count() * 1000));
  curl_easy_setopt(t.easy, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(t.easy, CURLOPT_SSL_VERIFYHOST, 2L);
  if (!opts_.ca_file.empty()) curl_easy_setopt(t.easy, CURLOPT_CAINFO, opts_.ca_file.c_str());
}

// An easy handle is a few KiB that curl allocates, fills and frees again:
// reusing the handles of finished transfers (curl_easy_reset clears every
// option; connections live in the multi handle either way) saves that per
// post (docs/PERFORMANCE.md "2026-12-03, afternoon: bursts and transport throughput").
constexpr std::size_t max_idle_easy = 64;

CURL* curl_transport::impl::take_easy() {
  if (idle_easy_.empty()) return curl_easy_init();
  CURL* easy = idle_easy_.back();
  idle_easy_.pop_back();
  curl_easy_reset(easy);
  return easy;
}

void curl_transport::impl::give_back(CURL* easy) {
  if (idle_easy_.size() < max_idle_easy)
    idle_easy_.push_back(easy);
  else
    curl_easy_cleanup(easy);
}

void curl_transport::impl::start(std::unique_ptr<transfer> t) {
  t->host = host_of(t->url);
  auto host = t->host;
  if (auto now = waiting_.admit(host, std::move(t))) begin(std::move(*now));
}

// Hands `t`, admitted by waiting_, to curl.
void curl_transport::impl::begin(std::unique_ptr<transfer> t) {
  CURL* easy = t->easy;
  auto [at, added] = transfers_.emplace(easy, std::move(t));
  if (curl_multi_add_handle(multi_, easy) != CURLM_OK) {
    auto node = transfers_.extract(at);
    finish_now(std::move(node.mapped()->done),
               make_outcome(delivery_outcome::kind::transient, "could not start the transfer"));
    host_freed(node.mapped()->host);
  }
  // curl now asks for a timer of 0 ms; the transfer starts from there.
}

// A transfer to `host` left curl: the next one waiting for it starts.
void curl_transport::impl::host_freed(const std::string& host) {
  if (auto next = waiting_.release(host)) begin(std::move(*next));
}

void curl_transport::impl::finish_now(handler done, delivery_outcome outcome) {
  asio::post(io_, [life = std::weak_ptr(alive_), done = std::move(done), outcome = std::move(outcome)]() mutable {
    if (!life.expired()) done(std::move(outcome));
  });
}

void curl_transport::impl::act(curl_socket_t fd, int events) {
  int running = 0;
  curl_multi_socket_action(multi_, fd, events, &running);
  collect_finished();
}

void curl_transport::impl::collect_finished() {
  int left = 0;
  while (CURLMsg* message = curl_multi_info_read(multi_, &left)) {
    if (message->msg != CURLMSG_DONE) continue;
    CURL* easy = message->easy_handle;  // `message` dies with remove_handle
    CURLcode code = message->data.result;
    auto node = transfers_.extract(easy);
    curl_multi_remove_handle(multi_, easy);
    if (node.empty()) continue;
    auto& t = *node.mapped();
    finish_now(std::move(t.done), judge(t, code));
    give_back(std::exchange(t.easy, nullptr));
    host_freed(t.host);
  }
}

delivery_outcome curl_transport::impl::judge(const transfer& t, CURLcode code) const {
  return judge_transfer(t, code, opts_.timeout, opts_.now());
}

// --- Asio side: socket readiness and the timer ------------------------------

void curl_transport::impl::arm(const std::shared_ptr<watch>& w) {
  for (int direction : {0, 1}) {
    if (!(w->wanted & poll_bit[direction]) || w->waiting[direction]) continue;
    w->waiting[direction] = true;
    auto ready = [life = std::weak_ptr(alive_), w, direction](error_code ec) {
      if (auto self = life.lock()) (*self)->on_ready(w, direction, ec);
    };
    pollfd probe{w->copy.native_handle(), static_cast<short>(direction == 0 ? POLLIN : POLLOUT), 0};
    if (::poll(&probe, 1, 0) > 0)
      asio::post(io_, [ready]() { ready(error_code{}); });
    else
      w->copy.async_wait(
          direction == 0 ? asio::posix::descriptor_base::wait_read : asio::posix::descriptor_base::wait_write, ready);
  }
}

void curl_transport::impl::on_ready(const std::shared_ptr<watch>& w, int direction, error_code ec) {
  w->waiting[direction] = false;
  if (w->removed || ec == asio::error::operation_aborted) return;
  if (!(w->wanted & poll_bit[direction])) return;  // curl changed its mind meanwhile
  int events = ec ? CURL_CSELECT_ERR : direction == 0 ? CURL_CSELECT_IN : CURL_CSELECT_OUT;
  act(w->fd, events);
  if (!w->removed && !ec) arm(w);
}

int curl_transport::impl::on_socket(CURL*, curl_socket_t fd, int what, void* user, void*) {
  auto& self = *static_cast<impl*>(user);
  auto at = self.watches_.find(fd);
  if (what == CURL_POLL_REMOVE) {
    // curl closes its fd right after this; our copy goes first.
    if (at == self.watches_.end()) return 0;
    error_code ignored;
    at->second->removed = true;
    at->second->copy.close(ignored);
    self.watches_.erase(at);
    return 0;
  }
  if (at == self.watches_.end()) {
    int copy = ::fcntl(fd, F_DUPFD_CLOEXEC, 0);
    if (copy < 0) return -1;
    auto w = std::make_shared<watch>(fd, self.io_);
    error_code ec;
    w->copy.assign(copy, ec);
    if (ec) {
      ::close(copy);
      return -1;
    }
    at = self.watches_.emplace(fd, std::move(w)).first;
  }
  at->second->wanted = what;
  self.arm(at->second);
  return 0;
}

// curl asks for a new timeout after nearly every action. Re-arming the
// timer each time costs a timerfd_settime system call per post (a third of
// the delivery benchmark's time), so a later deadline keeps the earlier one:
// waking early is harmless, curl then asks again. "-1, no timeout" is left
// to expire the same way rather than cancelled.
int curl_transport::impl::on_timer(CURLM*, long timeout_ms, void* user) {
  auto& self = *static_cast<impl*>(user);
  if (timeout_ms < 0) return 0;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  if (self.timer_armed_ && self.timer_.expiry() <= deadline) return 0;
  // 0 too goes through the timer: curl must not be called back from here.
  self.timer_.expires_at(deadline);
  self.timer_armed_ = true;
  self.timer_.async_wait([life = std::weak_ptr(self.alive_)](error_code ec) {
    if (ec) return;  // replaced by an earlier deadline, or shut down
    if (auto alive = life.lock()) {
      (*alive)->timer_armed_ = false;
      (*alive)->act(CURL_SOCKET_TIMEOUT, 0);
    }
  });
  return 0;
}

// --- the public face -------------------------------------------------------

curl_transport::curl_transport(asio::io_context& io, options opts)
    : impl_(std::make_unique<impl>(io, std::move(opts))) {}

curl_transport::~curl_transport() = default;

void curl_transport::send(http_request request, handler done) {
  auto t = std::make_unique<transfer>(transfer::protocol::http, impl_->take_easy());
  t->done = std::move(done);
  if (auto refused = prepare_http(*t, std::move(request))) return impl_->finish_now(std::move(t->done), *refused);
  impl_->set_common(*t);
  impl_->start(std::move(t));
}

void curl_transport::send(smtp_submission submission, handler done) {
  auto t = std::make_unique<transfer>(transfer::protocol::smtp, impl_->take_easy());
  t->done = std::move(done);
  if (auto refused = prepare_smtp(*t, std::move(submission))) return impl_->finish_now(std::move(t->done), *refused);
  impl_->set_common(*t);
  impl_->start(std::move(t));
}

std::size_t curl_transport::in_flight() const { return impl_->transfers_.size() + impl_->waiting_.waiting(); }

}  // namespace herald
