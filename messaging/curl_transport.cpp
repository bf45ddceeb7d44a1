// libcurl's multi interface on Asio, the shape of curl's
// docs/examples/hiperfifo.c with epoll:
//
// - curl says, per socket, whether it waits to read or write
//   (CURLMOPT_SOCKETFUNCTION). We add its socket, as it is, to an epoll
//   set of our own, level-triggered, and Asio waits for that set to have
//   something ready; then epoll_wait (no waiting) says which sockets are
//   ready and each goes to curl_multi_socket_action. *Why one set of our
//   own* rather than a posix::stream_descriptor per socket: Asio's epoll
//   reactor is edge-triggered and never reports readiness that came while
//   no wait was queued, so a descriptor per socket needed a dup() of curl's
//   fd (curl closes its own), and a poll() before each wait, a system call
//   per post; the level-triggered set needs neither: after each batch it is
//   asked again, and only an empty answer queues the next wait
//   (docs/PERFORMANCE.md "2026-12-03, last session: transport throughput").
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

#include <sys/epoll.h>

#include <cerrno>

#include <array>
#include <optional>
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
#include "messaging/scrub_lists.hpp"

namespace herald {
namespace {

namespace asio = boost::asio;
using error_code = boost::system::error_code;

// Channels that share a host share these: 1000 posts due at once over 50
// webhook channels on one host reached it with p99 236 ms at 8 against
// 299 ms at 4 (docs/PERFORMANCE.md "The remaining goals (2026-12-03)").
constexpr std::size_t max_host_connections = 8;

// Ready sockets taken from the epoll set per epoll_wait.
constexpr int max_ready = 64;

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
  void wait_for_sockets();
  void take_ready();
  void set_common(transfer& t) const;
  CURL* take_easy();
  void give_back(CURL* easy);

  static int on_socket(CURL*, curl_socket_t fd, int what, void* self, void* watched);
  static int on_timer(CURLM*, long timeout_ms, void* self);
  void arm_timer(std::chrono::steady_clock::time_point deadline);

