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
// - After each action finished transfers are read with curl_multi_info_read
//   and their handlers posted, so no handler runs inside a curl callback (a
//   handler may send again, or destroy the transport).
//
// Everything runs on the io_context's one thread: no locks. Asio handlers
// hold a weak_ptr to the impl and do nothing once it is gone.
//
// Outcome details end up in logs; a webhook URL is a secret. So the details
// are built from curl's error codes, curl's error text only with any token
// that could be part of a URL removed, and every detail (also the service's
// own answer) is scrubbed of the request URL's path, query and credentials.

#include "messaging/curl_transport.hpp"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <unordered_map>
#include <utility>
#include <vector>

#include <curl/curl.h>
#include <fmt/format.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

namespace herald {
namespace {

namespace asio = boost::asio;
using error_code = boost::system::error_code;

constexpr std::size_t max_response_body = 64 * 1024;
constexpr long max_host_connections = 4;

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

// One POST or SMTP submission in flight. Owns its easy handle.
struct transfer {
  enum class protocol { http, smtp };
  explicit transfer(protocol kind) : kind(kind), easy(curl_easy_init()) {}
  ~transfer() {
    if (easy) curl_easy_cleanup(easy);
    curl_slist_free_all(list);
  }
  transfer(const transfer&) = delete;
  transfer& operator=(const transfer&) = delete;

