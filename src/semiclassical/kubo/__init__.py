"""Kubo-Streda engine: the diagrammatic side of the paper's claim (Sec. V, Fig. 1).

For any two-band model given as a :class:`semiclassical.numeric_model.NumericModel`, computes
the disorder-averaged linear response to E = E_x xhat at T = 0 in the non-crossing (ladder)
approximation for white-noise disorder, <U(r)U(r')> = W delta(r - r') (also: magnetic point impurities
u0 + u_m n.sigma, module ``impurities``; a scalar correlated kernel W c(q), module ``kernel``):

* sigma_yx and sigma_xx (charge current -e v, per unit area, spin degeneracy 1),
* the current-induced spin density <s_i> per unit E_x (s = model.spin, Pauli by default),
* <O> per unit E_x for every k-local operator of ``model.operators`` (the spin Hall conductivity
  spin_hall.<a>, a model file's observables.<name>; module ``operators``),

each split into its 1/W piece (Drude / Edelstein) and its W^0 piece ("total"), the quantity
the semiclassical theory of the paper predicts (e.g. Eq. 86, Eq. 104). Nothing here reads a
closed form: the input is H(k) and dH/dk as numbers.

Public API::

    kubo_response(model, eF, W=1.0, settings=None) -> dict
    kubo_clean_limit(model, eF, settings=None)   -> dict   (intrinsic responses, Eq. 72/74/96)
    crossed_response(model, eF, settings=None)   -> dict   (X and Psi diagrams beyond the NCA, W^0;
                                                            module ``crossed``, docs/crossed_diagrams.md)
    KuboSettings, RadialOptions                              (numerical choices)

Lower-level steps (one module each): ``contour.fermi_points``, ``self_energy.gamma_matrix`` /
``born_self_energy``, ``bubbles.fermi_surface_bubbles``, ``impurities.rung_matrix``, ``streda.conserving_ladder`` /
``fermi_surface_term``, ``fermi_sea.fermi_sea_clean``, ``extrapolation.extrapolate``.
Inputs: ``semiclassical.catalogue.numeric_model(name, **values)`` for the built-in models.
"""
from .crossed import CrossedSettings, crossed_response
from .engine import KuboSettings, kubo_clean_limit, kubo_response
from .radial import RadialOptions

__all__ = ["CrossedSettings", "KuboSettings", "RadialOptions", "crossed_response", "kubo_clean_limit",
           "kubo_response"]
