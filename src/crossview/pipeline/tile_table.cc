#include "crossview/pipeline/tile_table.h"

#include <sqlite3.h>

#include <memory>
#include <string>

#include "crossview/util/errors.h"
#include "crossview/util/file.h"

namespace crossview::pipeline {
namespace {

struct DbCloser {
  void operator()(sqlite3* db) const { sqlite3_close(db); }
};
struct StmtFinalizer {
  void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
};
using Db = std::unique_ptr<sqlite3, DbCloser>;
using Stmt = std::unique_ptr<sqlite3_stmt, StmtFinalizer>;

constexpr const char* kColumns =
    "id, grid_row, grid_col, centre_lat, centre_lon, tl_lat, tl_lon, tr_lat, tr_lon, br_lat, br_lon, bl_lat, bl_lon, "
    "col_off, row_off, width_px, height_px, gsd_m, nodata_fraction, up_bearing_deg";
constexpr int kColumnCount = 20;

IoError SqliteError(sqlite3* db, const std::string& what, const std::filesystem::path& path) {
  return CV_ERROR(IoError, what + ": " + (db != nullptr ? sqlite3_errmsg(db) : "out of memory")).With("path", path.string());
}

void Exec(sqlite3* db, const std::string& sql, const std::filesystem::path& path) {
  char* message = nullptr;
  if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
    std::string text = message != nullptr ? message : "unknown error";
    sqlite3_free(message);
    throw CV_ERROR(IoError, "SQLite statement failed: " + text).With("path", path.string()).With("sql", sql.substr(0, 60));
  }
}

Db OpenDb(const std::filesystem::path& path, int flags) {
  sqlite3* raw = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  Db db(raw);
  if (rc != SQLITE_OK) throw SqliteError(raw, "cannot open the tile table", path);
  return db;
}

}  // namespace

TileRecord RecordFromTile(int64_t id, const geo::Tile& tile) {
  TileRecord r;
  r.id = id;
  r.grid_row = tile.grid_row;
  r.grid_col = tile.grid_col;
  r.centre = tile.centre;
  r.corners = tile.corners;
  r.window = tile.window;
  r.gsd_m = tile.gsd_m;
  r.nodata_fraction = tile.nodata_fraction;
  r.up_bearing_deg = tile.up_bearing_deg;
  return r;
}

