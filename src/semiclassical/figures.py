"""Figures of the reproduction report (matplotlib, PNG): closed forms with quadrature points.

* ``sigma_yx.png`` -- the four contributions to sigma_yx (intrinsic, extrinsic, side jump, skew;
  Eqs. 74, 78, 82, 85) and their total (Eq. 86) versus eF/M, in units of e^2/hbar (the unit of every
  output of the toolkit: evaluate, derive, map; e^2/h = (e^2/hbar)/(2 pi));
* ``spin_torque.png`` -- (a) the W^0 spin density <sigma_x> piece by piece (Eqs. 96, 99, 101,
  103, 104), i.e. the damping-like torque tau_y = M <sigma_x>; (b) the Edelstein spin density
  <sigma_y> (Eq. 90, order 1/W), i.e. the field-like torque tau_x = M <sigma_y> (Eq. 105).

Lines: the derived closed forms (lambdified). Markers: the independent quadrature engine
(random gauge) and, for the totals, the Kubo-Streda (non-crossing) engine. Curves are in
dimensionless units, so they do not depend on v, hbar, e, or (for the W^0 pieces) W.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import sympy as sp

__all__ = ["FIGURE_POINT", "MARKER_RATIOS", "X_RANGE", "SIGMA_PIECES", "SPIN_PIECES", "COLORS", "STYLES",
           "markers", "sigma_figure", "spin_figure", "make_figures"]

#: parameter point of the figures (only eF/M matters in the units used)
FIGURE_POINT = {"v": 1.0, "M": 0.5, "hbar": 1.0, "e": 1.0, "W": 0.05}
#: eF/M of the quadrature (and Kubo) markers
MARKER_RATIOS = (1.1, 1.4, 1.8, 2.5, 3.5, 5.0)
X_RANGE = (1.0, 6.0)

SIGMA_PIECES = (("74", "intrinsic", "intrinsic (Eq. 74)"), ("78", "extrinsic", "extrinsic (Eq. 78)"),
                ("82", "side_jump", "side jump (Eq. 82)"), ("85", "skew", "skew (Eq. 85)"),
                ("86", "total", "total (Eq. 86)"))
SPIN_PIECES = (("96", "intrinsic", "intrinsic (Eq. 96)"), ("99", "extrinsic", "extrinsic (Eq. 99)"),
               ("101", "side_jump", "side jump (Eq. 101)"), ("103", "skew", "skew (Eq. 103)"),
               ("104", "total", "total (Eq. 104)"))
COLORS = {"intrinsic": "tab:blue", "extrinsic": "tab:orange", "side_jump": "tab:green", "skew": "tab:red",
          "total": "black"}
STYLES = {"side_jump": (0, (5, 3))}   # dashed: it coincides with the extrinsic curve


def _curve(expr, ratios, point=FIGURE_POINT):
    """A derived closed form as numbers along eF = ratio * M."""
    expr = sp.sympify(expr)
    subs = {s: point[s.name] for s in expr.free_symbols if s.name in point}
    rest = sorted(expr.free_symbols - set(subs), key=lambda s: s.name)
    if [s.name for s in rest] != ["eF"]:
        raise ValueError(f"closed form depends on {[s.name for s in rest]}, expected eF only")
    f = sp.lambdify(rest, expr.xreplace(subs), "numpy")
    return np.real(np.asarray(f(np.asarray(ratios) * point["M"]), complex)) * np.ones(len(ratios))


def markers(ratios=MARKER_RATIOS, point=FIGURE_POINT, kubo=True):
    """Quadrature (random gauge, one seed per point) and Kubo-Streda responses at eF = ratio * M."""
    from . import catalogue
    from .engines import KuboStreda, Problem, Quadrature

    model = catalogue.get("ti-surface")
    out = {"ratios": list(ratios), "quadrature": [], "kubo": []}
    for i, r in enumerate(ratios):
        problem = Problem.at(model, {"v": point["v"], "M": point["M"], "hbar": point["hbar"], "eF": r * point["M"],
                                     "W": point["W"], "e": point["e"]})
        out["quadrature"].append(Quadrature(gauge_seed=101 + i).evaluate(problem))
        if kubo:
            out["kubo"].append(KuboStreda().evaluate(problem))
    return out


def _units(point):
    # e^2/hbar, as evaluate's JSON (docs/design.md section 4): one unit on every output
    hbar = point["hbar"]
    return {"sigma": point["e"] ** 2 / hbar,                               # e^2/hbar
            "spin": point["e"] / (hbar * point["v"]),                      # e E_x/(hbar v_F)
            "edelstein": point["e"] * point["hbar"] * point["v"] / point["W"]}   # e E_x hbar v_F / W


def sigma_figure(forms: dict, mk: dict, path: Path, point=FIGURE_POINT):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    unit = _units(point)["sigma"]
    x = np.linspace(*X_RANGE, 400)[1:]
    fig, ax = plt.subplots(figsize=(7.0, 4.6), layout="constrained")
    for eq, key, label in SIGMA_PIECES:
        ax.plot(x, _curve(forms[eq], x, point) / unit, color=COLORS[key], ls=STYLES.get(key, "-"),
                lw=2.2 if key == "total" else 1.6, label=label)
        ax.plot(mk["ratios"], [q["sigma_yx"][key] / unit for q in mk["quadrature"]], "o", color=COLORS[key],
                ms=9 if key == "side_jump" else 5.5, mfc="none" if key == "side_jump" else COLORS[key],
                mew=1.5, zorder=3)
    if mk["kubo"]:
        ax.plot(mk["ratios"], [kb["sigma_yx"]["total"] / unit for kb in mk["kubo"]], "s", ms=11, mfc="none",
                mec="tab:purple", mew=1.5, label="Kubo-Streda (NCA), total")
    ax.plot([], [], "o", color="gray", label="quadrature (random gauge)")
    ax.axhline(0, color="0.8", lw=0.8, zorder=0)
    ax.set_xlim(*X_RANGE)
    ax.set_xlabel(r"Fermi energy $\epsilon_F/M$")
    ax.set_ylabel(r"$\sigma_{yx}$  [$e^2/\hbar$]")
    ax.set_title(r"Anomalous Hall conductivity of the TI surface, $H=\hbar v_F(k_x\sigma_y-k_y\sigma_x)+M\sigma_z$",
                 fontsize=10)
    ax.legend(fontsize=8.5, frameon=False, ncol=2, loc="center right", bbox_to_anchor=(1.0, 0.55))
    fig.savefig(path, dpi=150)
    plt.close(fig)
    return path


def spin_figure(forms: dict, mk: dict, path: Path, point=FIGURE_POINT):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    u = _units(point)
    x = np.linspace(*X_RANGE, 400)[1:]
    fig, (a, b) = plt.subplots(1, 2, figsize=(11.5, 4.6), layout="constrained")
    for eq, key, label in SPIN_PIECES:
        a.plot(x, _curve(forms[eq], x, point) / u["spin"], color=COLORS[key], ls=STYLES.get(key, "-"),
               lw=2.2 if key == "total" else 1.6, label=label)
        a.plot(mk["ratios"], [q["spin_density"]["x"][key] / u["spin"] for q in mk["quadrature"]], "o",
               color=COLORS[key], ms=9 if key == "side_jump" else 5.5,
               mfc="none" if key == "side_jump" else COLORS[key], mew=1.5, zorder=3)
    if mk["kubo"]:
        a.plot(mk["ratios"], [kb["spin_density"]["x"]["total"] / u["spin"] for kb in mk["kubo"]], "s", ms=11,
               mfc="none", mec="tab:purple", mew=1.5, label="Kubo-Streda (NCA), total")
    a.plot([], [], "o", color="gray", label="quadrature (random gauge)")
    a.axhline(0, color="0.8", lw=0.8, zorder=0)
    a.set_xlim(*X_RANGE)
    a.set_xlabel(r"Fermi energy $\epsilon_F/M$")
    a.set_ylabel(r"$\langle\sigma_x\rangle$  [$eE_x/(\hbar v_F)$]")
    a.set_title(r"(a) spin density $\langle\sigma_x\rangle$, order $W^0$ (damping-like torque)", fontsize=10)
    sec = a.secondary_yaxis("right")
    sec.set_ylabel(r"$\tau_y = M\langle\sigma_x\rangle$  [$M eE_x/(\hbar v_F)$]")
    a.legend(fontsize=8.5, frameon=False, ncol=2, loc="center right", bbox_to_anchor=(1.0, 0.6))

    b.plot(x, _curve(forms["90"], x, point) / u["edelstein"], color="tab:brown", lw=2.0,
           label=r"Edelstein $\langle\sigma_y\rangle$ (Eq. 90)")
    b.plot(mk["ratios"], [q["spin_density"]["y"]["edelstein"] / u["edelstein"] for q in mk["quadrature"]], "o",
           color="tab:brown", ms=6, label="quadrature (random gauge)")
    if mk["kubo"]:
        b.plot(mk["ratios"], [kb["spin_density"]["y"]["edelstein"] / u["edelstein"] for kb in mk["kubo"]], "s",
               ms=11, mfc="none", mec="tab:purple", mew=1.5, label="Kubo-Streda (NCA)")
    b.axhline(0, color="0.8", lw=0.8, zorder=0)
    b.set_xlim(*X_RANGE)
    b.set_xlabel(r"Fermi energy $\epsilon_F/M$")
    b.set_ylabel(r"$\langle\sigma_y\rangle$  [$eE_x\hbar v_F/W$],  $W=n_iu_0^2$")
    b.set_title(r"(b) Edelstein spin density $\langle\sigma_y\rangle$, order $1/W$ (field-like torque)", fontsize=10)
    sec = b.secondary_yaxis("right", functions=(lambda y: -y, lambda y: -y))
    sec.set_ylabel(r"$\tau_x = -M\langle\sigma_y\rangle$  [$M eE_x\hbar v_F/W$]")
    b.legend(fontsize=8.5, frameon=False, loc="upper right")
    fig.savefig(path, dpi=150)
    plt.close(fig)
    return path


def make_figures(forms: dict, outdir: Path, mk: dict | None = None):
    """Write the figures into ``outdir``; returns [(path, caption), ...]."""
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    mk = markers() if mk is None else mk
    ratios = ", ".join(f"{r:g}" for r in mk["ratios"])
    return [
        (sigma_figure(forms, mk, outdir / "sigma_yx.png"),
         r"Anomalous Hall conductivity of the magnetic TI surface versus $\epsilon_F/M$, piece by piece, in units "
         r"of $e^2/\hbar$ ($e^2/h = (e^2/\hbar)/2\pi$). Lines: closed forms derived from Eq. 68 (Eqs. 74, 78, 82, 85, 86); the side-jump curve "
         r"(dashed) coincides with the extrinsic one, as the paper notes below Eq. 82. Filled circles: the "
         r"independent quadrature engine in a random gauge at $\epsilon_F/M$ = " + ratios + r"; open squares: "
         r"the Kubo-Streda (non-crossing) total. Skew scattering: the golden rule with the fourth-order "
         r"non-crossing T-matrix, equal for this model to the paper's route (exact static steady state of Eq. 16)."),
        (spin_figure(forms, mk, outdir / "spin_torque.png"),
         r"Current-induced spin density of the magnetic TI surface versus $\epsilon_F/M$ (per unit $E_x$, Pauli "
         r"spin). (a) Order $W^0$: $\langle\sigma_x\rangle$ piece by piece (Eqs. 96, 99, 101, 103, 104) in "
         r"units of $eE_x/(\hbar v_F)$; the right axis reads it as the damping-like torque "
         r"$\tau_y = M\langle\sigma_x\rangle$ (Eq. 105 with $\mathbf m=\hat z$, $\mathbf E = E_x\hat x$). "
         r"(b) The Edelstein term $\langle\sigma_y\rangle$ (Eq. 90, order $1/W$) in units of "
         r"$eE_x\hbar v_F/W$; right axis: the field-like torque $\tau_x = -M\langle\sigma_y\rangle$. Markers "
         r"as in the first figure. Panel (a) equals the first figure curve by curve: "
         r"$\sigma_{yx} = e v_F\langle\sigma_x\rangle$ for this model (paper, below Eq. 105)."),
    ]
