// Formulas transcribed from ../shared/problems/problems.json (NumPy expressions); each factory names its entry.
#include "bench/problems/problems.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <deque>
#include <limits>
#include <map>
#include <mutex>
#include <numbers>
#include <string>

namespace bayesd::bench {
namespace {

constexpr double kPi = std::numbers::pi;
constexpr double kE = std::numbers::e;

Vec Repeat(double v, int d) { return Vec(static_cast<size_t>(d), v); }

std::vector<std::pair<double, double>> Box(double lo, double hi, int d) {
  return std::vector<std::pair<double, double>>(static_cast<size_t>(d), {lo, hi});
}

const char* kBench = "rosenyu304/BOEngineeringBenchmark@8e843f24cc9e1afc34e464cca9443e94721376db:test_functions/";
const char* kBotorch = "pytorch/botorch@e390e135c5327f832275d69ac485d7844e68e234:botorch/test_functions/";

// Unconstrained, single-fidelity, non-composite defaults.
Problem Base(std::string name, std::string category, std::vector<std::pair<double, double>> bounds) {
  Problem p;
  p.name = std::move(name);
  p.category = std::move(category);
  p.dim = static_cast<int>(bounds.size());
  p.bounds = std::move(bounds);
  p.constraints_fn = [](const Vec&) { return Vec(); };
  return p;
}

void SetOptimum(Problem* p, double value, Vec x, double tolerance, std::string status) {
  p->optimum = value;
  p->optimum_x = x;
  p->optimum_all_x = {std::move(x)};
  p->optimum_tolerance = tolerance;
  p->optimum_status = std::move(status);
}

// ---- continuous -------------------------------------------------------------------------------------------------

double BraninCore(double x1, double x2, double b) {
  double t = x2 - b * x1 * x1 + 5 / kPi * x1 - 6;
  return t * t + 10 * (1 - 1 / (8 * kPi)) * std::cos(x1) + 10;
}

Problem Branin() {
  Problem p = Base("branin", "continuous", {{-5.0, 10.0}, {0.0, 15.0}});
  p.objective_fn = [](const Vec& x) { return BraninCore(x[0], x[1], 5.1 / (4 * kPi * kPi)); };
  SetOptimum(&p, 0.397887, {-kPi, 12.275}, 1e-5, "source");
  p.optimum_all_x = {{-kPi, 12.275}, {kPi, 2.275}, {9.42478, 2.475}};
  p.source = std::string(kBotorch) + "synthetic.py (class Branin)";
  return p;
}

constexpr double kAlpha[4] = {1.0, 1.2, 3.0, 3.2};
constexpr double kA6[4][6] = {{10, 3, 17, 3.5, 1.7, 8},
                              {0.05, 10, 17, 0.1, 8, 14},
                              {3, 3.5, 1.7, 10, 17, 8},
                              {17, 8, 0.05, 10, 0.1, 14}};
constexpr double kP6[4][6] = {{1312, 1696, 5569, 124, 8283, 5886},
                              {2329, 4135, 8307, 3736, 1004, 9991},
                              {2348, 1451, 3522, 2883, 3047, 6650},
                              {4047, 8828, 8732, 5743, 1091, 381}};

// E_i = exp(-sum_j A_ij (x_j - P_ij)^2), i = 0..3, over the first six coordinates of x.
std::array<double, 4> HartmannTerms(const Vec& x) {
  std::array<double, 4> e{};
  for (int i = 0; i < 4; ++i) {
    double s = 0;
    for (int j = 0; j < 6; ++j) {
      double d = x[j] - 1e-4 * kP6[i][j];
      s += kA6[i][j] * d * d;
    }
    e[i] = std::exp(-s);
  }
  return e;
}

const Vec kHartmannOpt = {0.20169, 0.150011, 0.476874, 0.275332, 0.311652, 0.6573};

Problem Hartmann6() {
  Problem p = Base("hartmann6", "continuous", Box(0.0, 1.0, 6));
  p.objective_fn = [](const Vec& x) {
    auto e = HartmannTerms(x);
    double s = 0;
    for (int i = 0; i < 4; ++i) s += kAlpha[i] * e[i];
    return -s;
  };
  SetOptimum(&p, -3.32237, kHartmannOpt, 1e-5, "source");
  p.source = std::string(kBotorch) + "synthetic.py (class Hartmann, dim=6)";
  return p;
}

// ---- constrained ------------------------------------------------------------------------------------------------

double AckleyValue(const Vec& x) {
  double sq = 0, cs = 0;
  for (double v : x) {
    sq += v * v;
    cs += std::cos(2 * kPi * v);
  }
  double n = static_cast<double>(x.size());
  return -20 * std::exp(-0.2 * std::sqrt(sq / n)) - std::exp(cs / n) + 20 + kE;
}

Problem Ackley2dConstrained() {
  Problem p = Base("ackley2d_constrained", "constrained", Box(-5.0, 10.0, 2));
  p.objective_fn = AckleyValue;
  p.num_constraints = 2;
  p.constraints_fn = [](const Vec& x) {
    return Vec{x[0] + x[1], std::sqrt(x[0] * x[0] + x[1] * x[1]) - 5};
  };
  SetOptimum(&p, 0.0, {0.0, 0.0}, 1e-9, "analytic");
  p.source = std::string(kBench) + "Ackley2D.py";
  return p;
}

Problem Gkxwc1() {
  Problem p = Base("gkxwc1", "constrained", Box(0.0, 6.0, 2));
  p.objective_fn = [](const Vec& x) { return std::cos(2 * x[0]) * std::cos(x[1]) + std::sin(x[0]); };
  p.num_constraints = 1;
  p.constraints_fn = [](const Vec& x) {
    return Vec{std::cos(x[0]) * std::cos(x[1]) - std::sin(x[0]) * std::sin(x[1]) - 0.5};
  };
  SetOptimum(&p, -2.0, {4.71238898038469, 0.0}, 2e-9, "analytic");
  p.source = std::string(kBench) + "GKXWC1.py";
  return p;
}

Problem Gkxwc2() {
  Problem p = Base("gkxwc2", "constrained", Box(0.0, 6.0, 2));
  p.objective_fn = [](const Vec& x) { return std::sin(x[0]) + x[1]; };
  p.num_constraints = 1;
  p.constraints_fn = [](const Vec& x) { return Vec{std::sin(x[0]) * std::sin(x[1]) + 0.95}; };
  SetOptimum(&p, 0.25323589750337505, {4.71238898038469, 1.253235897503375}, 1e-9, "analytic");
  p.source = std::string(kBench) + "GKXWC2.py";
  return p;
}

Problem Jlh1() {
  Problem p = Base("jlh1", "constrained", Box(0.0, 1.0, 2));
  p.objective_fn = [](const Vec& x) {
    return (x[0] - 0.5) * (x[0] - 0.5) + (x[1] - 0.5) * (x[1] - 0.5);
  };
  p.num_constraints = 1;
  p.constraints_fn = [](const Vec& x) { return Vec{x[0] + x[1] - 0.75}; };
  SetOptimum(&p, 0.03125, {0.375, 0.375}, 1e-12, "analytic");
  p.source = std::string(kBench) + "JLH1.py";
  return p;
}

Problem ThreeBarTruss() {
  Problem p = Base("three_bar_truss", "constrained", Box(0.0, 1.0, 2));
  constexpr double kL = 100.0, kP = 2.0, kSigma = 2.0;
  const double r2 = std::sqrt(2.0);
  p.objective_fn = [r2](const Vec& x) {
    double x1 = std::max(x[0], 1e-5), x2 = std::max(x[1], 1e-5);
    return (2 * r2 * x1 + x2) * kL;
  };
  p.num_constraints = 3;
  p.constraints_fn = [r2](const Vec& x) {
    double x1 = std::max(x[0], 1e-5), x2 = std::max(x[1], 1e-5);
    double den = r2 * x1 * x1 + 2 * x1 * x2;
    return Vec{(r2 * x1 + x2) / den * kP - kSigma, x2 / den * kP - kSigma, 1 / (x1 + r2 * x2) * kP - kSigma};
  };
  SetOptimum(&p, 263.8958433764684, {0.7886751345948129, 0.4082482904638631}, 1e-9, "analytic");
  p.source = std::string(kBench) + "ThreeTruss.py";
  return p;
}

Problem PressureVessel() {
  Problem p = Base("pressure_vessel", "constrained", {{0.0625, 6.1875}, {0.0625, 6.1875}, {10.0, 200.0}, {0.0, 190.0}});
  p.variables = {"Ts", "Th", "R", "L"};
  p.objective_fn = [](const Vec& x) {
    double ts = x[0], th = x[1], r = x[2], l = x[3];
    return 0.6224 * ts * r * l + 1.7781 * th * r * r + 3.1661 * ts * ts * l + 19.84 * ts * ts * r;
  };
  p.num_constraints = 4;
  p.constraints_fn = [](const Vec& x) {
    double ts = x[0], th = x[1], r = x[2], l = x[3];
    return Vec{-ts + 0.0193 * r, -th + 0.00954 * r,
               -kPi * (r * r) * l - 4.0 / 3.0 * kPi * std::pow(r, 3) + 750 * 1728, l - 240};  // NumPy's order
  };
  SetOptimum(&p, 5910.064472392984, {0.7923763182188885, 0.39167202465327444, 41.0557677833621, 190.0}, 1e-7,
             "computed_here");
  p.source = std::string(kBench) + "PressureVessel.py";
  return p;
}

Problem CompressionSpring() {
  Problem p = Base("compression_spring", "constrained", {{0.05, 1.0}, {0.25, 1.3}, {2.0, 15.0}});
  p.variables = {"d (wire diameter)", "D (coil diameter)", "N (active coils)"};
  p.objective_fn = [](const Vec& x) { return (x[2] + 2) * x[1] * x[0] * x[0]; };
  p.num_constraints = 4;
  p.constraints_fn = [](const Vec& x) {
    double d = x[0], D = x[1], N = x[2];
    double d2 = d * d, d3 = d2 * d, d4 = d3 * d;
    return Vec{1 - D * D * D * N / (71785 * d4),
               (4 * D * D - D * d) / (12566 * (D * d3 - d4)) + 1 / (5108 * d2) - 1,
               1 - 140.45 * d / (D * D * N), (D + d) / 1.5 - 1};
  };
  SetOptimum(&p, 0.012665232788043051, {0.051689058972866825, 0.3567176890409002, 11.288968727139528}, 1e-9,
             "computed_here");
  p.source = std::string(kBench) + "CompressionSpring.py";
  return p;
}

// ---- multi-fidelity ---------------------------------------------------------------------------------------------

double ForresterHigh(double x) { return (6 * x - 2) * (6 * x - 2) * std::sin(12 * x - 4); }

Problem ForresterMf() {
  Problem p = Base("forrester_mf", "multi_fidelity", {{0.0, 1.0}});
  p.level_fn = [](const Vec& x, int level) {
    double hi = ForresterHigh(x[0]);
    return level == 0 ? 0.5 * hi + 10 * (x[0] - 0.5) + 5 : hi;
  };
  p.objective_fn = [](const Vec& x) { return ForresterHigh(x[0]); };
  p.discrete_fidelity = DiscreteFidelity{{"low", "high"}, {std::nullopt, std::nullopt}};
  SetOptimum(&p, -6.020740055767081, {0.7572487561658169}, 6.020740055767081e-09, "computed_here");
  p.source = "EmuKit/emukit@35b155fe3ae5465d392bf4c51ece2242bec00d4e:emukit/test_functions/forrester.py";
  return p;
}

// At x2 = 0 the factor 1 - exp(-1/(2 x2)) is its limit 1 (IEEE: -0.5/0 = -inf, exp(-inf) = 0), as in NumPy.
double CurrinHigh(double x1, double x2) {
  double e = std::exp(-0.5 / x2);
  double x1_2 = x1 * x1, x1_3 = x1_2 * x1;
  return (1 - e) * (2300 * x1_3 + 1900 * x1_2 + 2092 * x1 + 60) / (100 * x1_3 + 500 * x1_2 + 4 * x1 + 20);
}

Problem CurrinMf() {
  Problem p = Base("currin_mf", "multi_fidelity", Box(0.0, 1.0, 2));
  p.minimize = false;
  p.level_fn = [](const Vec& x, int level) {
    if (level != 0) return CurrinHigh(x[0], x[1]);
    double lo2 = std::max(0.0, x[1] - 0.05);
    return 0.25 * (CurrinHigh(x[0] + 0.05, x[1] + 0.05) + CurrinHigh(x[0] + 0.05, lo2) +
                   CurrinHigh(x[0] - 0.05, x[1] + 0.05) + CurrinHigh(x[0] - 0.05, lo2));
  };
  p.objective_fn = [](const Vec& x) { return CurrinHigh(x[0], x[1]); };
  p.discrete_fidelity = DiscreteFidelity{{"low", "high"}, {1.0, 10.0}};
  SetOptimum(&p, 13.798722044728434, {0.21666666351425104, 0.0}, 1e-9, "computed_here");
  p.source = "kirthevasank/mf-gp-ucb@4bfb2dfe38339cce27f9300f01f735e2117e0052:demos/functions/getCurrinExpFn.m";
  return p;
}

Problem AugmentedBranin() {
  Problem p = Base("augmented_branin", "multi_fidelity", {{-5.0, 10.0}, {0.0, 15.0}, {0.0, 1.0}});
  p.objective_fn = [](const Vec& x) {
    return BraninCore(x[0], x[1], 5.1 / (4 * kPi * kPi) - 0.1 * (1 - x[2]));
  };
  p.continuous_fidelity = ContinuousFidelity{2, 0.0, 1.0, 1.0, std::nullopt, {}, std::nullopt};
  SetOptimum(&p, 0.397887, {-kPi, 12.275, 1.0}, 1e-5, "source");
  p.optimum_all_x = {{-kPi, 12.275, 1.0},
                     {kPi, 1.3867356039019576, 0.1},
                     {kPi, 1.781519779945532, 0.5},
                     {kPi, 2.1763039559891064, 0.9}};
  p.source = std::string(kBotorch) + "multi_fidelity.py (class AugmentedBranin)";
  return p;
}

Problem AugmentedHartmann() {
  Problem p = Base("augmented_hartmann", "multi_fidelity", Box(0.0, 1.0, 7));
  p.objective_fn = [](const Vec& x) {
    auto e = HartmannTerms(x);
    double rest = 0;
    for (int i = 1; i < 4; ++i) rest += kAlpha[i] * e[i];
    return -(kAlpha[0] - 0.1 * (1 - x[6])) * e[0] - rest;
  };
  p.continuous_fidelity =
      ContinuousFidelity{6, 0.0, 1.0, 1.0, AffineCost{5.0, 1.0}, {0.5, 0.75, 1.0}, AffineCost{0.25, 1.0}};
  Vec opt = kHartmannOpt;
  opt.push_back(1.0);
  SetOptimum(&p, -3.32237, opt, 1e-5, "source");
  p.source = std::string(kBotorch) + "multi_fidelity.py (class AugmentedHartmann)";
  return p;
}

// ---- composite --------------------------------------------------------------------------------------------------

constexpr double kLangA[2][5] = {{3, 5, 2, 1, 7}, {5, 2, 4, 1, 9}};
constexpr double kLangC[5] = {1, 2, 5, 2, 3};

Problem LangermannComposite() {
  Problem p = Base("langermann_composite", "composite", Box(0.0, 10.0, 2));
  p.num_outputs = 5;
  p.inner_fn = [](const Vec& x) {
    Vec y(5);
    for (int j = 0; j < 5; ++j) {
      double a = x[0] - kLangA[0][j], b = x[1] - kLangA[1][j];
      y[j] = a * a + b * b;
    }
    return y;
  };
  p.outer_fn = [](const Vec& y) {
    double s = 0;
    for (int j = 0; j < 5; ++j) s += kLangC[j] * std::exp(-y[j] / kPi) * std::cos(kPi * y[j]);
    return s;
  };
  p.objective_fn = [f = p.outer_fn, g = p.inner_fn](const Vec& x) { return f(g(x)); };
  p.outer_expression =
      "1*exp(-y0/3.141592653589793)*cos(3.141592653589793*y0) + 2*exp(-y1/3.141592653589793)*cos(3.141592653589793*y1)"
      " + 5*exp(-y2/3.141592653589793)*cos(3.141592653589793*y2) + 2*exp(-y3/3.141592653589793)*cos(3.141592653589793*y3)"
      " + 3*exp(-y4/3.141592653589793)*cos(3.141592653589793*y4)";
  SetOptimum(&p, -4.389940124468379, {2.019288621476982, 4.983409040315176}, 1e-9, "computed_here");
  p.source = "RaulAstudillo06/BOCF@68d19984385cdb27c9f6c5002c67fc9467bbe705:test_3a.py";
  return p;
}

Problem RosenbrockComposite() {
  Problem p = Base("rosenbrock_composite", "composite", Box(-2.0, 2.0, 5));
  p.num_outputs = 8;
  p.inner_fn = [](const Vec& x) {
    Vec y(8);
    for (int i = 0; i < 4; ++i) {
      y[i] = x[i];
      y[4 + i] = x[i + 1] - x[i] * x[i];
    }
    return y;
  };
  p.outer_fn = [](const Vec& y) {
    double s = 0;
    for (int i = 0; i < 4; ++i) s += (1.0 - y[i]) * (1.0 - y[i]) + 100 * y[4 + i] * y[4 + i];
    return s;
  };
  p.objective_fn = [](const Vec& x) {
    double s = 0;
    for (int i = 0; i < 4; ++i) {
      double t = x[i + 1] - x[i] * x[i];
      s += (1.0 - x[i]) * (1.0 - x[i]) + 100 * t * t;
    }
    return s;
  };
  p.outer_expression =
      "(1-y0)^2 + (1-y1)^2 + (1-y2)^2 + (1-y3)^2 + 100*y4^2 + 100*y5^2 + 100*y6^2 + 100*y7^2";
  SetOptimum(&p, 0.0, Repeat(1.0, 5), 1e-12, "analytic");
  p.source = "RaulAstudillo06/BOCF@68d19984385cdb27c9f6c5002c67fc9467bbe705:test_5a.py";
  return p;
}

// ---- high-dimensional / generic ---------------------------------------------------------------------------------

double RastriginValue(const Vec& x) {
  double s = 0;
  for (double v : x) s += v * v - 10.0 * std::cos(2 * kPi * v);
  return 10.0 * static_cast<double>(x.size()) + s;
}

Problem Rastrigin(std::string name, int d) {
  Problem p = Base(std::move(name), "high_dim", Box(-5.12, 5.12, d));
  p.objective_fn = RastriginValue;
  SetOptimum(&p, 0.0, Repeat(0.0, d), 1e-9, "analytic");
  p.source = "PdIPS/CBXpy@1ff2b4a7488dbcf8405d2af66f2e3f19821959d5:cbx/objectives.py (class Rastrigin)";
  return p;
}

std::vector<Problem> BuildAll() {
  std::vector<Problem> all = {Branin(),          Hartmann6(),        Ackley2dConstrained(), Gkxwc1(),
                              Gkxwc2(),          Jlh1(),             ThreeBarTruss(),       PressureVessel(),
                              CompressionSpring(), ForresterMf(),    CurrinMf(),            AugmentedBranin(),
                              AugmentedHartmann(), LangermannComposite(), RosenbrockComposite(),
                              Rastrigin("rastrigin_20d", 20)};
  all.push_back(MakeAckley(5));
  all.push_back(MakeRastrigin(5));
  return all;
}

// "ackley_12d" -> 12 when `name` is prefix + <d> + "d" with 1 <= d <= 1000; else 0.
int ParseDim(std::string_view name, std::string_view prefix) {
  if (!name.starts_with(prefix) || !name.ends_with("d")) return 0;
  std::string_view digits = name.substr(prefix.size(), name.size() - prefix.size() - 1);
  if (digits.empty() || digits.size() > 4 || digits[0] == '0') return 0;
  int d = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return 0;
    d = d * 10 + (c - '0');
  }
  return d <= 1000 ? d : 0;
}

}  // namespace

