// The replacement is the whole binary's: it keeps malloc's behaviour and
// only counts, per thread, so other threads' work never shows in a test.
#include "support/allocation_count.hpp"

#include <cstdlib>
#include <new>

namespace {
thread_local std::size_t calls = 0;
}

namespace herald::test {
std::size_t allocations() { return calls; }
}  // namespace herald::test

void* operator new(std::size_t size) {
  ++calls;
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}

void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
