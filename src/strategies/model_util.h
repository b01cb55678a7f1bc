// Small helpers shared by the model-based strategies (gp_strategy*.cc, mf_strategy*.cc).
#pragma once

#include <chrono>
#include <cstdint>

#include <Eigen/Dense>

namespace bayesd::model_util {

// Milliseconds elapsed since t0 on the steady clock (suggestion diagnostics).
inline double Ms(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

// SplitMix64 finalizer: derives independent, reproducible seeds from a study seed and a counter.
inline uint64_t Mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// Appends a row to a matrix that starts empty (its column count is taken from the first row).
inline void AppendRow(Eigen::MatrixXd* m, const Eigen::VectorXd& row) {
  if (m->cols() != row.size()) m->resize(0, row.size());
  m->conservativeResize(m->rows() + 1, Eigen::NoChange);
  m->row(m->rows() - 1) = row.transpose();
}

}  // namespace bayesd::model_util
