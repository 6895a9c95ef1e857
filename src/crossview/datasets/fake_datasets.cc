#include "crossview/datasets/fake_datasets.h"

#include <fstream>
#include <stdexcept>

namespace crossview::datasets::testing {

const std::string& TinyPng() {
  static const std::string kPng(
      "\x89\x50\x4e\x47\x0d\x0a\x1a\x0a\x00\x00\x00\x0d\x49\x48\x44\x52\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00"
      "\x00\x00\x90\x77\x53\xde\x00\x00\x00\x0c\x49\x44\x41\x54\x78\x9c\x63\x10\x50\x30\x00\x00\x00\xa4\x00\x61\x34"
      "\x66\x7d\x72\x00\x00\x00\x00\x49\x45\x4e\x44\xae\x42\x60\x82",
      69);
  return kPng;
}

void WriteFile(const fs::path& file, const std::string& contents) {
  fs::create_directories(file.parent_path());
  std::ofstream out(file, std::ios::binary);
  out << contents;
  if (!out) throw std::runtime_error("cannot write " + file.string());
}

void WriteImages(const fs::path& dir, const std::vector<std::string>& names) {
  fs::create_directories(dir);
  for (const std::string& n : names) WriteFile(dir / n);
}

void MakeFakeUniversity1652(const fs::path& root) {
  const std::vector<std::string> train_ids = {"0010", "0001", "0002"};  // written out of order on purpose
  for (const std::string& id : train_ids) {
    WriteImages(root / "train/satellite" / id, {id + ".jpg"});
    WriteImages(root / "train/drone" / id, {"image-10.jpeg", "image-02.jpeg", "image-01.jpeg"});
    WriteImages(root / "train/street" / id, {"s.jpg"});
    fs::create_directories(root / "train/google" / id);
  }
  WriteImages(root / "train/drone/0002", {"B.PNG", "a.webp"});
  WriteFile(root / "train/drone/0002/notes.txt", "not an image");
  WriteFile(root / "train/drone/0002/.DS_Store", "x");
  WriteImages(root / "train/google/0002", {"g.jpg"});
  fs::create_directories(root / "train/.ipynb_checkpoints");
  fs::create_directories(root / "train/drone/.ipynb_checkpoints");
  for (const std::string id : {"0005", "0007"}) {
    WriteImages(root / "test/query_drone" / id, {"image-01.jpeg", "image-02.jpeg"});
    WriteImages(root / "test/query_satellite" / id, {id + ".jpg"});
  }
  for (const std::string id : {"0005", "0007", "0009"}) {
    WriteImages(root / "test/gallery_satellite" / id, {id + ".jpg"});
    WriteImages(root / "test/gallery_drone" / id, {"image-01.jpeg", "image-02.jpeg"});
  }
}

void MakeFakeSues200Split(const fs::path& root, const std::vector<int>& heights) {
  for (int h : heights) {
    const fs::path tr = root / "Training" / std::to_string(h);
    const fs::path te = root / "Testing" / std::to_string(h);
    for (const std::string id : {"0001", "0002"}) {
      WriteImages(tr / "drone" / id, {"01.jpg", "02.jpg"});
      WriteImages(tr / "satellite" / id, {id + ".jpg"});
    }
    WriteImages(te / "query_drone/0003", {"01.jpg", "02.jpg"});
    WriteImages(te / "query_satellite/0003", {"0003.jpg"});
    for (const std::string id : {"0001", "0002", "0003"}) {
      WriteImages(te / "gallery_drone" / id, {"01.jpg", "02.jpg"});
      WriteImages(te / "gallery_satellite" / id, {id + ".jpg"});
    }
  }
}

void MakeFakeSues200Raw(const fs::path& root, const std::vector<int>& heights) {
  for (int h : heights) {
    for (const std::string id : {"0001", "0002"})
      WriteImages(root / "drone_view_512" / std::to_string(h) / id, {"1.jpg", "2.jpg"});
  }
  for (const std::string id : {"0001", "0002"}) WriteImages(root / "satellite-view" / id, {"0.png"});
}

std::string WorkedExampleGpsInfo() {
  return R"({"UAV": {"E": -29.698962189421792, "N": 40.001003867330006},
 "Satellite": {"0.jpg": {"tl_E": -29.70124889069581, "tl_N": 40.00181235108571,
                         "br_E": -29.697730888735784, "br_N": 39.99911740523335,
                         "center_distribute_X": 0.4, "center_distribute_Y": -0.3, "map_size": 300}}})";
}

std::string WorkedExampleLabels() { return R"({"0.jpg": [230, 499]})"; }

void MakeFakeUl14(const fs::path& root) {
  for (const std::string s : {"town-europe_100_0007", "california-town2_80_0001"}) {
    WriteImages(root / "train" / s / "UAV", {"0.JPG"});
    WriteImages(root / "train" / s / "Satellite", {"0.tif"});
  }
  const fs::path t = root / "test/town-europe_100_0017";
  WriteImages(t / "UAV", {"0.JPG"});
  WriteImages(t / "Satellite", {"0.jpg", "1.jpg", "2.jpg", "10.jpg"});
  const std::string map = R"({"tl_E": -29.70124889069581, "tl_N": 40.00181235108571,
      "br_E": -29.697730888735784, "br_N": 39.99911740523335,
      "center_distribute_X": 0.4, "center_distribute_Y": -0.3, "map_size": 300, "extra_field": [1, 2]})";
  WriteFile(t / "GPS_info.json", R"({"UAV": {"E": -29.698962189421792, "N": 40.001003867330006, "H": 100},
      "Satellite": {"0.jpg": )" + map +
                                     R"(, "10.jpg": )" + map + R"(, "2.jpg": )" + map + R"(, "1.jpg": )" + map + "}}");
  WriteFile(t / "labels.json", R"({"10.jpg": [230, 499], "0.jpg": [230, 499], "1.jpg": [230, 499], "2.jpg": [230, 499]})");
}

void MakeFakeDenseUav(const fs::path& root) {
  auto ids_for = [](const std::string& view) -> std::vector<std::string> {
    if (view == "test/gallery_satellite") return {"000003", "000004"};
    if (view == "test/query_drone") return {"000003"};
    return {"000001", "000002"};
  };
  for (const std::string view : {"train/drone", "train/satellite", "test/query_drone", "test/gallery_satellite"}) {
    for (const std::string& id : ids_for(view)) {
      if (view.find("drone") != std::string::npos) {
        WriteImages(root / view / id, {"H80.JPG", "H90.JPG", "H100.JPG"});
      } else {
        WriteImages(root / view / id, {"H80.tif", "H80_old.tif", "H90.tif", "H90_old.tif", "H100.tif", "H100_old.tif"});
      }
    }
  }
  WriteFile(root / "Dense_GPS_ALL.txt",
            "train/drone/000001/H100.JPG E120.3870 N30.3240 100\n"
            "train/drone/000002/H100.JPG E120.3880 N30.3250 100\n"
            "test/query_drone/000003/H80.JPG E120.3890 N30.3260 80\n"
            "\n"
            "test/gallery_satellite/000004/H80.tif E120.3900 N30.3270 80\n");
}

std::string Rel(const fs::path& path, const fs::path& root) { return path.lexically_relative(root).generic_string(); }

}  // namespace crossview::datasets::testing
