// torch.save files without libtorch: format detection, the zip archive (PyTorch >= 1.6) and the
// legacy format (PyTorch < 1.6: pickles followed by raw storages). Opening a file parses its pickle
// and locates and size-checks every storage, so later reads cannot go out of bounds.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "crossview/checkpoint/byte_source.h"
#include "crossview/checkpoint/pickle.h"
#include "crossview/checkpoint/zip_reader.h"

namespace crossview::checkpoint {

enum class CheckpointFormat {
  kTorchZip,     // torch.save, PyTorch >= 1.6
  kTorchLegacy,  // torch.save, PyTorch < 1.6 (or _use_new_zipfile_serialization=False)
  kSafetensors,
};
const char* FormatName(CheckpointFormat format);

// Detects the format from the first bytes. IoError for an empty or unrecognised file (showing
// its first bytes); UnavailableError for the tar-based format of PyTorch < 0.4.
CheckpointFormat DetectFormat(const ByteSource& source);

struct ArchiveOptions {
  UnpickleOptions pickle;
  bool verify_crc32 = true;                   // zip entries carry CRC-32s; check storages against them
  uint64_t max_pickle_bytes = 256ull << 20;   // a zip's data.pkl larger than this is refused unread
  void Check() const;
};

class TorchArchive {
 public:
  // Opens a torch.save file of either format. Throws IoError (corrupt, truncated, storage size
  // mismatch), InvalidArgumentError (disallowed global, limits) or UnavailableError (compressed
  // entries, big-endian data, TorchScript archives).
  TorchArchive(std::shared_ptr<const ByteSource> source, const ArchiveOptions& options = {});

  CheckpointFormat format() const { return format_; }
  // The zip's top folder ("head_weights" for head_weights/data.pkl); empty for legacy files.
  const std::string& archive_name() const { return archive_name_; }
  const PickleTree& tree() const { return tree_; }
  const ByteSource& source() const { return *source_; }

  // Bytes of storage `index` (into tree().storages()): numel * element size.
  uint64_t StorageBytes(uint32_t index) const;
  // Copies storage `index` to `dst` (StorageBytes(index) bytes), verifying its CRC-32 if asked.
  void ReadStorage(uint32_t index, void* dst) const;

 private:
  struct Location {
    uint64_t offset = 0;
    uint64_t nbytes = 0;
    bool has_crc = false;
    uint32_t crc32 = 0;
    std::string name;  // entry name or storage key, for messages
  };
  void OpenZip();
  void OpenLegacy();

  std::shared_ptr<const ByteSource> source_;
  ArchiveOptions options_;
  CheckpointFormat format_ = CheckpointFormat::kTorchZip;
  std::string archive_name_;
  PickleTree tree_;
  std::vector<Location> locations_;  // parallel to tree_.storages()
};

// A dict of tensors found in an unpickled checkpoint, in insertion order.
struct TensorDict {
  std::string path;  // where it was found: "" for the root, else keys joined by '/' ("state_dict")
  std::vector<std::pair<std::string, const TensorRef*>> tensors;
};

// Finds the state dict in a checkpoint's object tree. With `key_path` empty: the root when it is
// a dict whose values are all tensors, else the single such dict nested (up to 4 levels) under
// string keys, e.g. {"state_dict": ...}, {"model": ...}, {"net": ...}; several candidates are an
// InvalidArgumentError listing them. With `key_path` ("model" or "checkpoint/state_dict"), that
// entry, NotFoundError listing the available keys when absent.
TensorDict FindTensorDict(const PickleTree& tree, const std::string& key_path);

}  // namespace crossview::checkpoint
