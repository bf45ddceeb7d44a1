#pragma once
// How many times this thread called the global operator new: the test
// binary replaces it (allocation_count.cpp) with malloc and a count. A
// count says how much work a call did without timing it (a test compares
// two counts of one run, never a count against a figure of the machine).

#include <cstddef>

namespace herald::test {

/// The global operator new calls this thread has made so far.
std::size_t allocations();

}  // namespace herald::test
