// NumPy .npy files (format versions 1-3, C order, little-endian) <-> constant tensors.
#pragma once

#include <string>

#include "ir/graph/Graph.h"

namespace autotune::graph {

/// Reads a .npy file of float32/float64/int8..int64/uint8/bool. Fortran order, big-endian data
/// and other types are UserErrors naming the file.
std::shared_ptr<TensorData> read_npy(const std::string &path);

/// Writes `t` as a version 1.0 .npy file; UserError naming the file when it cannot be written.
void write_npy(const std::string &path, const TensorData &t);

}  // namespace autotune::graph