  protocol kind;
  CURL* easy;
  curl_transport::handler done;
  std::string url;
  std::string payload;                    ///< the POST body or the whole message
  std::size_t uploaded = 0;               ///< of payload, by the SMTP read callback
  curl_slist* list = nullptr;             ///< HTTP headers or SMTP recipients
  std::vector<std::string> secrets;       ///< text no detail may contain
  std::string response;                   ///< the start of the HTTP answer's body
  std::string retry_after;                ///< the HTTP answer's Retry-After
  std::vector<std::string> smtp_replies;  ///< the SMTP server's last reply lines
  char error[CURL_ERROR_SIZE] = {};
};

delivery_outcome make_outcome(delivery_outcome::kind kind, std::string detail) {
  delivery_outcome out;
  out.result = kind;
  out.detail = std::move(detail);
  return out;
}

bool has_line_break(std::string_view text) { return text.find_first_of("\r\n") != std::string_view::npos; }

bool iequals_prefix(std::string_view text, std::string_view prefix) {
  return text.size() >= prefix.size() && std::equal(prefix.begin(), prefix.end(), text.begin(), [](char a, char b) {
           return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
         });
}

std::string_view trim(std::string_view text) {
  auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return {};
  return text.substr(first, text.find_last_not_of(" \t\r\n") - first + 1);
}

// The parts of a URL that may be secret, longest first: credentials, path,
// query (a Slack or Teams webhook is its path; some webhooks sign in the
// query), and their pieces, should a service echo only some of them.
std::vector<std::string> secret_parts(std::string_view url) {
  std::vector<std::string> parts;
  auto scheme_end = url.find("://");
  auto authority = scheme_end == std::string_view::npos ? 0 : scheme_end + 3;
  auto tail = std::min(url.find_first_of("/?#", authority), url.size());
  auto host = url.substr(authority, tail - authority);
  if (auto at = host.rfind('@'); at != std::string_view::npos) {
    auto userinfo = host.substr(0, at);
    auto colon = std::min(userinfo.find(':'), userinfo.size());
    parts.insert(parts.end(), {std::string(userinfo), std::string(userinfo.substr(0, colon)),
                               std::string(userinfo.substr(std::min(colon + 1, userinfo.size())))});
  }
  auto rest = url.substr(tail);
  parts.emplace_back(rest);
  if (auto query = rest.find_first_of("?#"); query != std::string_view::npos)
    parts.insert(parts.end(), {std::string(rest.substr(0, query)), std::string(rest.substr(query + 1))});
  for (std::size_t start = 0; start < rest.size();) {  // long segments: tokens
    auto end = std::min(rest.find_first_of("/?#&=", start), rest.size());
    if (end - start >= 8) parts.emplace_back(rest.substr(start, end - start));
    start = end + 1;
  }
  std::erase_if(parts, [](const std::string& part) { return part.size() < 2; });
  std::sort(parts.begin(), parts.end(), [](const auto& a, const auto& b) { return a.size() > b.size(); });
  return parts;
}

// Replaces every secret in `detail` by "…".
std::string scrub(std::string detail, const std::vector<std::string>& secrets) {
  for (const auto& secret : secrets) {
    constexpr std::string_view elided = "\u2026";
    for (auto at = detail.find(secret); at != std::string::npos; at = detail.find(secret, at + elided.size()))
      detail.replace(at, secret.size(), elided);
  }
  return detail;
}

// curl's error text without any word that could be part of a URL (curl
// names URLs, hosts with credentials and paths in some messages).
std::string safe_curl_text(const transfer& t, CURLcode code) {
  std::string_view text = trim(t.error);
  if (text.empty()) return curl_easy_strerror(code);
  std::string out;
  for (std::size_t at = 0; at < text.size();) {
    auto end = std::min(text.find(' ', at), text.size());
    auto word = text.substr(at, end - at);
    bool urlish = word.find_first_of("/?#@=&%\\") != std::string_view::npos;
    if (!out.empty()) out += ' ';
    out += urlish ? std::string_view("\u2026") : word;
    at = end + 1;
  }
  return out;
}

// A transfer that ended without an answer to classify.
delivery_outcome curl_failure(const transfer& t, CURLcode code, std::chrono::seconds timeout) {
  using kind = delivery_outcome::kind;
  switch (code) {
    case CURLE_OPERATION_TIMEDOUT:
      return make_outcome(kind::transient, fmt::format("timed out after {} s", timeout.count()));
    case CURLE_COULDNT_CONNECT: {
      long os_error = 0;
      curl_easy_getinfo(t.easy, CURLINFO_OS_ERRNO, &os_error);
      if (os_error == ECONNREFUSED) return make_outcome(kind::transient, "connection refused");
      if (os_error == 0) return make_outcome(kind::transient, "could not connect");
      return make_outcome(kind::transient,
                          fmt::format("could not connect: {}", std::strerror(static_cast<int>(os_error))));
    }
    case CURLE_COULDNT_RESOLVE_HOST:
      return make_outcome(kind::transient, "could not resolve the host name");
    case CURLE_GOT_NOTHING:
      return make_outcome(kind::transient, "the server closed the connection without answering");
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_URL_MALFORMAT:
      return make_outcome(kind::permanent, "unusable URL: " + safe_curl_text(t, code));
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CERTPROBLEM:
      return make_outcome(kind::permanent, "TLS: " + safe_curl_text(t, code));
    case CURLE_USE_SSL_FAILED:
      return make_outcome(kind::permanent, "the server does not offer STARTTLS");
    case CURLE_LOGIN_DENIED:
      return make_outcome(kind::permanent, "login refused: " + safe_curl_text(t, code));
    default:
      return make_outcome(kind::transient, safe_curl_text(t, code));
  }
}

// The server's words for reply `code`: its last line with that code (curl
// sends QUIT after a failure, so the very last line is usually "221 Bye").
std::string reply_text(const transfer& t, long code, CURLcode result) {
  auto prefix = fmt::format("{}", code);
  for (auto line = t.smtp_replies.rbegin(); line != t.smtp_replies.rend(); ++line)
    if (line->starts_with(prefix)) return *line;
  return safe_curl_text(t, result);
}

delivery_outcome judge_smtp(const transfer& t, CURLcode code, std::chrono::seconds timeout) {
  long reply = 0;
  curl_easy_getinfo(t.easy, CURLINFO_RESPONSE_CODE, &reply);
  auto said = reply_text(t, reply, code);
  if (code == CURLE_OK) return classify_smtp(reply >= 200 ? reply : 250, said);
  // A refused STARTTLS (454) may pass; a server without it will not change.
  if (code == CURLE_USE_SSL_FAILED && !(reply >= 400 && reply <= 499)) return curl_failure(t, code, timeout);
  // RCPT 550, DATA 451, AUTH 535…: the server's code decides.
  if (reply >= 400) return classify_smtp(reply, said);
  return curl_failure(t, code, timeout);
}

// --- libcurl callbacks for one transfer -----------------------------------

size_t on_body(char* data, size_t size, size_t count, void* user) {
  auto& t = *static_cast<transfer*>(user);
  auto bytes = size * count;
  // Past the cap the answer is read and dropped, so the connection stays usable.
  t.response.append(data, std::min(bytes, max_response_body - t.response.size()));
  return bytes;
}

size_t on_header(char* data, size_t size, size_t count, void* user) {
  auto& t = *static_cast<transfer*>(user);
  std::string_view line(data, size * count);
  if (line.starts_with("HTTP/")) t.retry_after.clear();  // a new answer (after 1xx)
  constexpr std::string_view name = "retry-after:";
  if (iequals_prefix(line, name)) t.retry_after = trim(line.substr(name.size()));
  return size * count;
}

size_t on_upload(char* buffer, size_t size, size_t count, void* user) {
  auto& t = *static_cast<transfer*>(user);
  auto bytes = std::min(size * count, t.payload.size() - t.uploaded);
  std::memcpy(buffer, t.payload.data() + t.uploaded, bytes);
  t.uploaded += bytes;
  return bytes;
}

// With CURLOPT_VERBOSE, curl hands us the server's SMTP replies; the last
// one explains a failure better than curl's "RCPT failed: 550".
int on_debug(CURL*, curl_infotype type, char* data, size_t size, void* user) {
  if (type != CURLINFO_HEADER_IN) return 0;
  auto& t = *static_cast<transfer*>(user);
  auto line = trim(std::string_view(data, size));
  if (line.size() < 3 || !std::isdigit(static_cast<unsigned char>(line[0]))) return 0;
  if (t.smtp_replies.size() == 8) t.smtp_replies.erase(t.smtp_replies.begin());
  t.smtp_replies.emplace_back(line);
  return 0;
}

}  // namespace

struct curl_transport::impl {
  impl(asio::io_context& io, options opts);
  ~impl();

