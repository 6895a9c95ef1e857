// Named options bound to the fields of options structs, so a config file or `--set key=value`
// names the struct field ("optim.lr", "model.method") and a typo is an error listing the valid
// keys. Defaults stay in the structs; the table only reads and writes them.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace crossview {

class OptionTable {
 public:
  void Add(const std::string& key, double* field, const std::string& help = "");
  void Add(const std::string& key, int* field, const std::string& help = "");
  void Add(const std::string& key, int64_t* field, const std::string& help = "");
  void Add(const std::string& key, bool* field, const std::string& help = "");
  void Add(const std::string& key, std::string* field, const std::string& help = "",
           std::vector<std::string> choices = {});
  void Add(const std::string& key, std::vector<int>* field, const std::string& help = "");

  // Parses `value` into the field named `key`. Throws InvalidArgumentError for an unknown key
  // (listing the valid ones), a value of the wrong type, or a value outside `choices`.
  void Set(const std::string& key, const std::string& value);
  // "key=value"
  void SetAssignment(const std::string& assignment);
  // A JSON object; nested objects are flattened with '.' ({"optim": {"lr": 0.1}} → optim.lr).
  void SetFromJson(const nlohmann::json& json);
  // Reads a JSON config file (NotFoundError / InvalidArgumentError naming the file).
  void SetFromFile(const std::string& path);

  // Every option's current value, nested by the dots in the keys.
  nlohmann::json ToJson() const;
  std::vector<std::string> Keys() const;
  std::string Help() const;

 private:
  struct Entry {
    std::string help;
    std::function<void(const nlohmann::json&)> set;
    std::function<nlohmann::json()> get;
  };
  void AddEntry(const std::string& key, Entry entry);
  std::map<std::string, Entry> entries_;
};

}  // namespace crossview