double Problem::Objective(const Vec& x, int level) const {
  return level_fn ? level_fn(x, level) : objective_fn(x);
}

Vec Problem::Constraints(const Vec& x) const { return constraints_fn(x); }

bool Problem::Feasible(const Vec& x) const {
  for (double g : Constraints(x)) {
    if (!(g <= 0.0)) return false;
  }
  return true;
}

Vec Problem::Outputs(const Vec& x) const { return inner_fn ? inner_fn(x) : Vec(); }

Vec Problem::Outputs(const Vec& x, int level) const { return level_inner_fn ? level_inner_fn(x, level) : Outputs(x); }

double Problem::Outer(const Vec& y) const {
  return outer_fn ? outer_fn(y) : std::numeric_limits<double>::quiet_NaN();
}

std::vector<std::pair<double, double>> Problem::DesignBounds() const {
  auto b = bounds;
  if (continuous_fidelity) b.erase(b.begin() + continuous_fidelity->index);
  return b;
}

Vec Problem::FullX(const Vec& design, double s) const {
  Vec x = design;
  if (continuous_fidelity) x.insert(x.begin() + continuous_fidelity->index, s);
  return x;
}

Problem MakeAckley(int d) {
  Problem p = Base("ackley_" + std::to_string(d) + "d", "high_dim", Box(-5.0, 10.0, d));
  p.objective_fn = AckleyValue;
  SetOptimum(&p, 0.0, Repeat(0.0, d), 1e-9, "analytic");
  p.source = std::string(kBotorch) + "synthetic.py (class Ackley); box as in " + kBench + "Ackley2D.py";
  return p;
}

