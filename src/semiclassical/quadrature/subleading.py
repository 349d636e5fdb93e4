"""Sub-leading distributions n^sj (Eqs. 37-38) and n^sk (Eqs. 31, 33, 35) on discretized shells.

Side jump (gauge-invariant reading of Eq. 38; README "Conventions", docs/design.md section 3):
    [J_E(n_FD)]^m_k = (2 pi/hbar)(d n_FD/d eps) e E . sum_{m'k'} W |O|^2 dr delta(eps^{m'}_{k'} - eps^m_k),
    |O|^2 dr = Im[ conj(O) (<D u^m_k|u^{m'}_{k'}> + <u^m_k|D u^{m'}_{k'}>) ],  O = <u^m_k|u^{m'}_{k'}>.
With d n_FD/d eps = -delta(eps - eF) it lives on the Fermi shell: J_E = delta(eps - eF) j_i,
j_i = -(2 pi W/hbar) e sum_j w_j E . Im[...]_{ij}; then J0[n^sj] = -J_E (Eq. 37).

Skew scattering (Eqs. 31, 33, 35, 36), ``reading=`` of :func:`skew_scattering`; readings C and B
are named as in :mod:`semiclassical.skew`.

* ``"T"`` (default, "golden rule") -- the driving term of Eq. 35 is the antisymmetric part of the
  golden-rule rate with the fourth-order non-crossing T-matrix: Born series T = U + U G0 U +
  U G0 U G0 U with G0 at the on-shell energy eF, Gaussian white-noise pairings that do not cross,
  Im Sigma only. The real states scattered from and into are on the Fermi shell; the interband
  partner of a state is virtual and enters only through 1/Delta, Delta_i = eps^{c_i}_i -
  eps^{cbar_i}_i (= eF - eps^{cbar}(k_i)). With nodes i, j, q of the Fermi shell (weights w),
  |i> = own-band eigenvector, |ibar> = other-band eigenvector at k_i, Pi = sum_q w_q |q><q|
  (:attr:`.Shell.projector_sum`), the W^2 rate i -> j is (2 pi/hbar)(A^a + A^b + A^c)_{ji}:
      A^a_{ji} =  2 pi W^2 Im[<i|j><j|ibar><ibar|Pi|i>]/Delta_i      self energy on the incoming leg
      A^b_{ji} =  2 pi W^2 Im[<i|j><j|Pi|jbar><jbar|i>]/Delta_j      self energy on the outgoing leg
      A^c_{ji} = -2 pi W^2 sum_q w_q Im[<qbar|i><i|q><q|j><j|qbar>]/Delta_q
                                           ladder: intermediate pair (q, qbar) at one momentum
  (:func:`golden_rule_rates`). For massive Dirac fermions this is the intrinsic skew-scattering
  rate w^(4a) of Sinitsyn et al., PRB 75, 045315 (2007). With n^(-1) = delta(eps - eF) g the
  source is b_i = -sum_j w_j (wa_ij g_j - wa_ji g_i), wa = antisymmetric part of the rate
  (wa_ij: rate j -> i), and n^sk = delta(eps - eF) g_sk with J0[n^sk] = -b on the Fermi shell
  alone: there are no mirror shells.
  Identity (exact, tests/test_quadrature_skew_identity.py): b equals twice the Fermi-shell part
  (step 3a below) of reading C's source, node by node; both are
      b_l = (4 pi^2 W^2/hbar) sum_{j,q} w_j w_q g_j Omega_ljq (1/Delta_l + 1/Delta_j + 1/Delta_q),
      Omega_ljq = Im(<l|j><j|q><q|l>).
  This reading reproduces the Kubo-Streda (non-crossing) W^0 totals for every model tested
  (tests/test_quadrature_vs_kubo.py), including those with a k-dependent d0 (Rashba ferromagnet,
  Dirac + D k^2, tilted cone), where reading C does not.
* ``"C"`` -- the collision integral J acting on the coherence S' in its *static* Markov form
  (:mod:`.collision`, ``markov="static"``): the steady-state solution of Eq. 16 for a density that
  is static in the Schroedinger picture. The energy deltas of the local terms carry the outer band
  indices, so part of J(S') lands in the other band at the Fermi momenta, at energy
  eps^{cbar}(k_F) != eF: the "mirror" shells of step 3b. Those mirror sources are an artefact of
  the Markov treatment of the coherence: in the T-matrix picture energy is conserved between the
  real incoming and outgoing states (both at eF), and the interband partner never becomes a real
  state at its own energy. For d0 = const (TI, Eq. 68) the mirror half equals the Fermi half
  (Eq. 83: "the two bands contribute equally"), so reading C gives the same sigma^sk and <s>^sk as
  reading T (Eqs. 84, 85, 103 as printed; under T the whole 2X lives on the Fermi circle); when
  d0(k) varies the mirror half differs and reading C's totals miss the Kubo ones by 1e-3 to 2e-2.
  Kept selectable as a recorded finding.
* ``"B"`` -- J in the *rotating* form of Eq. 17 as printed (interaction-picture density taken
  slow, deltas on the inner indices). Exact for band-diagonal n, not for a static coherence; its
  skew pieces are exactly 1/3 of reading C's for the TI surface (a recorded finding, kept as a test).

Readings C and B, the Markov route (reading T needs neither D' nor S'):
1. D' = -[J(n^(-1))]^offdiag. n^(-1) = delta(eps - eF) g, and by the bookkeeping of
   :mod:`.collision` D'^{mn}_k = delta(eps^n_k - eF) a^{mn}(k) + delta(eps^m_k - eF) b^{mn}(k):
   at every Fermi-shell node i (band c_i) we store the 2x2 coefficient of delta(eps^{c_i}_k - eF).
2. S'^{mn}_k = hbar D'^{mn}_k/(i(eps^m_k - eps^n_k)), same support (either band at eF).
3. J_sk^m_k = [J(S')]^{mm}_k has three kinds of pieces (see :func:`collision`):
   a. delta(eps^m_k - eF) x (node value) in band m = c_i: a source on the Fermi shell;
   b. band cbar_i at the node momentum k_i of a c_i-contour: energy eps^{cbar}(k_i) != eF. It is
      a point source of strength w_i K_i^{cbar cbar} at that momentum, i.e. on the shell
      E' = eps^{cbar}(k_i) the node value K_i^{cbar cbar} w_i/w'_l at the node l of that shell at
      the same angle and radius (w'_l its weight there);
   c. off-shell term-2 pieces delta(eps^m_k - E''_j) <u^m_k|A_j + B_j|u^m_k>, E''_j = eps^{cbar}(k_j):
      smooth shell sources on the shells through E''_j (the same in both readings).
   Readings B and C differ only in the local pieces a and b.
   For a rotationally covariant model all E' of one contour coincide (one extra shell per contour);
   for an anisotropic model each angle may carry its own shell (all built on the same angular grid).
4. On every shell S: J0[n^sk] = -J_sk (Eq. 35), zero mode fixed by sum_{k in S} n^sk = 0 (the
   shell average of the source is removed; its size is reported as ``removed``: J0 conserves the
   population of every shell, so a source with a nonzero shell integral has no stationary
   solution within elastic scattering; for rotationally covariant models it vanishes by symmetry).
   Reading T has only the Fermi shell, and its source conserves the population exactly
   (sum_i w_i b_i = 0 for any antisymmetric rate).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..errors import SemiclassicalError
from ..skew.readings import DEFAULT_READING, GOLDEN_RULE, READINGS, check_reading
from .collision import CollisionResult, J0Solver, collision, own_overlaps
from .kernel import uniform_value
from .shell import Shell, ShellFactory
from .vertices import Channel, apply, dressed_projector, pair_sum

__all__ = ["DEFAULT_SKEW_READING", "side_jump_source", "side_jump_distribution", "ShellDistribution",
           "SkewResult", "anomalous_driving", "off_diagonal_density", "golden_rule_rates",
           "golden_rule_source", "rate_source", "skew_scattering"]

#: the reading names, notes and validator are the toolkit's one registry (semiclassical.skew.readings,
#: SymPy-free); the physics of each reading below is this engine's own
DEFAULT_SKEW_READING = DEFAULT_READING


# ----------------------------------------------------------------------------- side jump
def side_jump_source(shell: Shell, W: float, hbar: float, e: float, field=(1.0, 0.0),
                     kernel: np.ndarray | None = None, vertices: list[Channel] | None = None) -> np.ndarray:
    """Node values j_i of J_E(n_FD) = delta(eps - eF) j (Eq. 38, gauge-invariant form), shape (n,).

    ``kernel``: c_ij = W(|k_i - k_j|)/W of correlated disorder (:mod:`.kernel`; None: white noise).
    Eq. 38's (grad_k + grad_k') acts on U_kk' = U_{k-k'} <u_k|u_k'>, and
    (grad_k + grad_k') U_{k-k'} = 0: the gradient falls on the overlaps only, and the summand of
    the pair (i, j) is today's one times c_ij.
    ``vertices``: magnetic channels (:mod:`.vertices`; None: scalar). U_kk' = sum_s X^s_{k-k'}
    <u_k|V_s|u_k'> with k-independent V_s, so the gradient falls on M_s = <u_k|V_s|u_k'> and the
    gauge-invariant summand is sum_s r_s Im[conj(M_s)(<D u_k|V_s|u_k'> + <u_k|V_s|D u_k'>)]
    (docs/magnetic_impurities.md, section 3).
    """
    idx = np.arange(shell.size)
    u = shell.own                                                    # (n, orb)
    du = shell.data.covariant_derivative[idx, :, :, shell.band]     # (n, comp, orb)

    def channel(vertex):
        o = own_overlaps(shell, vertex)                                  # <u_i|V|u_j>
        du_u = np.einsum("iao,jo->iaj", np.conj(du), apply(vertex, u))   # <D u_i|V|u_j>
        u_du = np.einsum("io,jao->iaj", np.conj(u), apply(vertex, du))   # <u_i|V|D u_j>
        return np.imag(np.conj(o)[:, None, :] * (du_u + u_du))           # |M|^2 dr, (i, comp, j)

    dr = pair_sum(vertices, channel)
    edr = np.einsum("a,iaj->ij", np.asarray(field, float), dr)
    if kernel is not None:
        edr = edr * kernel
    return -(2 * np.pi * W / hbar) * e * (edr @ shell.weight)


def side_jump_distribution(solver: J0Solver, source: np.ndarray) -> np.ndarray:
    """g of n^sj = delta(eps - eF) g from J0[n^sj] = -J_E (Eq. 37)."""
    return solver.solve(-source)


# ----------------------------------------------------------------------------- skew scattering
@dataclass
class ShellDistribution:
    """n = delta(eps - E_S) g on shell S, with the source b it solves J0[n] = -b for."""

    shell: Shell
    source: np.ndarray
    g: np.ndarray
    removed: float = 0.0          # |sum_i w_i b_i|: shell population the source would create
    magnitude: float = 0.0        # sum_i w_i |b_i|


@dataclass
class SkewResult:
    d_prime: np.ndarray | None           # (n, 2, 2) coefficient of delta(eps^{c_i}_k - eF) in D' (C, B)
    s_prime: np.ndarray | None           # (n, 2, 2) same for S' (C, B); reading T needs neither
    j_sk: CollisionResult | None         # J(S') (readings C, B); None for reading T
    parts: list[ShellDistribution] = field(default_factory=list)
    reading: str = DEFAULT_SKEW_READING  # "T" (golden rule), "C" (static J on S'), "B" (rotating J)
    rates: np.ndarray | None = None      # reading T: (n, n) rate matrix, rates[j, i] = rate i -> j
    source_size: np.ndarray | None = None    # reading T, magnetic vertices: size of the source's summands

    def observable(self, per_node: str, absolute: bool = False) -> np.ndarray:
        """sum over shells of sum_i w_i g_i O_i for O = 'velocity' (2,), 'operator' (n_op,: every
        operator of the stack, Eq. 63 with sigma -> O) or 'spin' (3,: its first three).

        ``absolute``: sum of w |g| |O| instead (the size of the integrand, for error control).
        """
        total = 0.0
        for p in self.parts:
            o = {"velocity": p.shell.own_velocity, "operator": p.shell.own_operator,
                 "spin": p.shell.own_spin}[per_node]()
            if absolute:
                total = total + p.shell.integrate(np.abs(p.g), np.abs(o))
            else:
                total = total + p.shell.integrate(p.g, o)
        return np.asarray(total)

    @property
    def removed(self) -> float:
        """Largest |sum_S w b| over the shells (source not conserving the shell population)."""
        return max((p.removed for p in self.parts), default=0.0)

    @property
    def magnitude(self) -> float:
        return sum(p.magnitude for p in self.parts)


def anomalous_driving(shell: Shell, g: np.ndarray, W: float, hbar: float) -> np.ndarray:
    """D' of Eq. 33 for n^(-1) = delta(eps - eF) g: coefficient of delta(eps^{c_i}_k - eF) at node i."""
    n = shell.size
    F = np.zeros((n, 2, 2), complex)
    F[np.arange(n), shell.band, shell.band] = g
    # the static and rotating forms coincide on band-diagonal input
    return -collision(shell, F, W, hbar).offdiag_at_nodes()


