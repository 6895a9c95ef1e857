#include "crossview/util/option_table.h"

#include <algorithm>
#include <fstream>
#include <sstream>

#include "crossview/util/errors.h"
#include "crossview/util/file.h"

namespace crossview {

namespace {

std::string TypeName(const nlohmann::json& j) { return j.type_name(); }

// "--set" values arrive as text: parse them as JSON when they look like JSON, else as a string.
nlohmann::json ParseValue(const std::string& text) {
  nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return nlohmann::json(text);
  return j;
}

// For messages: never throws, also for text that is not UTF-8 (shown with U+FFFD).
std::string DumpForMessage(const nlohmann::json& j) { return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace); }

[[noreturn]] void BadType(const std::string& key, const char* want, const nlohmann::json& got) {
  throw CV_ERROR(InvalidArgumentError, "option '" + key + "' needs " + want).With("got", DumpForMessage(got)).With("type", TypeName(got));
}

}  // namespace

void OptionTable::AddEntry(const std::string& key, Entry entry) {
  if (!entries_.emplace(key, std::move(entry)).second) {
    throw CV_ERROR(InternalError, "option registered twice").With("key", key);
  }
}

void OptionTable::Add(const std::string& key, double* f, const std::string& help) {
  AddEntry(key, {help, [=](const nlohmann::json& j) {
                   if (!j.is_number()) BadType(key, "a number", j);
                   *f = j.get<double>();
                 },
                 [=] { return nlohmann::json(*f); }});
}

void OptionTable::Add(const std::string& key, int* f, const std::string& help) {
  AddEntry(key, {help, [=](const nlohmann::json& j) {
                   if (!j.is_number_integer()) BadType(key, "an integer", j);
                   *f = j.get<int>();
                 },
                 [=] { return nlohmann::json(*f); }});
}

void OptionTable::Add(const std::string& key, int64_t* f, const std::string& help) {
  AddEntry(key, {help, [=](const nlohmann::json& j) {
                   if (!j.is_number_integer()) BadType(key, "an integer", j);
                   *f = j.get<int64_t>();
                 },
                 [=] { return nlohmann::json(*f); }});
}

void OptionTable::Add(const std::string& key, bool* f, const std::string& help) {
  AddEntry(key, {help, [=](const nlohmann::json& j) {
                   if (!j.is_boolean()) BadType(key, "true or false", j);
                   *f = j.get<bool>();
                 },
                 [=] { return nlohmann::json(*f); }});
}

void OptionTable::Add(const std::string& key, std::string* f, const std::string& help, std::vector<std::string> choices) {
  AddEntry(key, {help, [=](const nlohmann::json& j) {
                   if (!j.is_string()) BadType(key, "a string", j);
                   // `--set` text need not be UTF-8; such a value could not be written back out
                   // with the effective configuration (json::dump throws), so it is refused here.
                   try {
                     (void)j.dump();
                   } catch (const nlohmann::json::type_error&) {
                     throw CV_ERROR(InvalidArgumentError, "option '" + key + "' needs UTF-8 text").With("got", DumpForMessage(j));
                   }
                   std::string v = j.get<std::string>();
                   if (!choices.empty() && std::find(choices.begin(), choices.end(), v) == choices.end()) {
                     std::string list;
                     for (const auto& c : choices) list += (list.empty() ? "" : ", ") + c;
                     throw CV_ERROR(InvalidArgumentError, "invalid value '" + v + "' for option '" + key + "'").Hint("valid: " + list);
                   }
                   *f = v;
                 },
                 [=] { return nlohmann::json(*f); }});
}

void OptionTable::Add(const std::string& key, std::vector<int>* f, const std::string& help) {
  AddEntry(key, {help, [=](const nlohmann::json& j) {
                   if (!j.is_array()) BadType(key, "a list of integers like [70,110]", j);
                   std::vector<int> v;
                   for (const auto& e : j) {
                     if (!e.is_number_integer()) BadType(key, "a list of integers", j);
                     v.push_back(e.get<int>());
                   }
                   *f = v;
                 },
                 [=] { return nlohmann::json(*f); }});
}

void OptionTable::Set(const std::string& key, const std::string& value) {
  auto it = entries_.find(key);
  if (it == entries_.end()) {
    std::string list;
    for (const auto& [k, e] : entries_) list += (list.empty() ? "" : ", ") + k;
    throw CV_ERROR(InvalidArgumentError, "unknown option '" + key + "'").Hint("valid options: " + list);
  }
  it->second.set(ParseValue(value));
}

void OptionTable::SetAssignment(const std::string& assignment) {
  auto eq = assignment.find('=');
  if (eq == std::string::npos || eq == 0) {
    throw CV_ERROR(InvalidArgumentError, "expected key=value").With("got", assignment);
  }
  Set(assignment.substr(0, eq), assignment.substr(eq + 1));
}

void OptionTable::SetFromJson(const nlohmann::json& json) {
  std::function<void(const nlohmann::json&, const std::string&)> walk = [&](const nlohmann::json& j, const std::string& prefix) {
    for (auto it = j.begin(); it != j.end(); ++it) {
      std::string key = prefix.empty() ? it.key() : prefix + "." + it.key();
      if (it->is_object()) {
        walk(*it, key);
      } else {
        auto e = entries_.find(key);
        if (e == entries_.end()) Set(key, "null");  // reports the unknown key with the valid list
        e->second.set(*it);
      }
    }
  };
  if (!json.is_object()) throw CV_ERROR(InvalidArgumentError, "a config must be a JSON object");
  walk(json, "");
}

void OptionTable::SetFromFile(const std::string& path) {
  std::string text = ReadFile(path);
  nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded()) throw CV_ERROR(InvalidArgumentError, "config file is not valid JSON").With("path", path);
  WithContext("config", path, [&] { SetFromJson(j); });
}

nlohmann::json OptionTable::ToJson() const {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [key, e] : entries_) {
    std::string pointer = "/" + key;  // (not built in a lambda: clang 14 cannot capture a structured binding)
    std::replace(pointer.begin(), pointer.end(), '.', '/');
    out[nlohmann::json::json_pointer(pointer)] = e.get();
  }
  return out;
}

std::vector<std::string> OptionTable::Keys() const {
  std::vector<std::string> k;
  for (const auto& [key, e] : entries_) k.push_back(key);
  return k;
}

std::string OptionTable::Help() const {
  std::ostringstream os;
  for (const auto& [key, e] : entries_) os << "  " << key << " = " << e.get().dump() << (e.help.empty() ? "" : "  (" + e.help + ")") << "\n";
  return os.str();
}

}  // namespace crossview
