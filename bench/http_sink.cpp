// The local HTTP sink of the delivery benchmark (scripts/bench, "delivery";
// docs/PERFORMANCE.md "Delivery throughput"): an HTTP/1.1 keep-alive server
// on 127.0.0.1 that answers every request, whatever its method and path,
// with 200 "ok", and counts them. Both `wrk` (the sink's own capacity) and
// bench/delivery_bench (herald's transport) load the same process.
//
//   http_sink [--port P] [--threads T] [--max-seconds S] [--stamps FILE]
//
// Binds 127.0.0.1 only (port 0, the default: an ephemeral one) and prints
// "port=P" on stdout as soon as it listens. Stops on SIGTERM or SIGINT, or
// after --max-seconds (default 600) whatever happens, then prints
// "requests=R connections=C seconds=S" on stdout.
//
// Requests are parsed by Beast (bodies up to 1 MiB, read and dropped); the
// answer is one fixed byte string, so the sink spends its time on the HTTP
// work any server must do (accept, read, parse, write), not on building
// answers. One coroutine per connection on T threads (default 1).
//
// With --stamps FILE (the daemon benchmark's lateness part,
// bench/daemon_bench.py) each request is also stamped with the wall clock
// as soon as its headers are parsed, and "SECONDS.NANOSECONDS KEY" lines
// are appended to FILE every 20 ms and at the end (KEY: the request's
// Idempotency-Key, or its target when it has none). Appending from a timer
// keeps file writes off the path of a request being answered; a reader
// polls FILE for whole lines.

#include <atomic>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>

namespace {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using asio::ip::tcp;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

constexpr std::string_view answer_keep_alive =
    "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nok";
constexpr std::string_view answer_close =
    "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok";

std::atomic<unsigned long long> requests{0};
std::atomic<unsigned long long> connections{0};

// Arrival stamps not yet written out (--stamps); `stamping` is false without it.
struct stamp_log {
  bool stamping = false;
  std::FILE* file = nullptr;
  std::mutex lock;
  std::string pending;  // whole lines