def off_diagonal_density(shell: Shell, d_prime: np.ndarray, hbar: float) -> np.ndarray:
    """S'^{mn} = hbar D'^{mn}/(i(eps^m - eps^n)) (Eq. 31 with D -> D'), m != n, at the nodes."""
    en = shell.data.energies
    de = en[:, :, None] - en[:, None, :]
    s = np.zeros_like(d_prime)
    off = ~np.eye(2, dtype=bool)
    s[:, off] = hbar * d_prime[:, off] / (1j * de[:, off])
    return s


def golden_rule_rates(shell: Shell, W: float, hbar: float, kernel: np.ndarray | None = None,
                      vertices: list[Channel] | None = None, with_size: bool = False):
    """Skew part of the golden-rule rate on the Fermi shell from the fourth-order NCA T-matrix.

    Returns R of shape (n, n), R[j, i] = (2 pi/hbar)(A^a + A^b + A^c)_{ji}: the W^2 rate of
    scattering from node i to node j (per unit weight w_j), pieces as in the module docstring.
    Only the antisymmetric part of R enters the skew source (R is antisymmetric already up to
    rounding for scalar disorder; the symmetric W^2 correction of the Born rate is not part of it).
    Gauge invariant: every eigenvector appears once as a ket and once as a bra.

    ``kernel``: c_ij = W(|k_i - k_j|)/W of correlated disorder (:mod:`.kernel`; None: white
    noise). Each of the two Gaussian pairs carries the momentum that the pairing forces
    (docs/correlated_disorder_quadrature.md): A^a and A^b have the outer pair at k_i - k_j (c_ij)
    and the self-energy pair inside Pi_c(l) = sum_p w_p c_lp |p><p| (l = i for A^a, l = j for
    A^b); the ladder A^c has c_iq c_jq.
    ``vertices``: magnetic channels (:mod:`.vertices`; None: scalar). Each pair contracts one
    channel with itself and the two pairs are independent (docs/magnetic_impurities.md, section 4):
    the outer pair of A^a, A^b is sum_s r_s <i|V_s|j><j|V_s|ibar> (<jbar|V_s|i>), the self-energy
    pair the dressed projector Pi_V = sum_t r_t V_t Pi V_t, and each rung of the ladder its own
    channel sum, sum_t r_t <qbar|V_t|i><i|V_t|q> and sum_s r_s <q|V_s|j><j|V_s|qbar>.
    ``with_size``: also (2 pi/hbar) 2 pi W^2 |z| of the complex sum whose Im is the rate, the scale
    of the rate's rounding error (the rate may vanish by symmetry while z does not).
    """
    n = shell.size
    if n == 0:
        return np.zeros((0, 0))
    idx = np.arange(n)
    u = shell.own                                            # |i>, (n, orb)
    ub = shell.data.vectors[idx, :, 1 - shell.band]           # |ibar>
    en = shell.data.energies
    inv_delta = 1.0 / (en[idx, shell.band] - en[idx, 1 - shell.band])   # 1/Delta_i
    w = shell.weight
    pre = 2 * np.pi * W**2

    def overlaps(vertex):
        """o[i, j] = <i|V|j>, o_bar[j, i] = <j|V|ibar> (V = 1 for None)."""
        return np.conj(u) @ apply(vertex, u).T, np.conj(u) @ apply(vertex, ub).T

    c0 = uniform_value(kernel)
    if c0 is not None:
        # a q-independent kernel factorizes: Pi_c(i) = c0 Pi_V for every node (c0 = 1: white noise)
        bar_pi = c0 * np.einsum("io,op,ip->i", np.conj(ub), dressed_projector(shell.projector_sum, vertices),
                                u)                            # <ibar|Pi_c(i)|i>
    else:
        bar_pi = pair_sum(vertices, lambda v: np.einsum("ip,ip->i", np.conj(overlaps(v)[1]).T
                                                        * (kernel * w[None, :]), overlaps(v)[0].T))

    def outer(vertex):
        o, o_bar = overlaps(vertex)
        # a: <i|j><j|ibar><ibar|Pi_c(i)|i>/Delta_i  at [j, i];
        # b: <i|j><j|Pi_c(j)|jbar><jbar|i>/Delta_j  at [j, i];  <j|Pi_c(j)|jbar> = conj(<jbar|Pi_c(j)|j>)
        return (o.T * o_bar * (bar_pi * inv_delta)[None, :]
                + o.T * (np.conj(bar_pi) * inv_delta)[:, None] * np.conj(o_bar).T)

    z = pair_sum(vertices, outer)
    # the outer pair of a and b carries k_i - k_j
    z = c0 * z if c0 is not None else kernel * z
    # c: -sum_q (w_q/Delta_q) c_iq c_jq <qbar|i><i|q><q|j><j|qbar>
    if c0 is not None:
        # the q sum is a 4-index orbital tensor: sum_{abcd} i_a conj(i_b) j_c conj(j_d) K_abcd,
        # K_abcd = sum_q (w_q/Delta_q) conj(qbar_a) q_b conj(q_c) qbar_d: O(n), not O(n^3);
        # with vertices, the i rung (a, b) and the j rung (c, d) each carry their own channel
        p = np.einsum("ia,ib->iab", u, np.conj(u)).reshape(n, -1)          # (n, orb^2)

        def rungs(v_i, v_j):
            kq = np.einsum("q,qa,qb,qc,qd->abcd", w * inv_delta, np.conj(apply(v_i, ub)), apply(v_i, u),
                           np.conj(apply(v_j, u)), apply(v_j, ub))
            return kq.reshape(p.shape[1], p.shape[1])

        kq = pair_sum(vertices, lambda v_i: pair_sum(vertices, lambda v_j: rungs(v_i, v_j)))
        ladder = (c0 * c0) * (p @ kq @ p.T)   # [i, j]
    else:
        x = pair_sum(vertices, lambda v: np.conj(overlaps(v)[1]) * overlaps(v)[0] * kernel)  # c_iq <qbar|i><i|q>
        y = pair_sum(vertices, lambda v: overlaps(v)[0] * overlaps(v)[1].T * kernel)         # c_qj <q|j><j|qbar>
        ladder = x @ ((w * inv_delta)[:, None] * y)
    z = z - ladder.T
    rates = (2 * np.pi / hbar) * pre * np.imag(z)
    return (rates, (2 * np.pi / hbar) * pre * np.abs(z)) if with_size else rates


