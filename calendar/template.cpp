#include "calendar/template.hpp"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>
#include <kainjow/mustache.hpp>

namespace herald {

struct compiled_template {
  explicit compiled_template(const std::string& text) : mustache(text) {
    mustache.set_custom_escape([](const std::string& s) { return s; });
  }
  kainjow::mustache::mustache mustache;
};

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

struct open_section {
  std::string name;
  std::size_t offset;
};

}  // namespace

std::variant<text_template, parse_error> text_template::parse(std::string_view text) {
  text_template result;
  std::vector<open_section> sections;
  std::size_t at = 0;
  while ((at = text.find("{{", at)) != std::string_view::npos) {
    auto tag_start = at;
    bool triple = text.substr(at).starts_with("{{{");
    auto close_token = triple ? std::string_view("}}}") : std::string_view("}}");
    auto inner_start = at + (triple ? 3 : 2);
    auto close = text.find(close_token, inner_start);
    if (close == std::string_view::npos)
      return parse_error{fmt::format("unclosed tag '{}'", close_token == "}}}" ? "{{{" : "{{"), tag_start,
                         "close it with " + std::string(close_token)};
    auto inner = text.substr(inner_start, close - inner_start);
    at = close + close_token.size();
    auto body = trim(inner);
    char sigil = triple || body.empty() ? '\0' : body.front();
    if (sigil == '!') continue;  // comment
    if (sigil == '>' || sigil == '=')
      return parse_error{sigil == '>' ? "partials ({{> …}}) are not supported" : "changing delimiters ({{= …=}}) is not supported",
                         tag_start, {}};
    bool sigiled = sigil == '#' || sigil == '^' || sigil == '/' || sigil == '&';
    auto name = trim(sigiled ? body.substr(1) : body);
    auto name_offset = static_cast<std::size_t>(name.data() - text.data());
    if (name.empty()) return parse_error{"empty tag", tag_start, "write a variable name, e.g. {{title}}"};
    if (sigil == '/') {
      if (sections.empty()) return parse_error{fmt::format("'{{{{/{}}}}}' closes no section", name), tag_start, {}};
      if (sections.back().name != name)
        return parse_error{fmt::format("'{{{{/{}}}}}' closes section '{}'", name, sections.back().name), tag_start,
                           fmt::format("close it with {{{{/{}}}}}", sections.back().name)};
      sections.pop_back();
      continue;
    }
    result.variables_.push_back({std::string(name), name_offset, !sections.empty()});
    if (sigil == '#' || sigil == '^') sections.push_back({std::string(name), tag_start});
  }
  if (!sections.empty())
    return parse_error{fmt::format("section '{}' is never closed", sections.back().name), sections.back().offset,
                       fmt::format("close it with {{{{/{}}}}}", sections.back().name)};
  result.text_ = std::make_shared<const std::string>(text);
  result.compiled_ = std::make_shared<compiled_template>(*result.text_);
  if (!result.compiled_->mustache.is_valid())
    return parse_error{result.compiled_->mustache.error_message(), 0, {}};
  return result;
}

std::string text_template::render(const template_values& values) const {
  kainjow::mustache::data data;
  // Later values of a name win; an empty one leaves the name unset.
  std::vector<std::string_view> seen;
  for (auto it = values.strings.rbegin(); it != values.strings.rend(); ++it) {
    if (std::find(seen.begin(), seen.end(), it->first) != seen.end()) continue;
    seen.push_back(it->first);
    if (!it->second.empty()) data.set(std::string(it->first), std::string(it->second));
  }
  for (auto [name, list] : values.lists) {
    if (!list || list->empty()) continue;
    kainjow::mustache::data items{kainjow::mustache::data::type::list};
    for (const auto& item : *list) items.push_back(item);
    data.set(std::string(name), items);
  }
  return compiled_->mustache.render(data);
}

}  // namespace herald
