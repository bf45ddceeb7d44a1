#pragma once
// Email addresses as herald's config writes them (docs/channels.md
// "Email"): `Name <addr>`, `"Name, Org" <addr>`, `<addr>` or a bare
// `addr`. Used by the config loader (to refuse them early: `validate`
// accepts nothing `run` would refuse) and by the email channel (to build
// the message). An address is plausible when it is local@domain with a
// dot-atom local part and a domain of letters, digits and hyphens:
// enough to catch a typo or a value from the wrong field; quoted local
// parts and non-ASCII addresses (which need SMTPUTF8) are not supported.

#include <string>
#include <string_view>

#include "text/result.hpp"

namespace herald {

struct mailbox {
  std::string display;  ///< may be empty
  std::string address;  ///< bare, checked plausible
};

/// RFC 5322 atext: what a display-name word may hold without quotes.
bool is_atext(char c);
/// A domain of dot-separated labels of letters, digits and hyphens.
bool plausible_domain(std::string_view domain);
/// local@domain, as above.
bool plausible_address(std::string_view address);

/// The mailbox in `text`, or why not: "email `what`: contains a line break
/// (CR or LF); not sent", "email `what`: not a plausible address (…)". The
/// value itself is not repeated.
result<mailbox> parse_mailbox(std::string_view text, std::string_view what);

}  // namespace herald