def rate_source(rates: np.ndarray, weight: np.ndarray, g: np.ndarray) -> np.ndarray:
    """Skew source b of J0[n] = -b from a rate matrix (rates[j, i]: rate i -> j per unit w_j) acting
    on n^(-1) = delta(eps - eF) g: b_i = -sum_j w_j (wa_ij g_j - wa_ji g_i), wa = (R - R^T)/2.
    Shared by the golden-rule (non-crossing) and the pair-skew (crossed, :mod:`.pair_skew`) rates."""
    wa = 0.5 * (rates - rates.T)
    return -(wa @ (weight * g) - g * (wa.T @ weight))


def golden_rule_source(shell: Shell, g: np.ndarray, W: float, hbar: float,
                       kernel: np.ndarray | None = None,
                       vertices: list[Channel] | None = None, with_size: bool = False) -> tuple:
    """(b, R): reading-T skew source b on the Fermi shell (J0[n^sk] = -b) and the rates R.

    b_i = -sum_j w_j (wa_ij g_j - wa_ji g_i), wa = (R - R^T)/2, wa_ij = rate j -> i;
    ``kernel``, ``vertices`` as in :func:`golden_rule_rates`; ``with_size``: also the size of b's
    summands, sum_j w_j |R|_ij (|g_j| + |g_i|) with |R| the rates' rounding scale (symmetrized).
    """
    rates = golden_rule_rates(shell, W, hbar, kernel, vertices, with_size)
    rates, size = rates if with_size else (rates, None)
    w = shell.weight
    b = rate_source(rates, w, g)
    if not with_size:
        return b, rates
    sym, ag = 0.5 * (size + size.T), np.abs(g)
    return b, rates, sym @ (w * ag) + ag * (sym.T @ w)


