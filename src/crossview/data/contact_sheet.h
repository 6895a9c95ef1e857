// A contact sheet: a grid of sample images with a label column and column titles, so a person can
// look at a generated dataset (contact_sheet.png at a dataset's root).
#pragma once

#include <string>
#include <vector>

#include <opencv2/core.hpp>

namespace crossview::data {

struct ContactSheetRow {
  std::vector<std::string> label_lines;  // e.g. {"0017", "test", "town-europe"}
  std::vector<cv::Mat> images_rgb;       // CV_8UC3; resized (area) to the cell size when needed
};

struct ContactSheetOptions {
  int cell_px = 128;           // every image is shown at cell_px × cell_px
  int label_width_px = 150;
  int gap_px = 4;
  int title_height_px = 18;
  cv::Scalar background{32, 32, 32};
  cv::Scalar text_rgb{235, 235, 235};
};

// Composes the sheet (CV_8UC3, R G B): a title row with `column_titles`, then one row per entry.
// Rows may hold different numbers of images; the sheet is as wide as the longest. Deterministic.
// Throws InvalidArgumentError for a non-positive cell size or an image that is not 8-bit RGB.
cv::Mat MakeContactSheet(const std::vector<ContactSheetRow>& rows, const std::vector<std::string>& column_titles,
                         const ContactSheetOptions& options = {});

}  // namespace crossview::data
