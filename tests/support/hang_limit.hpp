#pragma once
// How long a test waits on a real process (herald, a peer) before the wait
// counts as a hang. A deadline here only bounds a hang, it measures
// nothing: on a loaded 2-core machine a start of herald has taken more
// than 10 s, so the waits of the harness and the process tests take this
// long before they give up, and a test that passes still takes only as
// long as its conditions take to hold.

#include <chrono>

namespace herald::test {

inline constexpr std::chrono::seconds hang_limit{30};

}  // namespace herald::test