Problem MakeRastrigin(int d) { return Rastrigin("rastrigin_" + std::to_string(d) + "d", d); }

Problem MakeCompositeMf() {
  Problem p = Base("composite_mf", "multi_fidelity", Box(0.0, 1.0, 2));
  const Problem currin = CurrinMf();
  auto branin01 = [](const Vec& x, double b) { return BraninCore(15 * x[0] - 5, 15 * x[1], b) / 50; };
  const double b_high = 5.1 / (4 * kPi * kPi), b_low = b_high - 0.1 * 0.5;
  p.level_inner_fn = [currin = currin.level_fn, branin01, b_high, b_low](const Vec& x, int level) {
    return Vec{currin(x, level), branin01(x, level == 0 ? b_low : b_high)};
  };
  p.inner_fn = [f = p.level_inner_fn](const Vec& x) { return f(x, 1); };
  const Vec star = {0.25, 0.3};
  const Vec t = p.inner_fn(star);
  p.num_outputs = 2;
  p.outer_fn = [t](const Vec& y) { return (y[0] - t[0]) * (y[0] - t[0]) + (y[1] - t[1]) * (y[1] - t[1]); };
  p.level_fn = [f = p.outer_fn, g = p.level_inner_fn](const Vec& x, int level) { return f(g(x, level)); };
  p.objective_fn = [f = p.outer_fn, g = p.inner_fn](const Vec& x) { return f(g(x)); };
  char buf[160];
  std::snprintf(buf, sizeof(buf), "(y0 - %.17g)^2 + (y1 - %.17g)^2", t[0], t[1]);
  p.outer_expression = buf;
  p.discrete_fidelity = DiscreteFidelity{{"low", "high"}, {1.0, 10.0}};
  SetOptimum(&p, 0.0, star, 1e-12, "analytic");
  p.source = "bayesd (docs/multifidelity.md): currin_mf and Branin / augmented Branin";
  return p;
}

const std::vector<Problem>& AllProblems() {
  static const std::vector<Problem> all = BuildAll();
  return all;
}

const Problem* FindProblem(std::string_view name) {
  for (const Problem& p : AllProblems()) {
    if (p.name == name) return &p;
  }
  if (name == "composite_mf") {
    static const Problem composite = MakeCompositeMf();
    return &composite;
  }
  int ackley = ParseDim(name, "ackley_"), rastrigin = ParseDim(name, "rastrigin_");
  if (ackley == 0 && rastrigin == 0) return nullptr;
  static std::mutex mu;
  static std::deque<Problem> made;  // deque: stable addresses
  std::lock_guard<std::mutex> lock(mu);
  for (const Problem& p : made) {
    if (p.name == name) return &p;
  }
  made.push_back(ackley ? MakeAckley(ackley) : MakeRastrigin(rastrigin));
  return &made.back();
}

}  // namespace bayesd::bench
