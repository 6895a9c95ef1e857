// The HTML of the map page served at GET / (map_page.html, embedded at build time).
#pragma once

#include <string_view>

namespace crossview::service {

std::string_view MapPageHtml();

}  // namespace crossview::service