  void add(std::chrono::system_clock::time_point at, std::string_view key) {
    auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(at.time_since_epoch()).count();
    char head[40];
    int n = std::snprintf(head, sizeof head, "%lld.%09lld ", static_cast<long long>(ns / 1000000000),
                          static_cast<long long>(ns % 1000000000));
    std::lock_guard hold(lock);
    pending.append(head, static_cast<std::size_t>(n)).append(key).push_back('\n');
  }
  void flush() {
    std::string out;
    {
      std::lock_guard hold(lock);
      out.swap(pending);
    }
    if (out.empty()) return;
    std::fwrite(out.data(), 1, out.size(), file);
    std::fflush(file);
  }
};
stamp_log stamps;

// A body that is read and dropped: the sink counts requests, it keeps nothing.
struct discard_body {
  using value_type = std::size_t;  // bytes seen
  struct reader {
    template <bool isRequest, class Fields>
    reader(http::header<isRequest, Fields>&, value_type& seen) : seen_(seen) {}
    void init(const boost::optional<std::uint64_t>&, boost::beast::error_code& ec) { ec = {}; }
    template <class Buffers>
    std::size_t put(const Buffers& buffers, boost::beast::error_code& ec) {
      ec = {};
      auto bytes = asio::buffer_size(buffers);
      seen_ += bytes;
      return bytes;
    }
    void finish(boost::beast::error_code& ec) { ec = {}; }
    value_type& seen_;
  };
};

asio::awaitable<void> serve(tcp::socket socket) {
  socket.set_option(tcp::no_delay(true));
  boost::beast::flat_buffer buffer;
  for (;;) {
    http::request_parser<discard_body> parser;
    parser.body_limit(1024 * 1024);
    if (stamps.stamping) {
      auto [header_error, header_bytes] = co_await http::async_read_header(socket, buffer, parser, use_tuple);
      if (header_error) co_return;
      auto at = std::chrono::system_clock::now();
      const auto& fields = parser.get();
      auto key = fields["Idempotency-Key"];
      stamps.add(at, key.empty() ? fields.target() : key);
    }
    auto [read_error, read_bytes] = co_await http::async_read(socket, buffer, parser, use_tuple);
    if (read_error) co_return;
    requests.fetch_add(1, std::memory_order_relaxed);
    bool keep = parser.get().keep_alive();
    auto text = keep ? answer_keep_alive : answer_close;
    auto [write_error, written] = co_await asio::async_write(socket, asio::buffer(text.data(), text.size()), use_tuple);
    if (write_error || !keep) co_return;
  }
}

asio::awaitable<void> accept_loop(tcp::acceptor& acceptor) {
  for (;;) {
    auto [ec, socket] = co_await acceptor.async_accept(use_tuple);
    if (ec) {
      if (ec == asio::error::operation_aborted) co_return;
      continue;  // EMFILE and the like: keep serving the connections we have
    }
    connections.fetch_add(1, std::memory_order_relaxed);
    asio::co_spawn(acceptor.get_executor(), serve(std::move(socket)), asio::detached);
  }
}

bool read_number(const char* text, long& out) {
  auto end = text + std::strlen(text);
  auto [ptr, ec] = std::from_chars(text, end, out);
  return ec == std::errc{} && ptr == end;
}

int usage() {
  std::fputs("usage: http_sink [--port P] [--threads T] [--max-seconds S] [--stamps FILE]\n", stderr);
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  long port = 0, threads = 1, max_seconds = 600;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "--stamps" && i + 1 < argc) {
      stamps.file = std::fopen(argv[++i], "w");
      if (!stamps.file) {
        std::perror(argv[i]);
        return 2;
      }
      stamps.stamping = true;
      continue;
    }
    long* target = arg == "--port"          ? &port
                   : arg == "--threads"     ? &threads
                   : arg == "--max-seconds" ? &max_seconds
                                            : nullptr;
    if (!target || i + 1 >= argc || !read_number(argv[++i], *target)) return usage();
  }
  if (port < 0 || port > 65535 || threads < 1 || threads > 64 || max_seconds < 1) return usage();

  asio::io_context io(static_cast<int>(threads));
  tcp::acceptor acceptor(io);
  tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port));
  acceptor.open(endpoint.protocol());
  acceptor.set_option(asio::socket_base::reuse_address(true));
  acceptor.bind(endpoint);
  acceptor.listen(asio::socket_base::max_listen_connections);
  std::printf("port=%u\n", static_cast<unsigned>(acceptor.local_endpoint().port()));
  std::fflush(stdout);

  auto started = std::chrono::steady_clock::now();
  asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](boost::system::error_code, int) { io.stop(); });
  asio::steady_timer deadline(io, std::chrono::seconds(max_seconds));
  deadline.async_wait([&](boost::system::error_code ec) {
    if (!ec) io.stop();
  });
  asio::co_spawn(io, accept_loop(acceptor), asio::detached);
  asio::steady_timer stamp_flush(io);
  std::function<void(boost::system::error_code)> flush_stamps = [&](boost::system::error_code ec) {
    if (ec) return;
    stamps.flush();
    stamp_flush.expires_after(std::chrono::milliseconds(20));
    stamp_flush.async_wait(flush_stamps);
  };
  if (stamps.stamping) flush_stamps({});

  std::vector<std::thread> pool;
  for (long t = 1; t < threads; ++t) pool.emplace_back([&] { io.run(); });
  io.run();
  for (auto& thread : pool) thread.join();
  if (stamps.stamping) {
    stamps.flush();
    std::fclose(stamps.file);
  }

  std::chrono::duration<double> up = std::chrono::steady_clock::now() - started;
  std::printf("requests=%llu connections=%llu seconds=%.1f\n", requests.load(), connections.load(), up.count());
  return 0;
}
