// The real env: the system's clocks and environment, a CLOCK_REALTIME
// timerfd for the wake-up and asio::steady_timer for the rest.
#include "daemon/env.hpp"

#include <cstdlib>
#include <random>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "daemon/wall_clock_timer.hpp"

namespace herald {
namespace {

class asio_steady_timer final : public steady_timer {
 public:
  explicit asio_steady_timer(boost::asio::io_context& io) : timer_(io) {}

  // A replaced or cancelled wait ends with operation_aborted: nothing is called.
  void wait_until(std::chrono::steady_clock::time_point at, handler done) override {
    timer_.expires_at(at);
    timer_.async_wait([done = std::move(done)](const boost::system::error_code& error) {
      if (!error) done();
    });
  }
  void cancel() override { timer_.cancel(); }

 private:
  boost::asio::steady_timer timer_;
};

}  // namespace

std::chrono::system_clock::time_point system_env::wall_now() { return std::chrono::system_clock::now(); }

std::chrono::steady_clock::time_point system_env::steady_now() { return std::chrono::steady_clock::now(); }

const char* system_env::getenv(const char* name) { return std::getenv(name); }

std::uint64_t system_env::random_seed() { return std::random_device{}(); }

std::unique_ptr<wall_timer> system_env::make_wall_timer(boost::asio::io_context& io) {
  return std::make_unique<wall_clock_timer>(io);
}

std::unique_ptr<steady_timer> system_env::make_steady_timer(boost::asio::io_context& io) {
  return std::make_unique<asio_steady_timer>(io);
}

}  // namespace herald