  void start(std::unique_ptr<transfer> t);
  void finish_now(handler done, delivery_outcome outcome);
  void act(curl_socket_t fd, int events);
  void collect_finished();
  delivery_outcome judge(const transfer& t, CURLcode code) const;
  void arm(const std::shared_ptr<watch>& w);
  void on_ready(const std::shared_ptr<watch>& w, int direction, error_code ec);
  void set_common(transfer& t) const;

  static int on_socket(CURL*, curl_socket_t fd, int what, void* self, void*);
  static int on_timer(CURLM*, long timeout_ms, void* self);

  asio::io_context& io_;
  options opts_;
  CURLM* multi_;
  asio::steady_timer timer_;
  bool timer_armed_ = false;  // a wait is pending on timer_
  std::unordered_map<curl_socket_t, std::shared_ptr<watch>> watches_;
  std::unordered_map<CURL*, std::unique_ptr<transfer>> transfers_;
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
  curl_multi_setopt(multi_, CURLMOPT_MAX_HOST_CONNECTIONS, max_host_connections);
}

curl_transport::impl::~impl() {
  alive_.reset();
  for (auto& entry : transfers_) curl_multi_remove_handle(multi_, entry.first);
  transfers_.clear();
  curl_multi_cleanup(multi_);
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

void curl_transport::impl::start(std::unique_ptr<transfer> t) {
  CURL* easy = t->easy;
  auto [at, added] = transfers_.emplace(easy, std::move(t));
  if (curl_multi_add_handle(multi_, easy) != CURLM_OK) {
    auto node = transfers_.extract(at);
    finish_now(std::move(node.mapped()->done),
               make_outcome(delivery_outcome::kind::transient, "could not start the transfer"));
  }
  // curl now asks for a timer of 0 ms; the transfer starts from there.
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
  }
}

delivery_outcome curl_transport::impl::judge(const transfer& t, CURLcode code) const {
  delivery_outcome outcome;
  if (t.kind == transfer::protocol::smtp) {
    outcome = judge_smtp(t, code, opts_.timeout);
  } else if (code == CURLE_OK) {
    long status = 0;
    curl_easy_getinfo(t.easy, CURLINFO_RESPONSE_CODE, &status);
    outcome = classify_http(status, t.retry_after, t.response, opts_.now());
  } else {
    outcome = curl_failure(t, code, opts_.timeout);
  }
  outcome.detail = scrub(std::move(outcome.detail), t.secrets);
  return outcome;
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
  auto t = std::make_unique<transfer>(transfer::protocol::http);
  t->done = std::move(done);
  t->url = std::move(request.url);
  t->secrets = secret_parts(t->url);
  t->payload = std::move(request.body);
  if (!t->easy)
    return impl_->finish_now(std::move(t->done), make_outcome(delivery_outcome::kind::transient, "out of memory"));

  // "Expect:" turns off curl's 100-continue wait for bodies over 1 KiB.
  std::vector<std::string> lines{"Content-Type: " + request.content_type, "Expect:"};
  for (auto& [name, value] : request.headers)
    lines.push_back(value.empty() ? name + ";" : name + ": " + value);  // "Name;" sends an empty value
  for (const auto& line : lines) {
    if (has_line_break(line))
      return impl_->finish_now(std::move(t->done),
                               make_outcome(delivery_outcome::kind::permanent, "a header holds a line break"));
    t->list = curl_slist_append(t->list, line.c_str());
  }

  impl_->set_common(*t);
  curl_easy_setopt(t->easy, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(t->easy, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(t->easy, CURLOPT_POST, 1L);
  curl_easy_setopt(t->easy, CURLOPT_POSTFIELDS, t->payload.data());
  curl_easy_setopt(t->easy, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(t->payload.size()));
  curl_easy_setopt(t->easy, CURLOPT_HTTPHEADER, t->list);
  curl_easy_setopt(t->easy, CURLOPT_USERAGENT, "herald");
  curl_easy_setopt(t->easy, CURLOPT_WRITEFUNCTION, &on_body);
  curl_easy_setopt(t->easy, CURLOPT_WRITEDATA, t.get());
  curl_easy_setopt(t->easy, CURLOPT_HEADERFUNCTION, &on_header);
  curl_easy_setopt(t->easy, CURLOPT_HEADERDATA, t.get());
  impl_->start(std::move(t));
}

void curl_transport::send(smtp_submission submission, handler done) {
  using kind = delivery_outcome::kind;
  auto t = std::make_unique<transfer>(transfer::protocol::smtp);
  t->done = std::move(done);
  t->url = std::move(submission.server);
  t->secrets = secret_parts(t->url);
  if (submission.password.size() >= 2) t->secrets.insert(t->secrets.begin(), submission.password);
  t->payload = std::move(submission.message);
  if (!t->easy) return impl_->finish_now(std::move(t->done), make_outcome(kind::transient, "out of memory"));
  if (submission.recipients.empty())
    return impl_->finish_now(std::move(t->done), make_outcome(kind::permanent, "no recipients"));

  // An address is sent as an SMTP command: a line break would add commands.
  bool broken = has_line_break(submission.mail_from);
  for (const auto& rcpt : submission.recipients) {
    broken = broken || has_line_break(rcpt);
    t->list = curl_slist_append(t->list, rcpt.c_str());
  }
  if (broken)
    return impl_->finish_now(std::move(t->done), make_outcome(kind::permanent, "an address holds a line break"));

  impl_->set_common(*t);
  curl_easy_setopt(t->easy, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
  // starttls and tls never fall back to plain text.
  bool plain = submission.tls == smtp_submission::tls_mode::none;
  curl_easy_setopt(t->easy, CURLOPT_USE_SSL, static_cast<long>(plain ? CURLUSESSL_NONE : CURLUSESSL_ALL));
  if (!submission.username.empty()) {
    curl_easy_setopt(t->easy, CURLOPT_USERNAME, submission.username.c_str());
    curl_easy_setopt(t->easy, CURLOPT_PASSWORD, submission.password.c_str());
  }
  curl_easy_setopt(t->easy, CURLOPT_MAIL_FROM, submission.mail_from.c_str());
  curl_easy_setopt(t->easy, CURLOPT_MAIL_RCPT, t->list);
  curl_easy_setopt(t->easy, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(t->easy, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(t->payload.size()));
  curl_easy_setopt(t->easy, CURLOPT_READFUNCTION, &on_upload);
  curl_easy_setopt(t->easy, CURLOPT_READDATA, t.get());
  curl_easy_setopt(t->easy, CURLOPT_VERBOSE, 1L);
  curl_easy_setopt(t->easy, CURLOPT_DEBUGFUNCTION, &on_debug);
  curl_easy_setopt(t->easy, CURLOPT_DEBUGDATA, t.get());
  impl_->start(std::move(t));
}

std::size_t curl_transport::in_flight() const { return impl_->transfers_.size(); }

}  // namespace herald
