"""Shared by the disorder tests of the numerical engines: the models and points they use, and how to
read numbers out of the engines' own nested maps (quadrature.evaluate, kubo_response)."""
from __future__ import annotations

#: (catalogue name, parameters, eF): one circle (TI), two coupled circles and one circle (Rashba ferromagnet)
TI = ("ti-surface", {"v": 1.0, "M": 0.5}, 1.1)
RASHBA_TWO = ("rashba-ferromagnet", {"m": 1.0, "alpha": 1.0, "Delta": 0.5}, 1.0)
RASHBA_ONE = ("rashba-ferromagnet", {"m": 1.0, "alpha": 1.0, "Delta": 0.5}, 0.2)
#: quadrature.evaluate paths by convergence family (1/W and W^0, current and spin)
FAMILIES = {"sigma_1/W": [("sigma_yx", "drude"), ("sigma_xx", "drude")],
            "spin_1/W": [("spin_density", c, "edelstein") for c in "xyz"],
            "sigma_W0": [(s, p) for s in ("sigma_yx", "sigma_xx") for p in ("extrinsic", "side_jump", "skew")],
            "spin_W0": [("spin_density", c, p) for c in "xyz" for p in ("extrinsic", "side_jump", "skew")]}


def pick(res, path):
    """res[path[0]][path[1]]..."""
    for key in path:
        res = res[key]
    return res


def kubo_numbers(r, W, sigma_xx_total=False):
    """{key: (value, error)} of a kubo_response: every W^0 total and every 1/W coefficient (errors of the
    1/W pieces, reported at W, scaled to coefficients); ``sigma_xx_total`` adds sigma_xx's W^0 total."""
    e = r["extrapolation_error"]
    out = {"sigma_yx": (r["sigma_yx"]["total"], e["sigma_yx"]["total"]),
           "sigma_xx.drude": (r["sigma_xx"]["drude_coefficient"], e["sigma_xx"]["drude"] * W)}
    if sigma_xx_total:
        out["sigma_xx"] = (r["sigma_xx"]["total"], e["sigma_xx"]["total"])
    for a in "xyz":
        out[f"s_{a}"] = (r["spin_density"][a]["total"], e["spin_density"][a]["total"])
        out[f"s_{a}.edelstein"] = (r["spin_density"][a]["edelstein_coefficient"],
                                   e["spin_density"][a]["edelstein"] * W)
    return out
