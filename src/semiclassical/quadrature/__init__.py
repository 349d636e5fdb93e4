"""Independent quadrature engine: every quantity of the semiclassical theory from H(k) alone.

Input is a :class:`semiclassical.numeric_model.NumericModel` (H and dH/dk as numbers); no closed
form of any model quantity is read. Modules, one job each:

- :mod:`.gauge`       random k-dependent eigenvector gauges (results must not depend on them)
- :mod:`.bands`       eigen-system, velocities, Berry connection/curvature, spin, T, s^int at any k
- :mod:`.contours`    Fermi contours eps_m(k, theta) = E and their delta-function weights
- :mod:`.shell`       all contours at one energy flattened into quadrature nodes; shell cache
- :mod:`.kernel`      scalar correlated disorder: c_ij = W(|k_i - k_j|)/W between shell nodes (Eq. 6)
- :mod:`.collision`   J0 (Eq. 28, any scalar kernel) and its solver, general on-shell J(f) (white noise) in
                      the static (exact steady state of Eq. 16) or rotating (Eq. 17) Markov form
- :mod:`.leading`     n^(-1) (Eq. 27), tau_tr (Eqs. 29-30), Drude, Edelstein (Eq. 87)
- :mod:`.extrinsic`   beta (Eq. 47), gamma (Eq. 61)
- :mod:`.subleading`  J_E -> n^sj (Eqs. 37-38); n^sk (Eqs. 31, 33, 35): skew reading "T"
                      (default: golden rule with the fourth-order non-crossing T-matrix, Fermi
                      shell only), or D' -> S' -> J(S') with J static ("C") or rotating ("B")
- :mod:`.pair_skew`   skew scattering on impurity pairs: the crossed W^2 pairings of the golden rule
                      (docs/pair_skew.md), white noise, isotropic models
- :mod:`.sea`         Fermi-sea integrals sigma^int (Eq. 72), <s>^int (Eqs. 57, 91)
- :mod:`.response`    current (Eq. 52) and spin density (Eq. 63) piece by piece, adaptive accuracy

Entry points: :func:`evaluate`, :func:`convergence_table` (keyword ``skew_reading="T"|"C"|"B"``; the
reading used is in ``meta["skew_reading"]``). Conventions: README "Conventions" section, docs/design.md
section 3. Inputs for the built-in models: ``semiclassical.catalogue.numeric_model(name, **values)``.
"""
from .bands import BandData, band_data
from .contours import Contour, find_contours
from .gauge import RandomGauge
from .convergence import convergence_table
from .response import evaluate, fermi_surface_terms
from .sea import fermi_sea
from .shell import Shell, ShellFactory, build_shell

__all__ = ["BandData", "Contour", "RandomGauge", "Shell", "ShellFactory", "band_data", "build_shell",
           "convergence_table", "evaluate", "fermi_sea", "fermi_surface_terms", "find_contours"]
