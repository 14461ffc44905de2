// .npy reading and writing: a magic string, a Python-dict header, then raw data.
#include "ir/graph/NpyFile.h"

#include <cstring>
#include <fstream>
#include <sstream>

namespace autotune::graph {

namespace {

struct DescrType {
  const char *descr;
  DataType dtype;
};

const DescrType kTypes[] = {
    {"<f4", ir::Float(32)}, {"<f8", ir::Float(64)}, {"<i8", ir::Int(64)}, {"<i4", ir::Int(32)},
    {"<i2", ir::Int(16)},   {"|i1", ir::Int(8)},    {"|u1", ir::UInt(8)}, {"|b1", ir::Bool()},
    {"<u2", ir::UInt(16)},  {"<u4", ir::UInt(32)},  {"<u8", ir::UInt(64)}};

/// The value of `key` in the header dict ("'descr': '<f4'" -> "<f4", "'shape': (1, 3)" -> "1, 3").
std::string header_field(const std::string &header, const std::string &key,
                         const std::string &path) {
  size_t k = header.find("'" + key + "'");
  user_check(k != std::string::npos) << "'" << path << "' is not a valid .npy file: no '" << key
                                     << "' in its header";
  size_t colon = header.find(':', k);
  size_t start = header.find_first_not_of(" ", colon + 1);
  if (header[start] == '\'') {
    size_t end = header.find('\'', start + 1);
    return header.substr(start + 1, end - start - 1);
  }
  if (header[start] == '(') {
    size_t end = header.find(')', start);
    return header.substr(start + 1, end - start - 1);
  }
  size_t end = header.find_first_of(",}", start);
  return header.substr(start, end - start);
}

}  // namespace

std::shared_ptr<TensorData> read_npy(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  user_check(in.good()) << "cannot open '" << path << "'";
  char magic[8] = {};
  in.read(magic, 8);
  user_check(in.gcount() == 8 && std::memcmp(magic, "\x93NUMPY", 6) == 0)
      << "'" << path << "' is not a .npy file";
  uint32_t header_len = 0;
  if (magic[6] == 1) {
    uint8_t b[2];
    in.read(reinterpret_cast<char *>(b), 2);
    header_len = b[0] | (b[1] << 8);
  } else {
    uint8_t b[4];
    in.read(reinterpret_cast<char *>(b), 4);
    header_len = b[0] | (b[1] << 8) | (b[2] << 16) | (uint32_t(b[3]) << 24);
  }
  user_check(in.good() && header_len < (1u << 20)) << "'" << path << "': bad .npy header";
  std::string header(header_len, '\0');
  in.read(header.data(), header_len);
  user_check(in.good()) << "'" << path << "': truncated .npy header";
  std::string descr = header_field(header, "descr", path);
  std::string fortran = header_field(header, "fortran_order", path);
  user_check(fortran.find("False") != std::string::npos)
      << "'" << path << "': Fortran-ordered arrays are not supported (save with C order)";
  if (descr.size() == 3 && descr[0] == '=') descr[0] = '<';
  DataType dtype;
  bool found = false;
  for (const DescrType &t : kTypes) {
    if (descr == t.descr) {
      dtype = t.dtype;
      found = true;
    }
  }
  user_check(found) << "'" << path << "': unsupported .npy dtype '" << descr << "'";
  std::vector<int64_t> shape;
  std::stringstream dims(header_field(header, "shape", path));
  std::string item;
  while (std::getline(dims, item, ',')) {
    size_t s = item.find_first_not_of(" ");
    if (s == std::string::npos) continue;
    shape.push_back(std::stoll(item.substr(s)));
  }
  auto t = TensorData::make(dtype, shape);
  in.read(reinterpret_cast<char *>(t->bytes.data()), static_cast<std::streamsize>(t->bytes.size()));
  user_check(in.gcount() == static_cast<std::streamsize>(t->bytes.size()))
      << "'" << path << "': truncated .npy data (expected " << t->bytes.size() << " bytes for shape "
      << shape_str(shape) << ")";
  return t;
}

void write_npy(const std::string &path, const TensorData &t) {
  const char *descr = nullptr;
  for (const DescrType &d : kTypes) {
    if (d.dtype == t.dtype) descr = d.descr;
  }
  user_check(descr) << "cannot write '" << path << "': no .npy type for " << t.dtype.str();
  std::ostringstream h;
  h << "{'descr': '" << descr << "', 'fortran_order': False, 'shape': (";
  for (size_t i = 0; i < t.shape.size(); ++i) h << t.shape[i] << (t.shape.size() == 1 ? "," : (i + 1 < t.shape.size() ? ", " : ""));
  h << "), }";
  std::string header = h.str();
  size_t total = 10 + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header += '\n';
  std::ofstream out(path, std::ios::binary);
  user_check(out.good()) << "cannot write '" << path << "'";
  out.write("\x93NUMPY\x01\x00", 8);
  uint16_t len = static_cast<uint16_t>(header.size());
  char lb[2] = {static_cast<char>(len & 0xff), static_cast<char>(len >> 8)};
  out.write(lb, 2);
  out << header;
  out.write(reinterpret_cast<const char *>(t.bytes.data()), static_cast<std::streamsize>(t.bytes.size()));
  user_check(out.good()) << "failed writing '" << path << "' (disk full?)";
}

}  // namespace autotune::graph
