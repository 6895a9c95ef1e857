// FindTensorDict: locating the state dict inside a checkpoint's object tree.
#include <deque>
#include <unordered_set>

#include "crossview/checkpoint/torch_archive.h"
#include "crossview/util/errors.h"

namespace crossview::checkpoint {
namespace {

constexpr int kMaxSearchDepth = 4;
constexpr size_t kMaxListedKeys = 20;

bool IsTensorDict(const PickleTree& t, ValueId id) {
  if (t.kind(id) != PickleKind::kDict || t.DictSize(id) == 0) return false;
  for (size_t i = 0; i < t.DictSize(id); ++i) {
    if (t.kind(t.DictKey(id, i)) != PickleKind::kString || t.kind(t.DictValue(id, i)) != PickleKind::kTensor) {
      return false;
    }
  }
  return true;
}

// "state_dict (dict), epoch (int), ..." for messages.
std::string ListKeys(const PickleTree& t, ValueId dict) {
  std::string out;
  const size_t n = t.DictSize(dict);
  for (size_t i = 0; i < n && i < kMaxListedKeys; ++i) {
    if (i > 0) out += ", ";
    out += t.Describe(t.DictKey(dict, i), 60) + " (" + PickleKindName(t.kind(t.DictValue(dict, i))) + ")";
  }
  if (n > kMaxListedKeys) out += ", ... (" + std::to_string(n) + " keys)";
  return out.empty() ? "(empty dict)" : out;
}

TensorDict Collect(const PickleTree& t, ValueId dict, std::string path) {
  TensorDict out;
  out.path = std::move(path);
  out.tensors.reserve(t.DictSize(dict));
  for (size_t i = 0; i < t.DictSize(dict); ++i) {
    out.tensors.emplace_back(t.Text(t.DictKey(dict, i)), &t.Tensor(t.DictValue(dict, i)));
  }
  return out;
}

std::vector<std::string> SplitPath(const std::string& path) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (true) {
    const size_t slash = path.find('/', start);
    parts.push_back(path.substr(start, slash == std::string::npos ? std::string::npos : slash - start));
    if (slash == std::string::npos) return parts;
    start = slash + 1;
  }
}

TensorDict FindByPath(const PickleTree& t, const std::string& key_path) {
  ValueId current = t.root();
  std::string walked;
  for (const std::string& part : SplitPath(key_path)) {
    if (t.kind(current) != PickleKind::kDict) {
      throw CV_ERROR(InvalidArgumentError, "checkpoint entry is not a dict, cannot look up a key in it")
          .With("entry", walked.empty() ? "<root>" : walked)
          .With("kind", PickleKindName(t.kind(current)))
          .With("state_dict_key", key_path);
    }
    const ValueId next = t.FindKey(current, part);
    if (next == kNoValue) {
      throw CV_ERROR(NotFoundError, "checkpoint has no entry named '" + part + "'")
          .With("in", walked.empty() ? "<root>" : walked)
          .With("available", ListKeys(t, current))
          .With("state_dict_key", key_path);
    }
    walked += (walked.empty() ? "" : "/") + part;
    current = next;
  }
  if (!IsTensorDict(t, current)) {
    auto error = CV_ERROR(InvalidArgumentError, "checkpoint entry is not a dict of tensors");
    error.With("entry", key_path).With("content", t.Describe(current));
    if (t.kind(current) == PickleKind::kDict) error.With("keys", ListKeys(t, current));
    throw error;
  }
  return Collect(t, current, key_path);
}

}  // namespace

TensorDict FindTensorDict(const PickleTree& t, const std::string& key_path) {
  if (!key_path.empty()) return FindByPath(t, key_path);
  const ValueId root = t.root();
  if (IsTensorDict(t, root)) return Collect(t, root, "");
  if (t.kind(root) != PickleKind::kDict) {
    throw CV_ERROR(InvalidArgumentError, std::string("checkpoint holds a ") + PickleKindName(t.kind(root)) +
                                             ", not a dict of tensors")
        .With("content", t.Describe(root));
  }
  // Breadth-first through nested dicts; each dict is visited once, so shared or cyclic references
  // cannot make the search blow up.
  struct Node {
    ValueId id;
    std::string path;
    int depth;
  };
  std::deque<Node> queue{{root, "", 0}};
  std::unordered_set<ValueId> visited{root};
  std::vector<Node> found;
  while (!queue.empty()) {
    const Node node = queue.front();
    queue.pop_front();
    for (size_t i = 0; i < t.DictSize(node.id); ++i) {
      const ValueId key = t.DictKey(node.id, i);
      const ValueId value = t.DictValue(node.id, i);
      if (t.kind(key) != PickleKind::kString || t.kind(value) != PickleKind::kDict) continue;
      if (!visited.insert(value).second) continue;
      const std::string path = node.path.empty() ? t.Text(key) : node.path + "/" + t.Text(key);
      if (IsTensorDict(t, value)) {
        found.push_back({value, path, node.depth + 1});
      } else if (node.depth + 1 < kMaxSearchDepth) {
        queue.push_back({value, path, node.depth + 1});
      }
    }
  }
  if (found.size() == 1) return Collect(t, found[0].id, found[0].path);
  if (found.empty()) {
    throw CV_ERROR(NotFoundError, "no dict of tensors (state dict) found in the checkpoint")
        .With("top_level", ListKeys(t, root))
        .Hint("name the entry holding the weights with state_dict_key");
  }
  std::string names;
  for (const Node& n : found) names += (names.empty() ? "" : ", ") + n.path;
  throw CV_ERROR(InvalidArgumentError, "checkpoint holds several dicts of tensors; choose one")
      .With("candidates", names)
      .Hint("set state_dict_key to one of the candidates");
}

}  // namespace crossview::checkpoint