  asio::io_context& io_;
  options opts_;
  CURLM* multi_;
  asio::steady_timer timer_;
  asio::posix::stream_descriptor sockets_;                          // the epoll set of curl's sockets
  std::size_t watched_ = 0;                                         // sockets in it
  bool taking_ = false;                                             // a wait on it is queued, or take_ready() posted
  bool timer_armed_ = false;                                        // a wait is pending on timer_
  std::optional<std::chrono::steady_clock::time_point> wanted_;     // the deadline curl asked for last
  std::vector<CURL*> idle_easy_;                                    // handles of finished transfers, reset for the next
  std::unordered_map<CURL*, std::unique_ptr<transfer>> transfers_;  // in curl
  host_queue<std::unique_ptr<transfer>> waiting_{max_host_connections};
  scrub_lists scrub_lists_;                                       // per channel, not per post
  std::shared_ptr<impl*> alive_ = std::make_shared<impl*>(this);  ///< handlers hold a weak_ptr
};

curl_transport::impl::impl(asio::io_context& io, options opts)
    : io_(io), opts_(std::move(opts)), multi_(nullptr), timer_(io), sockets_(io) {
  static const bool initialised = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
  (void)initialised;
  if (!opts_.now) opts_.now = [] { return date::floor<std::chrono::seconds>(std::chrono::system_clock::now()); };
  multi_ = curl_multi_init();
  curl_multi_setopt(multi_, CURLMOPT_SOCKETFUNCTION, &impl::on_socket);
  curl_multi_setopt(multi_, CURLMOPT_SOCKETDATA, this);
  curl_multi_setopt(multi_, CURLMOPT_TIMERFUNCTION, &impl::on_timer);
  curl_multi_setopt(multi_, CURLMOPT_TIMERDATA, this);
  curl_multi_setopt(multi_, CURLMOPT_MAX_HOST_CONNECTIONS, static_cast<long>(max_host_connections));
  // Without the set on_socket fails and every transfer ends as an error.
  int set = ::epoll_create1(EPOLL_CLOEXEC);
  error_code ec;
  if (set >= 0) sockets_.assign(set, ec);
}

curl_transport::impl::~impl() {
  alive_.reset();
  for (auto& entry : transfers_) curl_multi_remove_handle(multi_, entry.first);
  transfers_.clear();
  curl_multi_cleanup(multi_);
  for (CURL* easy : idle_easy_) curl_easy_cleanup(easy);
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

void curl_transport::impl::wait_for_sockets() {
  sockets_.async_wait(asio::posix::descriptor_base::wait_read, [life = std::weak_ptr(alive_)](error_code ec) {
    auto alive = life.lock();
    if (!alive) return;  // shut down
    auto& self = **alive;
    if (!ec) return self.take_ready();
    // Cancelled because the set emptied; curl may have added a socket
    // since, which may be ready already: ask the set before waiting on it.
    self.taking_ = self.watched_ > 0;
    if (self.taking_) self.take_ready();
  });
}

// Hands curl the sockets that are ready. Level-triggered: a socket curl has
// not drained is reported again, so the set is asked once more (after
// other handlers had their turn) until it answers with nothing; only then
// may the edge-triggered wait on the set be queued without missing one.
void curl_transport::impl::take_ready() {
  std::array<epoll_event, max_ready> ready{};
  int count = ::epoll_wait(sockets_.native_handle(), ready.data(), max_ready, 0);
  for (int i = 0; i < count; ++i) {
    auto events = ready[static_cast<std::size_t>(i)].events;
    int action = (events & (EPOLLIN | EPOLLHUP) ? CURL_CSELECT_IN : 0) | (events & EPOLLOUT ? CURL_CSELECT_OUT : 0) |
                 (events & EPOLLERR ? CURL_CSELECT_ERR : 0);
    act(ready[static_cast<std::size_t>(i)].data.fd, action);
  }
  if (count > 0)
    asio::post(io_, [life = std::weak_ptr(alive_)] {
      if (auto alive = life.lock()) (*alive)->take_ready();
    });
  else if (watched_ > 0)
    wait_for_sockets();
  else
    taking_ = false;  // nothing to wait for keeps io_context::run() from returning
}

int curl_transport::impl::on_socket(CURL*, curl_socket_t fd, int what, void* user, void* watched) {
  auto& self = *static_cast<impl*>(user);
  int set = self.sockets_.native_handle();
  if (set < 0) return -1;
  if (what == CURL_POLL_REMOVE) {
    // curl closes the socket after this (or keeps it idle for reuse).
    if (watched) {
      ::epoll_ctl(set, EPOLL_CTL_DEL, fd, nullptr);
      // A wait on an empty set would never end and keep io_context::run()
      // from returning (send-test after a timeout); inside take_ready() no
      // wait is queued and this does nothing.
      error_code ignored;
      if (--self.watched_ == 0) self.sockets_.cancel(ignored);
    }
    return 0;
  }
  epoll_event wanted{};
  wanted.events = (what & CURL_POLL_IN ? EPOLLIN : 0u) | (what & CURL_POLL_OUT ? EPOLLOUT : 0u);
  wanted.data.fd = fd;
  int done = ::epoll_ctl(set, watched ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, fd, &wanted);
  if (done != 0 && !watched && errno == EEXIST) done = ::epoll_ctl(set, EPOLL_CTL_MOD, fd, &wanted);
  if (done != 0) return -1;
  // curl keeps this pointer per socket until CURL_POLL_REMOVE: "watched".
  if (watched) return 0;
  curl_multi_assign(self.multi_, fd, &self);
  ++self.watched_;
  if (!self.taking_) {
    self.taking_ = true;
    self.wait_for_sockets();
  }
  return 0;
}

// curl asks for a new timeout after nearly every action. Re-arming the
// timer each time costs a timerfd_settime system call per post (a third of
// the delivery benchmark's time), so a later deadline keeps the earlier one
// and is remembered in wanted_: curl calls back only when its earliest
// deadline changes, so after the early wake-up it may not ask again, and
// the timer is then armed for what it asked last (else a timeout is lost).
int curl_transport::impl::on_timer(CURLM*, long timeout_ms, void* user) {
  auto& self = *static_cast<impl*>(user);
  if (timeout_ms < 0) {  // nothing to time; an armed timer wakes curl early, harmlessly
    self.wanted_.reset();
    return 0;
  }
  self.wanted_ = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  // 0 too goes through the timer: curl must not be called back from here.
  if (!self.timer_armed_ || self.timer_.expiry() > *self.wanted_) self.arm_timer(*self.wanted_);
  return 0;
}

void curl_transport::impl::arm_timer(std::chrono::steady_clock::time_point deadline) {
  timer_.expires_at(deadline);
  timer_armed_ = true;
  timer_.async_wait([life = std::weak_ptr(alive_)](error_code ec) {
    if (ec) return;  // replaced by an earlier deadline, or shut down
    auto alive = life.lock();
    if (!alive) return;
    auto& self = **alive;
    self.timer_armed_ = false;
    self.act(CURL_SOCKET_TIMEOUT, 0);
    if (!self.timer_armed_ && self.wanted_ && *self.wanted_ > std::chrono::steady_clock::now())
      self.arm_timer(*self.wanted_);
  });
}

// --- the public face -------------------------------------------------------

curl_transport::curl_transport(asio::io_context& io, options opts)
    : impl_(std::make_unique<impl>(io, std::move(opts))) {}

curl_transport::~curl_transport() = default;

void curl_transport::send(http_request request, handler done) {
  auto t = std::make_unique<transfer>(transfer::protocol::http, impl_->take_easy());
  t->done = std::move(done);
  t->secrets = impl_->scrub_lists_.for_http(request.url, request.headers);
  if (auto refused = prepare_http(*t, std::move(request))) return impl_->finish_now(std::move(t->done), *refused);
  impl_->set_common(*t);
  impl_->start(std::move(t));
}

void curl_transport::send(smtp_submission submission, handler done) {
  auto t = std::make_unique<transfer>(transfer::protocol::smtp, impl_->take_easy());
  t->done = std::move(done);
  t->secrets = impl_->scrub_lists_.for_smtp(submission.server, submission.password);
  if (auto refused = prepare_smtp(*t, std::move(submission))) return impl_->finish_now(std::move(t->done), *refused);
  impl_->set_common(*t);
  impl_->start(std::move(t));
}

std::size_t curl_transport::in_flight() const { return impl_->transfers_.size() + impl_->waiting_.waiting(); }

}  // namespace herald
