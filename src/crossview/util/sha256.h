// SHA-256 (FIPS 180-4), for manifests, index checksums and verifying fetched data.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>

namespace crossview {

class Sha256 {
 public:
  Sha256();
  void Update(const void* data, size_t size);
  void Update(const std::string& s) { Update(s.data(), s.size()); }
  // Finishes and returns the 32-byte digest; the object must not be updated afterwards.
  std::array<uint8_t, 32> Digest();
  // Finishes and returns the digest as 64 lowercase hex characters.
  std::string HexDigest();

 private:
  void Block(const uint8_t* p);
  std::array<uint32_t, 8> h_;
  uint8_t buffer_[64];
  size_t buffered_ = 0;
  uint64_t total_bytes_ = 0;
  bool finished_ = false;
};

std::string Sha256Hex(const std::string& data);
// Streams the file; throws NotFoundError / IoError naming the path.
std::string Sha256File(const std::filesystem::path& path);

}  // namespace crossview
