#include "src/config/yaml_loader.h"

#include <cerrno>
#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "fmt/format.h"
#include "src/common/strings.h"
#include "src/config/environment.h"
#include "src/config/fields.h"
#include "yaml-cpp/yaml.h"

// yaml-cpp builds the node tree and reports syntax errors; types and ranges are checked here and in
// fields.cc instead of with as<T>(), which accepts "yes" as a bool and throws on a bad number
// without saying which key. yaml-cpp also accepts duplicate keys silently, but keeps both pairs of
// a map in document order, which is how ReadSection() finds them.

namespace radixlm::optimization::internal {
namespace {

// "config.yaml:4: optimization.sglang.timeout: <message>"; the line is 1-based, and left out for
// positions yaml-cpp does not know.
absl::Status ErrorAt(std::string_view source, const YAML::Mark& mark, std::string_view key,
                     std::string_view message) {
  std::string where(source);
  if (!mark.is_null()) where += radixlm::StrCat(":", mark.line + 1);
  if (!key.empty()) where += radixlm::StrCat(": ", key);
  return absl::InvalidArgumentError(radixlm::StrCat(where, ": ", message));
}

std::string_view NodeKind(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Map:
      return "a mapping";
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Scalar:
      return "a single value";
    default:
      return "nothing";
  }
}

bool IsString(const YAML::Node& scalar) {
  // yaml-cpp tags plain scalars "?" and quoted ones "!"; an explicit !!str is a string as well.
  return scalar.Tag() == "!" || scalar.Tag() == "tag:yaml.org,2002:str";
}

// Where each key set in the file was written, for errors that involve two keys.
using KeyMarks = std::map<std::string_view, YAML::Mark, std::less<>>;

absl::Status ReadList(std::string_view source, const Field& field, const YAML::Node& node,
                      Config& config) {
  if (!node.IsSequence()) {
    return ErrorAt(source, node.Mark(), field.key,
                   radixlm::StrCat("expected ", Expected(field), ", got ", NodeKind(node)));
  }
  std::vector<std::string> items;
  for (std::size_t i = 0; i < node.size(); ++i) {
    const YAML::Node item = node[i];
    const std::string item_key = radixlm::StrCat(field.key, "[", i, "]");
    if (!item.IsScalar()) {
      return ErrorAt(source, item.Mark(), item_key,
                     radixlm::StrCat("expected a string, got ", NodeKind(item)));
    }
    if (absl::Status status = CheckListItem(field, item.Scalar()); !status.ok()) {
      return ErrorAt(source, item.Mark(), item_key, ToStd(status.message()));
    }
    items.push_back(item.Scalar());
  }
  *std::get<std::vector<std::string>*>(field.slot(config)) = std::move(items);
  return absl::OkStatus();
}

absl::Status ReadValue(std::string_view source, const Field& field, const YAML::Node& node,
                       Config& config) {
  // `timeout:` with nothing after it is YAML null; like a missing key it keeps the default.
  if (node.IsNull()) return absl::OkStatus();
  if (IsList(field.kind)) return ReadList(source, field, node, config);
  if (!node.IsScalar()) {
    return ErrorAt(source, node.Mark(), field.key,
                   radixlm::StrCat("expected ", Expected(field), ", got ", NodeKind(node)));
  }
  const absl::Status status =
      SetField(field, {.text = node.Scalar(), .is_string = IsString(node)}, config);
  if (!status.ok()) return ErrorAt(source, node.Mark(), field.key, ToStd(status.message()));
  return absl::OkStatus();
}

// Reads the mapping `node` found at `section` ("" for the document root) into `config`, and
// records in `marks` where each key it sets was written.
absl::Status ReadSection(std::string_view source, const YAML::Node& node, std::string_view section,
                         Config& config, KeyMarks& marks) {
  if (node.IsNull()) return absl::OkStatus();
  const std::string expected_keys = fmt::format("{}", fmt::join(ChildNames(section), ", "));
  if (!node.IsMap()) {
    return ErrorAt(source, node.Mark(), section,
                   radixlm::StrCat("expected a mapping with the keys ", expected_keys, ", got ",
                                   NodeKind(node)));
  }
  std::map<std::string, int, std::less<>> first_line_of_key;
  for (const auto& entry : node) {
    const YAML::Node& key_node = entry.first;
    if (!key_node.IsScalar()) {
      return ErrorAt(source, key_node.Mark(), section,
                     radixlm::StrCat("a key must be a plain name, got ", NodeKind(key_node),
                                     "; expected one of ", expected_keys));
    }
    const std::string& name = key_node.Scalar();
    const std::string key = section.empty() ? name : radixlm::StrCat(section, ".", name);
    const int line = key_node.Mark().line + 1;
    if (const auto [it, inserted] = first_line_of_key.emplace(name, line); !inserted) {
      return ErrorAt(
          source, key_node.Mark(), key,
          radixlm::StrCat("duplicate key, already set on line ", it->second, "; keep only one"));
    }
    absl::Status status;
    if (const Field* field = FindField(key); field != nullptr) {
      status = ReadValue(source, *field, entry.second, config);
      if (!entry.second.IsNull()) marks[field->key] = entry.second.Mark();
    } else if (IsSection(key)) {
      status = ReadSection(source, entry.second, key, config, marks);
    } else {
      status = ErrorAt(source, key_node.Mark(), key,
                       radixlm::StrCat("unknown key; expected one of ", expected_keys));
    }
    if (!status.ok()) return status;
  }
  return absl::OkStatus();
}

// Checks the rules between two keys once the whole file is read. The error is reported at
// whichever of the two keys the file sets later, since that is the one that broke the rule.
absl::Status CheckDurationOrders(std::string_view source, const Config& config,
                                 const KeyMarks& marks) {
  for (const DurationOrder& order : DurationOrders()) {
    const auto lower = marks.find(order.lower_key);
    const auto upper = marks.find(order.upper_key);
    const bool blame_lower =
        lower != marks.end() && (upper == marks.end() || lower->second.pos > upper->second.pos);
    const std::string_view blamed_key = blame_lower ? order.lower_key : order.upper_key;
    if (absl::Status status = CheckDurationOrder(order, blamed_key, config); !status.ok()) {
      const auto blamed = blame_lower ? lower : upper;
      const YAML::Mark mark = blamed != marks.end() ? blamed->second : YAML::Mark::null_mark();
      return ErrorAt(source, mark, blamed_key, ToStd(status.message()));
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<Config> ReadYaml(std::string_view yaml_text, std::string_view source_name) {
  Config config = DefaultConfig();
  try {
    const std::vector<YAML::Node> documents = YAML::LoadAll(std::string(yaml_text));
    for (std::size_t i = 1; i < documents.size(); ++i) {
      if (!documents[i].IsNull()) {
        return ErrorAt(source_name, documents[i].Mark(), "",
                       "a second YAML document; a config file holds one, remove the \"---\"");
      }
    }
    if (documents.empty()) return config;  // empty, or only comments
    KeyMarks marks;
    if (absl::Status status = ReadSection(source_name, documents[0], "", config, marks);
        !status.ok()) {
      return status;
    }
    if (absl::Status status = CheckDurationOrders(source_name, config, marks); !status.ok()) {
      return status;
    }
  } catch (const YAML::Exception& e) {
    std::string message = radixlm::StrCat("invalid YAML: ", e.msg);
    if (!e.mark.is_null()) message += radixlm::StrCat(" (column ", e.mark.column + 1, ")");
    return ErrorAt(source_name, e.mark, "", message);
  }
  return config;
}

}  // namespace radixlm::optimization::internal

namespace radixlm::optimization {

absl::StatusOr<Config> ParseConfig(std::string_view yaml_text, std::string_view source_name) {
  absl::StatusOr<Config> config = internal::ReadYaml(yaml_text, source_name);
  if (!config.ok()) return config;
  if (absl::Status status = ApplyEnvironment(*config, internal::ProcessEnvironment); !status.ok()) {
    return status;
  }
  return config;
}

absl::StatusOr<Config> LoadConfigFile(const std::string& path) {
  const std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(path.c_str(), "rb"),
                                                             &std::fclose);
  if (file == nullptr) {
    return absl::ErrnoToStatus(errno, radixlm::StrCat("cannot open config file ", path));
  }
  std::string text;
  char buffer[1 << 16];
  std::size_t read = 0;
  while ((read = std::fread(buffer, 1, sizeof(buffer), file.get())) > 0) text.append(buffer, read);
  // A directory opens fine on Linux and fails here with EISDIR.
  if (std::ferror(file.get())) {
    return absl::ErrnoToStatus(errno, radixlm::StrCat("cannot read config file ", path));
  }
  return ParseConfig(text, path);
}

}  // namespace radixlm::optimization
