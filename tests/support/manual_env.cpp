// The manual env's timers: each arming has a generation; a firing posts the
// handler with the generation it fired at, and the handler runs only if
// nothing re-armed or cancelled the timer since (as wall_clock_timer does).
#include "support/manual_env.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <utility>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

namespace herald::test {
namespace {

// One armed-or-not timer on time points of type `T`, firing handlers of
// type `H` with the arguments fire() is given.
template <class T, class H>
class manual_core {
 public:
  explicit manual_core(boost::asio::io_context& io) : io_(io) {}

  void arm(T at, H done) {
    ++generation_;
    deadline_ = at;
    done_ = std::move(done);
  }
  void cancel() {
    ++generation_;
    deadline_.reset();
    done_ = nullptr;
  }
  bool due(T now) const { return deadline_ && *deadline_ <= now; }
  bool armed() const { return deadline_.has_value(); }

  template <class... A>
  void fire(A... args) {
    auto done = std::move(done_);
    cancel();
    boost::asio::post(io_, [life = std::weak_ptr(alive_), generation = generation_, done = std::move(done), args...] {
      auto alive = life.lock();
      if (alive && (*alive)->generation_ == generation) done(args...);
    });
  }

 private:
  boost::asio::io_context& io_;
  std::uint64_t generation_ = 0;
  std::optional<T> deadline_;
  H done_;
  std::shared_ptr<manual_core*> alive_ = std::make_shared<manual_core*>(this);
};

}  // namespace

class manual_env::manual_wall_timer final : public wall_timer {
 public:
  manual_wall_timer(manual_env& owner, boost::asio::io_context& io) : owner_(owner), core_(io) {
    owner_.wall_timers_.insert(this);
  }
  ~manual_wall_timer() override { owner_.wall_timers_.erase(this); }

  void wait_until(date::sys_seconds at, handler done) override {
    core_.arm(at, std::move(done));
    fire_if_due();
  }
  void cancel() override { core_.cancel(); }

  void fire_if_due() {
    if (core_.due(date::floor<std::chrono::seconds>(owner_.wall_))) core_.fire(event::reached);
  }
  void clock_set() {
    if (core_.armed()) core_.fire(event::clock_changed);
  }

 private:
  manual_env& owner_;
  manual_core<date::sys_seconds, handler> core_;
};

class manual_env::manual_steady_timer final : public steady_timer {
 public:
  manual_steady_timer(manual_env& owner, boost::asio::io_context& io) : owner_(owner), core_(io) {
    owner_.steady_timers_.insert(this);
  }
  ~manual_steady_timer() override { owner_.steady_timers_.erase(this); }

  void wait_until(std::chrono::steady_clock::time_point at, handler done) override {
    core_.arm(at, std::move(done));
    fire_if_due();
  }
  void cancel() override { core_.cancel(); }

  void fire_if_due() {
    if (core_.due(owner_.steady_)) core_.fire();
  }

 private:
  manual_env& owner_;
  manual_core<std::chrono::steady_clock::time_point, handler> core_;
};

manual_env::manual_env(date::sys_seconds wall_start) : wall_(wall_start) {}

manual_env::~manual_env() = default;

const char* manual_env::getenv(const char* name) {
  auto found = variables_.find(name);
  return found == variables_.end() ? nullptr : found->second.c_str();
}

std::unique_ptr<wall_timer> manual_env::make_wall_timer(boost::asio::io_context& io) {
  return std::make_unique<manual_wall_timer>(*this, io);
}

std::unique_ptr<steady_timer> manual_env::make_steady_timer(boost::asio::io_context& io) {
  return std::make_unique<manual_steady_timer>(*this, io);
}

void manual_env::advance(std::chrono::system_clock::duration d) {
  wall_ += d;
  steady_ += std::chrono::duration_cast<std::chrono::steady_clock::duration>(d);
  fire_due();
}

void manual_env::set_wall(std::chrono::system_clock::time_point t) {
  wall_ = t;
  for (auto* timer : wall_timers_) timer->clock_set();
}

void manual_env::fire_due() {
  for (auto* timer : wall_timers_) timer->fire_if_due();
  for (auto* timer : steady_timers_) timer->fire_if_due();
}

}  // namespace herald::test