def skew_scattering(factory: ShellFactory, shell: Shell, g: np.ndarray, W: float, hbar: float,
                    solvers: dict | None = None, reading: str = DEFAULT_SKEW_READING,
                    kernel: np.ndarray | None = None, vertices: list[Channel] | None = None) -> SkewResult:
    """n^sk (Eq. 35) from n^(-1) = delta(eps - eF) g on the Fermi shell ``shell``.

    ``reading``: "T" (default; golden rule with the fourth-order non-crossing T-matrix, n^sk on
    the Fermi shell only), "C" (J(S') in the static Markov form, steady state of Eq. 16, with
    mirror shells) or "B" (J(S') in the rotating form of Eq. 17 as printed); see the module
    docstring. ``kernel``: c_ij = W(|k_i - k_j|)/W on ``shell`` (:mod:`.kernel`; None: white
    noise); readings C and B take white noise only (their J(S') reaches the mirror shells, whose
    kernel this route does not carry). ``vertices``: magnetic channels (:mod:`.vertices`), reading T only
    (readings C and B carry the scalar overlaps of Eq. 10 in their general J).
    """
    r = READINGS[check_reading(reading)]
    if (kernel is not None or vertices is not None) and r.route != GOLDEN_RULE:
        raise SemiclassicalError(f"skew reading {reading!r} supports scalar white-noise disorder only; "
                                 "use skew reading 'T' (the default) for correlated or magnetic disorder")
    solvers = {} if solvers is None else solvers

    def solver_for(sh: Shell) -> J0Solver:
        key = id(sh)
        if key not in solvers:
            solvers[key] = J0Solver(sh, W, hbar, kernel if sh is shell else None, vertices)
        return solvers[key]

    n = shell.size
    idx = np.arange(n)
    c, cb = shell.band, 1 - shell.band
    if r.route == GOLDEN_RULE:
        # magnetic vertices make the forbidden matrix elements <j|V|ibar> of d_perp = 0 nonzero, and
        # a skew rate that vanishes by symmetry is then rounding of |z|: its size sets the floor
        b, rates, *size = golden_rule_source(shell, g, W, hbar, kernel, vertices, with_size=vertices is not None)
        solver = solver_for(shell)
        gsk = solver.solve(-b)
        part = ShellDistribution(shell=shell, source=b, g=gsk, removed=solver.last_removed,
                                 magnitude=solver.last_magnitude)
        return SkewResult(d_prime=None, s_prime=None, j_sk=None, parts=[part], reading=reading, rates=rates,
                          source_size=size[0] if size else None)
    d_prime = anomalous_driving(shell, g, W, hbar)
    s_prime = off_diagonal_density(shell, d_prime, hbar)
    jsk = collision(shell, s_prime, W, hbar, factory, markov=r.markov)
    if np.any(np.abs(np.imag(jsk.on_shell[idx, c, c])) > 1e-9 * max(np.abs(jsk.on_shell).max(), 1e-300)):
        raise AssertionError("J(S') diagonal is not real: bookkeeping broken")
    sources: dict[int, tuple[Shell, np.ndarray]] = {id(shell): (shell, np.real(jsk.on_shell[idx, c, c]))}

    def add(sh: Shell, b: np.ndarray):
        if id(sh) in sources:
            sources[id(sh)] = (sh, sources[id(sh)][1] + b)
        else:
            sources[id(sh)] = (sh, b)

    # (b) band cbar at the node momenta: point sources on the shells eps^{cbar}(k_i)
    point = np.real(jsk.on_shell[idx, cb, cb]) * shell.weight
    for sh, sel in factory.group(shell.other_energy):
        b = np.zeros(sh.size)
        for i in idx[sel]:
            l = sh.find_node(int(cb[i]), int(shell.theta_index[i]), float(shell.k[i]))
            b[l] += point[i] / sh.weight[l]
        add(sh, b)
    # (c) smooth term-2 pieces on the shells through E''_j
    for sh, sel in factory.group(jsk.off_energy):
        add(sh, jsk.off_shell_diagonal(sh, sel))
    parts = []
    for sh, b in sources.values():
        if sh.size == 0:
            continue
        solver = solver_for(sh)
        gsk = solver.solve(-b)
        parts.append(ShellDistribution(shell=sh, source=b, g=gsk, removed=solver.last_removed,
                                       magnitude=solver.last_magnitude))
    return SkewResult(d_prime=d_prime, s_prime=s_prime, j_sk=jsk, parts=parts, reading=reading)
