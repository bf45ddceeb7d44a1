#pragma once
// The events whose ids were seen, for the check that ids are unique: an
// open-addressing table of pointers to the events (8 bytes a slot, at most
// half full). An unordered_map of the ids was ~50 bytes an event, and the
// loader now resolves each event while the parse's tree is still in memory,
// at a reload's peak (docs/PERFORMANCE.md "2026-12-03, evening: preview time").
// Internal to calendar/.

#include <algorithm>
#include <cstddef>
#include <functional>
#include <string_view>
#include <vector>

#include "calendar/calendar.hpp"

namespace herald {

class event_id_set {
 public:
  /// Adds `e`, which must not move while the set lives (events live in a
  /// deque); returns the event added before with the same id, if any.
  const event* insert(const event& e) {
    if ((count_ + 1) * 2 > slots_.size()) grow();
    for (auto i = slot_of(e.id);; i = (i + 1) & (slots_.size() - 1)) {
      if (!slots_[i]) {
        slots_[i] = &e;
        ++count_;
        return nullptr;
      }
      if (slots_[i]->id == e.id) return slots_[i];
    }
  }

 private:
  std::size_t slot_of(std::string_view id) const { return std::hash<std::string_view>{}(id) & (slots_.size() - 1); }

  void grow() {
    std::vector<const event*> old(std::max<std::size_t>(16, slots_.size() * 2));
    old.swap(slots_);
    for (const auto* e : old)
      if (e) {
        auto i = slot_of(e->id);
        while (slots_[i]) i = (i + 1) & (slots_.size() - 1);
        slots_[i] = e;
      }
  }

  std::vector<const event*> slots_;  // a power of two of them
  std::size_t count_ = 0;
};

}  // namespace herald
