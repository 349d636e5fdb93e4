"""The Sommerfeld expansion of every closed form: X(T, mu) = X_0(mu) + (pi^2/6) T^2 X_0''(mu) + ...

Every piece at temperature T is the thermal convolution X(T, mu) = int deps (-df/deps) X_0(eps) of its
T = 0 form X_0(eF) (docs/temperature.md: Fermi-surface pieces because elastic scattering conserves
energy, Fermi-sea pieces by parts). Where X_0 is smooth in a window of a few T around mu, expanding
X_0(mu + T x) in x and integrating against -df/deps term by term gives the asymptotic series

    X(T, mu) = X_0(mu) + sum_{n >= 1} c_n T^(2n) X_0^(2n)(mu),   c_n = 2 (1 - 2^(1-2n)) zeta(2n),

(the even moments of the logistic weight: int x^(2n) (-df/dx) dx = (2n)! c_n), c_1 = pi^2/6,
c_2 = 7 pi^4/360. The derivatives are taken symbolically in eF, on the explicit forms of
:meth:`semiclassical.derivation.Derivation.explicit` (eF and the parameters: the paper's Eqs. 79-86
for the TI surface). Forms that stay in Fermi-circle variables (no explicit radius) or in a radial
integral (<s>^int, Eq. 57) have no eF to differentiate: :func:`results` says so for them. The
remainder after the T^2 term is (7 pi^4/360) T^4 X_0''''(xi); the series is valid for T small against
the distance from mu to every band feature, where X_0 has its kinks.
"""
from __future__ import annotations

import sympy as sp

from .errors import SemiclassicalError
from .fermi import eF
from .results import Result

__all__ = ["T", "constant", "coefficient", "expansion", "PIECE_KEYS", "results"]

#: the temperature (k_B = 1, energy units of eF)
T = sp.Symbol("T", positive=True)

#: derive keys of the pieces with a Sommerfeld coefficient -> their entries in Derivation.leading/skew
PIECE_KEYS = {"sigma_yx.intrinsic": ("leading", "sigma_yx_intrinsic"),
              "sigma_yx.extrinsic": ("leading", "sigma_yx_extrinsic"),
              "sigma_yx.side_jump": ("leading", "sigma_yx_side_jump"),
              "sigma_yx.skew": ("skew", "sigma_yx_skew"),
              "sigma_xx.drude": ("leading", "sigma_xx_drude"),
              **{f"spin_density.{a}.{p}": ("skew" if p == "skew" else "leading", f"s{a}_{p}")
                 for a in "xy" for p in ("edelstein", "extrinsic", "side_jump", "skew")}}


def constant(n: int) -> sp.Expr:
    """c_n = 2 (1 - 2^(1-2n)) zeta(2n): the coefficient of T^(2n) X_0^(2n) (c_1 = pi^2/6, c_2 = 7 pi^4/360)."""
    if n < 1:
        raise ValueError(f"the Sommerfeld terms start at n = 1, got n = {n}")
    return sp.nsimplify(2 * (1 - sp.Integer(2) ** (1 - 2 * n))) * sp.zeta(2 * n)


def coefficient(expr, energy: sp.Symbol = eF, order: int = 2) -> sp.Expr:
    """The coefficient of T^order in the Sommerfeld series of ``expr`` (a T = 0 form in ``energy``):
    c_(order/2) d^order expr / d energy^order. ``order`` is even and positive (odd moments vanish)."""
    if order < 2 or order % 2:
        raise ValueError(f"order must be an even positive integer (the odd moments of -df/deps vanish), got {order}")
    expr = sp.sympify(expr)
    return constant(order // 2) * sp.diff(expr, energy, order)


def expansion(expr, energy: sp.Symbol = eF, order: int = 2, temperature: sp.Symbol = T) -> sp.Expr:
    """X_0 + sum_{n <= order/2} c_n temperature^(2n) X_0^(2n): the series up to T^order."""
    expr = sp.sympify(expr)
    return expr + sum(temperature ** (2 * n) * coefficient(expr, energy, 2 * n) for n in range(1, order // 2 + 1))


def results(D, scenario, values: dict, orders=(2,), keys=None, budget: float | None = None) -> list[Result]:
    """The T^n coefficient (n in ``orders``) of each piece as a `derive` result (key ``<piece key>.T2``,
    ``.T4``).

    Differentiated on the form explicit in eF (:meth:`Derivation.explicit`, made once per piece); a piece
    that cannot be made explicit (several coupled circles, whose forms hold harmonics of n^(-1); a
    radius without a closed form) is returned with its note and no expression. ``budget`` (seconds, the
    `derive --budget` of each explicit form) bounds making one piece explicit and differentiating it:
    past it the coefficient is returned with a note (a two-circle skew form can take minutes).
    """
    from .chain import BudgetExceeded, time_limit

    lead, sk = D.leading(scenario), D.skew(scenario)
    out = []
    for key in keys or PIECE_KEYS:
        where, name = PIECE_KEYS[key]
        source = lead if where == "leading" else sk
        if name not in source:
            continue
        coefficients, why = {}, ""
        if source.get("harmonics"):
            why = "in the harmonics of n^(-1) (several coupled circles): no explicit eF form to differentiate"
        else:
            try:
                with time_limit(budget):
                    X0 = D.explicit(source[name], scenario, values)
                    coefficients = {n: sp.factor(sp.cancel(coefficient(X0, eF, n))) for n in orders}
            except SemiclassicalError as exc:     # a radius with no closed form: said, not raised
                why = f"not explicit in eF ({exc}); the circle form has no eF to differentiate"
            except BudgetExceeded:
                why = f"not differentiated within the {budget:g} s budget (--budget)"
        for n in orders:
            r = Result(f"Sommerfeld T^{n} coefficient of {key}", f"c_{n // 2} X_0^{{({n})}}", None,
                       "docs/temperature.md", order=f"T^{n}", key=f"{key}.T{n}")
            if n in coefficients:
                r.expr = r.explicit = coefficients[n]
            else:
                r.notes.append(why)
            out.append(r)
    return out
