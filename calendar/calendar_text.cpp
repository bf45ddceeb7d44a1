#include "calendar/calendar_text.hpp"

namespace herald {

namespace {
// Big enough that the blocks' own overhead is nothing, small enough that a
// small calendar does not pay for much empty room.
constexpr std::size_t block_size = 32 << 10;
}  // namespace

void* calendar_text::allocate(std::size_t size, std::size_t align) {
  auto padding = (align - reinterpret_cast<std::uintptr_t>(next_) % align) % align;
  if (size + padding > left_) {
    if (size > block_size / 4) {  // a long text gets a block of its own; the current one stays in use
      blocks_.push_back(std::make_unique_for_overwrite<std::byte[]>(size));
      return blocks_.back().get();
    }
    blocks_.push_back(std::make_unique_for_overwrite<std::byte[]>(block_size));
    next_ = blocks_.back().get();
    left_ = block_size;
    padding = 0;  // new[] aligns for any scalar
  }
  auto* at = next_ + padding;
  next_ = at + size;
  left_ -= padding + size;
  return at;
}

}  // namespace herald
