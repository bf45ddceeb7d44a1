#pragma once
// A planned post as the channels see it: rendered text and its facts.

#include "calendar/plan.hpp"
#include "messaging/post_content.hpp"

namespace herald {

post_content make_post_content(const planned_post& post);

/// A post for trying a channel when no event is named (`send-test`).
post_content sample_post(const std::string& channel, date::sys_seconds now);

}  // namespace herald
