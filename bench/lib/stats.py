"""Median and 95th percentile (nearest rank) of a list of samples."""

import math


def median(samples):
    s = sorted(samples)
    n = len(s)
    if n == 0:
        return None
    return s[n // 2] if n % 2 else (s[n // 2 - 1] + s[n // 2]) / 2.0


def p95(samples):
    s = sorted(samples)
    if not s:
        return None
    return s[max(0, math.ceil(0.95 * len(s)) - 1)]


def p99(samples):
    s = sorted(samples)
    if not s:
        return None
    return s[max(0, math.ceil(0.99 * len(s)) - 1)]
