#!/usr/bin/python3
"""Reference values for tests/gp/sklearn_fixture_test.cc from scikit-learn's GaussianProcessRegressor.

Fixed hyperparameters (optimizer=None, normalize_y=False): ConstantKernel * {Matern(nu=2.5), Matern(nu=1.5), RBF}
with ARD lengthscales + WhiteKernel. Records posterior mean, predictive variance/covariance (sklearn includes the
WhiteKernel noise in k(X*, X*), so the test adds the noise to bayesd's latent variance), the log marginal likelihood
and its gradient w.r.t. sklearn's log-space theta = [log constant, log lengthscales..., log noise].

Run with Debian's python (has sklearn):  /usr/bin/python3 scripts/make_gp_fixtures.py
Writes tests/fixtures/gp/<name>.json.
"""
import json
import os

import numpy as np
import sklearn
from sklearn.gaussian_process import GaussianProcessRegressor
from sklearn.gaussian_process.kernels import RBF, ConstantKernel, Matern, WhiteKernel

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fixtures", "gp")


def make_case(name, base, lengthscales, outputscale, noise, seed, n=15, d=3, m=7, known_noise=False):
    rng = np.random.default_rng(seed)
    x = rng.uniform(size=(n, d))
    y = np.sin(6.0 * x[:, 0]) + x[:, 1] ** 2 - 0.5 * x[:, 2] + 0.05 * rng.standard_normal(n)
    xq = rng.uniform(size=(m, d))
    xq[0] = x[3]  # a query point on a training point
    alpha = rng.uniform(0.01, 0.2, size=n) if known_noise else 0.0
    if base == "matern52":
        k = Matern(length_scale=lengthscales, nu=2.5)
    elif base == "matern32":
        k = Matern(length_scale=lengthscales, nu=1.5)
    else:
        k = RBF(length_scale=lengthscales)
    kernel = ConstantKernel(outputscale, constant_value_bounds="fixed") * k + WhiteKernel(noise)
    gpr = GaussianProcessRegressor(kernel=kernel, optimizer=None, normalize_y=False, alpha=alpha)
    gpr.fit(x, y)
    mean, cov = gpr.predict(xq, return_cov=True)
    _, std = gpr.predict(xq, return_std=True)
    # Gradient w.r.t. the full log-space theta including the constant (make it non-fixed for the gradient).
    kernel_free = ConstantKernel(outputscale) * k + WhiteKernel(noise)
    gpr_free = GaussianProcessRegressor(kernel=kernel_free, optimizer=None, normalize_y=False, alpha=alpha)
    gpr_free.fit(x, y)
    lml, grad = gpr_free.log_marginal_likelihood(gpr_free.kernel_.theta, eval_gradient=True)
    case = {
        "name": name,
        "kernel": base,
        "sklearn_version": sklearn.__version__,
        "x": x.tolist(),
        "y": y.tolist(),
        "lengthscales": list(lengthscales),
        "outputscale": outputscale,
        "noise": noise,
        "known_noise": (alpha.tolist() if known_noise else []),
        "xq": xq.tolist(),
        "mean": mean.tolist(),
        "var_with_noise": (std ** 2).tolist(),
        "cov_with_noise": cov.tolist(),
        "lml": float(lml),
        "lml_fixed_constant": float(gpr.log_marginal_likelihood_value_),
        # sklearn order: [log constant, log lengthscales..., log noise]
        "lml_grad": grad.tolist(),
    }
    with open(os.path.join(OUT, name + ".json"), "w") as f:
        json.dump(case, f, indent=1)


def main():
    os.makedirs(OUT, exist_ok=True)
    make_case("matern52", "matern52", [0.3, 0.7, 1.5], 1.7, 0.05, seed=1)
    make_case("matern32", "matern32", [0.4, 0.2, 2.0], 0.8, 0.01, seed=2)
    make_case("rbf", "rbf", [0.25, 0.5, 1.0], 2.5, 1e-3, seed=3)
    make_case("matern52_known_noise", "matern52", [0.5, 0.5, 0.5], 1.2, 0.02, seed=4, known_noise=True)


if __name__ == "__main__":
    main()
