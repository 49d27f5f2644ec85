#include "src/server/http_message.h"

namespace radixlm::server {

std::string_view HttpRequest::Header(std::string_view name) const {
  auto it = headers.find(std::string(name));
  return it == headers.end() ? std::string_view() : std::string_view(it->second);
}

}  // namespace radixlm::server
