// libFuzzer entry point for everything that parses untrusted checkpoint bytes: format detection,
// the zip reader, the unpickler, storage resolution, state-dict search and the safetensors header.
// The only acceptable outcome for any input is success or a crossview::Error.
//
//   cmake -S . -B build-fuzz -G Ninja -DCMAKE_CXX_COMPILER=clang++ -DCROSSVIEW_FUZZ=ON -DCROSSVIEW_WITH_TORCH=OFF
//   cmake --build build-fuzz --target checkpoint_fuzz
//   ./build-fuzz/fuzz/checkpoint_fuzz -max_total_time=300 WORK_DIR tests/fuzz/corpus/checkpoint
// (docs/reliability.md; seeds in tests/fuzz/corpus/checkpoint, past crashes in tests/fuzz/regressions/checkpoint)
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "crossview/checkpoint/safetensors_format.h"
#include "crossview/checkpoint/torch_archive.h"
#include "crossview/util/errors.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace crossview::checkpoint;
  auto source = std::make_shared<MemorySource>(std::string(reinterpret_cast<const char*>(data), size), "fuzz");
  try {
    if (DetectFormat(*source) == CheckpointFormat::kSafetensors) {
      const SafetensorsHeader header = ParseSafetensorsHeader(*source);
      std::vector<char> buffer;
      for (const SafetensorsEntry& e : header.entries) {
        buffer.resize(e.end - e.begin);
        source->ReadAt(header.data_start + e.begin, buffer.data(), buffer.size());
      }
      return 0;
    }
    ArchiveOptions options;
    options.pickle.max_objects = 100000;
    const TorchArchive archive(source, options);
    const TensorDict dict = FindTensorDict(archive.tree(), "");
    std::vector<char> buffer;
    for (const auto& [name, tensor] : dict.tensors) {
      buffer.resize(archive.StorageBytes(tensor->storage));
      archive.ReadStorage(tensor->storage, buffer.data());
    }
    archive.tree().Describe(archive.tree().root());
  } catch (const crossview::Error&) {
  }
  return 0;
}
