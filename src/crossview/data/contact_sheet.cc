#include "crossview/data/contact_sheet.h"

#include <algorithm>

#include <opencv2/imgproc.hpp>

#include "crossview/util/errors.h"

namespace crossview::data {
namespace {

void PutText(cv::Mat& sheet, const std::string& text, cv::Point origin, const cv::Scalar& colour) {
  cv::putText(sheet, text, origin, cv::FONT_HERSHEY_SIMPLEX, 0.4, colour, 1, cv::LINE_8);
}

}  // namespace

cv::Mat MakeContactSheet(const std::vector<ContactSheetRow>& rows, const std::vector<std::string>& column_titles,
                         const ContactSheetOptions& o) {
  if (o.cell_px <= 0 || o.label_width_px < 0 || o.gap_px < 0 || o.title_height_px < 0) {
    throw CV_ERROR(InvalidArgumentError, "contact sheet sizes must be positive").With("cell_px", o.cell_px);
  }
  size_t columns = column_titles.size();
  for (const ContactSheetRow& r : rows) columns = std::max(columns, r.images_rgb.size());
  const int n_cols = static_cast<int>(columns), n_rows = static_cast<int>(rows.size());
  const int width = o.label_width_px + n_cols * (o.cell_px + o.gap_px) + o.gap_px;
  const int height = o.title_height_px + n_rows * (o.cell_px + o.gap_px) + o.gap_px;
  cv::Mat sheet(std::max(1, height), std::max(1, width), CV_8UC3, o.background);
  for (size_t c = 0; c < column_titles.size(); ++c) {
    const int x = o.label_width_px + o.gap_px + static_cast<int>(c) * (o.cell_px + o.gap_px);
    PutText(sheet, column_titles[c], {x, o.title_height_px - 5}, o.text_rgb);
  }
  for (int r = 0; r < n_rows; ++r) {
    const ContactSheetRow& row = rows[static_cast<size_t>(r)];
    const int y = o.title_height_px + r * (o.cell_px + o.gap_px) + o.gap_px;
    for (size_t l = 0; l < row.label_lines.size(); ++l) {
      PutText(sheet, row.label_lines[l], {o.gap_px, y + 14 + 16 * static_cast<int>(l)}, o.text_rgb);
    }
    for (size_t c = 0; c < row.images_rgb.size(); ++c) {
      const cv::Mat& image = row.images_rgb[c];
      if (image.type() != CV_8UC3 || image.empty()) {
        throw CV_ERROR(InvalidArgumentError, "contact sheet images must be 8-bit RGB").With("row", r).With("column", c);
      }
      cv::Mat cell;
      if (image.cols == o.cell_px && image.rows == o.cell_px) {
        cell = image;
      } else {
        const bool shrinking = image.cols > o.cell_px || image.rows > o.cell_px;
        cv::resize(image, cell, cv::Size(o.cell_px, o.cell_px), 0, 0, shrinking ? cv::INTER_AREA : cv::INTER_LINEAR);
      }
      const int x = o.label_width_px + o.gap_px + static_cast<int>(c) * (o.cell_px + o.gap_px);
      cell.copyTo(sheet(cv::Rect(x, y, o.cell_px, o.cell_px)));
    }
  }
  return sheet;
}

}  // namespace crossview::data
