# Dev-time check of the Fréchet distance values used in Tests/DCGANTests (scipy.linalg.sqrtm as the reference).
"""Prints the FID of the deterministic feature sets that FrechetTests builds, computed the way
pytorch-fid does (numpy.cov, scipy.linalg.sqrtm of the product). Run with the project venv."""
import numpy as np
from scipy import linalg


def features(n, d, kind):
    i = np.arange(n)[:, None].astype(np.float64)
    j = np.arange(d)[None, :].astype(np.float64)
    if kind == "a":
        return np.sin(0.37 * i * (j + 1) + 1.3 * j) + 0.1 * j
    return np.cos(0.23 * i * (j + 1)) * (1 + 0.2 * j) + 0.05 * i / n


def fid(x, y):
    mu1, mu2 = x.mean(0), y.mean(0)
    s1, s2 = np.cov(x, rowvar=False), np.cov(y, rowvar=False)
    covmean = linalg.sqrtm(s1.dot(s2))
    covmean = covmean.real
    return float(((mu1 - mu2) ** 2).sum() + np.trace(s1) + np.trace(s2) - 2 * np.trace(covmean))


if __name__ == "__main__":
    a, b = features(50, 6, "a"), features(50, 6, "b")
    print("fid(a, b) =", repr(fid(a, b)))
    print("fid(a, a) =", repr(fid(a, a)))
    print("eigvalsh cov(a) =", np.linalg.eigvalsh(np.cov(a, rowvar=False)))