void WriteTileTable(const std::filesystem::path& path, const std::vector<TileRecord>& tiles) {
  AtomicPath out(path);
  {
    Db db = OpenDb(out.temp_path(), SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    Exec(db.get(),
         "CREATE TABLE tiles(id INTEGER PRIMARY KEY, grid_row INTEGER NOT NULL, grid_col INTEGER NOT NULL, "
         "centre_lat REAL NOT NULL, centre_lon REAL NOT NULL, tl_lat REAL NOT NULL, tl_lon REAL NOT NULL, "
         "tr_lat REAL NOT NULL, tr_lon REAL NOT NULL, br_lat REAL NOT NULL, br_lon REAL NOT NULL, "
         "bl_lat REAL NOT NULL, bl_lon REAL NOT NULL, col_off INTEGER NOT NULL, row_off INTEGER NOT NULL, "
         "width_px INTEGER NOT NULL, height_px INTEGER NOT NULL, gsd_m REAL NOT NULL, "
         "nodata_fraction REAL NOT NULL, up_bearing_deg REAL NOT NULL)",
         path);
    Exec(db.get(), "PRAGMA user_version = " + std::to_string(kTileTableVersion), path);
    Exec(db.get(), "BEGIN", path);
    sqlite3_stmt* raw = nullptr;
    const std::string sql = std::string("INSERT INTO tiles(") + kColumns +
                            ") VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";
    if (sqlite3_prepare_v2(db.get(), sql.c_str(), -1, &raw, nullptr) != SQLITE_OK) {
      throw SqliteError(db.get(), "cannot prepare the tile insert", path);
    }
    Stmt insert(raw);
    for (const TileRecord& t : tiles) {
      int i = 1;
      sqlite3_bind_int64(insert.get(), i++, t.id);
      sqlite3_bind_int(insert.get(), i++, t.grid_row);
      sqlite3_bind_int(insert.get(), i++, t.grid_col);
      sqlite3_bind_double(insert.get(), i++, t.centre.lat_deg);
      sqlite3_bind_double(insert.get(), i++, t.centre.lon_deg);
      for (const geo::LatLonDeg& c : t.corners) {
        sqlite3_bind_double(insert.get(), i++, c.lat_deg);
        sqlite3_bind_double(insert.get(), i++, c.lon_deg);
      }
      sqlite3_bind_int(insert.get(), i++, t.window.col_off);
      sqlite3_bind_int(insert.get(), i++, t.window.row_off);
      sqlite3_bind_int(insert.get(), i++, t.window.width_px);
      sqlite3_bind_int(insert.get(), i++, t.window.height_px);
      sqlite3_bind_double(insert.get(), i++, t.gsd_m);
      sqlite3_bind_double(insert.get(), i++, t.nodata_fraction);
      sqlite3_bind_double(insert.get(), i++, t.up_bearing_deg);
      if (sqlite3_step(insert.get()) != SQLITE_DONE) throw SqliteError(db.get(), "cannot insert a tile", path).With("id", t.id);
      sqlite3_reset(insert.get());
    }
    insert.reset();
    Exec(db.get(), "COMMIT", path);
    if (sqlite3_close(db.release()) != SQLITE_OK) throw CV_ERROR(IoError, "cannot close the tile table").With("path", path.string());
  }
  out.Commit();
}

std::vector<TileRecord> ReadTileTable(const std::filesystem::path& path) {
  if (!std::filesystem::exists(path)) throw CV_ERROR(NotFoundError, "tile table not found").With("path", path.string());
  Db db = OpenDb(path, SQLITE_OPEN_READONLY);
  sqlite3_stmt* raw = nullptr;
  if (sqlite3_prepare_v2(db.get(), "PRAGMA user_version", -1, &raw, nullptr) != SQLITE_OK) {
    throw SqliteError(db.get(), "not a SQLite tile table", path);
  }
  Stmt version(raw);
  const int v = sqlite3_step(version.get()) == SQLITE_ROW ? sqlite3_column_int(version.get(), 0) : -1;
  if (v > kTileTableVersion) {
    throw CV_ERROR(IoError, "the tile table was written by a newer crossview").With("path", path.string())
        .With("version", v).With("supported", kTileTableVersion).Hint("upgrade crossview");
  }
  const std::string sql = std::string("SELECT ") + kColumns + " FROM tiles ORDER BY id";
  raw = nullptr;
  if (sqlite3_prepare_v2(db.get(), sql.c_str(), -1, &raw, nullptr) != SQLITE_OK) {
    throw SqliteError(db.get(), "not a crossview tile table", path);
  }
  Stmt select(raw);
  if (sqlite3_column_count(select.get()) != kColumnCount) throw CV_ERROR(InternalError, "tile table column count");
  std::vector<TileRecord> tiles;
  int rc = SQLITE_ROW;
  while ((rc = sqlite3_step(select.get())) == SQLITE_ROW) {
    TileRecord t;
    int i = 0;
    t.id = sqlite3_column_int64(select.get(), i++);
    t.grid_row = sqlite3_column_int(select.get(), i++);
    t.grid_col = sqlite3_column_int(select.get(), i++);
    t.centre.lat_deg = sqlite3_column_double(select.get(), i++);
    t.centre.lon_deg = sqlite3_column_double(select.get(), i++);
    for (geo::LatLonDeg& c : t.corners) {
      c.lat_deg = sqlite3_column_double(select.get(), i++);
      c.lon_deg = sqlite3_column_double(select.get(), i++);
    }
    t.window.col_off = sqlite3_column_int(select.get(), i++);
    t.window.row_off = sqlite3_column_int(select.get(), i++);
    t.window.width_px = sqlite3_column_int(select.get(), i++);
    t.window.height_px = sqlite3_column_int(select.get(), i++);
    t.gsd_m = sqlite3_column_double(select.get(), i++);
    t.nodata_fraction = sqlite3_column_double(select.get(), i++);
    t.up_bearing_deg = sqlite3_column_double(select.get(), i++);
    if (t.id != static_cast<int64_t>(tiles.size())) {
      throw CV_ERROR(IoError, "tile ids must be 0 … n−1 in order").With("path", path.string()).With("row", tiles.size()).With("id", t.id);
    }
    tiles.push_back(t);
  }
  if (rc != SQLITE_DONE) throw SqliteError(db.get(), "cannot read the tile table", path);
  return tiles;
}

}  // namespace crossview::pipeline
