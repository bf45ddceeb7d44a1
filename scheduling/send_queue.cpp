// Per channel: a FIFO of waiting posts, the keys in flight and a token
// bucket of `delivery.burst` tokens (1 by default: starts at least 1/rate apart).

#include "scheduling/send_queue.hpp"

#include <algorithm>
#include <iterator>

namespace herald {

send_queue::send_queue(double rate_per_second, int max_in_flight, int burst)
    : rate_per_second_(rate_per_second), max_in_flight_(std::max(1, max_in_flight)), burst_(std::max(1, burst)) {}

bool send_queue::push(job j) {
  if (!channel_of_.try_emplace(j.content.key, j.content.channel).second) return false;
  auto channel = channels_.find(j.content.channel);
  if (channel == channels_.end())
    channel = channels_.emplace(j.content.channel, channel_state{{}, {}, rate_limiter{rate_per_second_, burst_}}).first;
  channel->second.waiting.push_back(std::move(j));
  return true;
}

bool send_queue::contains(std::string_view key) const { return channel_of_.contains(key); }

// A channel with nothing waiting or in flight is dropped once its bucket is
// full again: a fresh limiter then answers exactly as the old one would.
// Dropped earlier, it would forget a start made less than 1/rate ago and
// let the next one go too soon.
bool send_queue::forgettable(const channel_state& channel, clock::time_point now) {
  return channel.waiting.empty() && channel.flying.empty() && channel.limiter.next_slot(now) <= now;
}

bool send_queue::has_room(const channel_state& channel) const {
  return channel.flying.size() < static_cast<std::size_t>(max_in_flight_);
}

void send_queue::start_ready(channel_state& channel, clock::time_point now, std::vector<job>& start) const {
  while (!channel.waiting.empty() && has_room(channel) && channel.limiter.next_slot(now) <= now) {
    channel.limiter.reserve(now);
    channel.flying.insert(channel.waiting.front().content.key);
    start.push_back(std::move(channel.waiting.front()));
    channel.waiting.pop_front();
  }
}

send_queue::ready send_queue::take_ready(clock::time_point now) {
  ready out;
  for (auto it = channels_.begin(); it != channels_.end();) {
    auto& channel = it->second;
    start_ready(channel, now, out.start);
    // A channel at its in-flight limit waits for finished(), not for a time.
    if (!channel.waiting.empty() && has_room(channel)) {
      auto slot = channel.limiter.next_slot(now);
      if (!out.next || slot < *out.next) out.next = slot;
    }
    it = forgettable(channel, now) ? channels_.erase(it) : std::next(it);
  }
  return out;
}

void send_queue::finished(std::string_view key) {
  auto known = channel_of_.find(key);
  if (known == channel_of_.end()) return;
  auto channel = channels_.find(known->second);
  if (channel == channels_.end()) return;
  auto& flying = channel->second.flying;
  auto flown = flying.find(key);
  if (flown == flying.end()) return;  // still waiting: take_ready never returned it
  flying.erase(flown);
  channel_of_.erase(known);
}

void send_queue::drop_waiting() {
  for (auto& [name, channel] : channels_) {
    for (const auto& j : channel.waiting) channel_of_.erase(j.content.key);
    channel.waiting.clear();
  }
}

bool send_queue::held_by_in_flight() const {
  return std::any_of(channels_.begin(), channels_.end(),
                     [this](const auto& entry) { return !entry.second.waiting.empty() && !has_room(entry.second); });
}

std::size_t send_queue::waiting() const {
  std::size_t count = 0;
  for (const auto& [name, channel] : channels_) count += channel.waiting.size();
  return count;
}

std::size_t send_queue::in_flight() const {
  std::size_t count = 0;
  for (const auto& [name, channel] : channels_) count += channel.flying.size();
  return count;
}

std::vector<std::string> send_queue::in_flight_keys() const {
  std::vector<std::string> keys;
  for (const auto& [name, channel] : channels_) keys.insert(keys.end(), channel.flying.begin(), channel.flying.end());
  return keys;
}

}  // namespace herald
