"""Fermi-surface bubbles of the Kubo-Streda formula at one disorder strength.

At eF, with the disorder-averaged G^R = (eF - H - Sigma^R)^-1 and G^A = (G^R)^dagger, this module
integrates over the whole k plane (polar grid, angular trapezoid x radial rule of ``radial``):

    K_ab  = 1/2 int Tr[sigma_a G^R sigma_b G^A]      (ladder kernel, k < kernel_cutoff)
    S_a   = 1/2 int Tr[sigma_a G^R J G^A]            (ladder source, k < kernel_cutoff)
    O_ib  =     int Tr[A_i G^R sigma_b G^A]          (observable x constant vertex, k < kernel_cutoff)
    F_i   =     int Tr[A_i (2 G^R J G^A - G^R J G^R - G^A J G^A)]   (bare Fermi-surface bubble)

(int = int d^2k/(2pi)^2), for the perturbing current J = -e v_x and the observables A_i of
:class:`semiclassical.kubo.operators.Operators` (currents -e v_x, -e v_y, spin operators, density,
then the problem's operator observables), every A_i evaluated on the quadrature nodes and traced
node by node: one code path for constant and k-dependent operators. Results are kept per angle so
that the caller can check the convergence of the trapezoid rule (every other angle gives the
N/2-point rule).

Every integral that carries the disorder vertex (K, S, O) stops at ``kernel_cutoff``: for Dirac
cones their sigma_0/sigma_z channels diverge logarithmically (G ~ 1/k), and a constant vertex
correction in those channels (present for anisotropic models) would otherwise pick up a
divergent far-from-the-Fermi-surface part. The bare bubble F converges and runs to infinity.

F is formed pointwise without cancellation: with D = G^R - G^A = G^R (Sigma^R - Sigma^A) G^A
(exact pointwise, for a k-independent Sigma and for the k-dependent Born Sigma of a correlated
kernel alike),

    2 G^R J G^A - G^R J G^R - G^A J G^A = D J G^A - G^A J D - D J D,

which decays like Gamma at large k even where each of RA, RR, AA alone diverges
logarithmically (bands growing faster than k, e.g. hexagonal warping).

For a correlated kernel (module ``kernel``) Sigma^R is a function of k and the vertex C(k) is
expanded on a radial basis L_c: K, S and O then carry the basis index (K_{c,ab} =
1/2 int L_c Tr[sigma_a G^R sigma_b G^A], per ray, no angular sum), the moments of the product
integration of ``kernel`` (its Eq. L1); with the single basis function 1 they are the above.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import sparse

from ..numeric_model import NumericModel
from .contour import FermiPoints, ray_hamiltonian
from .linalg2 import SIGMA, bands, dagger, inv2
from .operators import Operators
from .radial import RadialOptions, radial_rule, windows_for

__all__ = ["Bubbles", "surface_grid", "fermi_surface_bubbles"]


@dataclass
class Bubbles:
    """Per-angle radial integrals (leading axis = angle) and the angular grid size."""

    K: np.ndarray   # (N, 4, 4); with a vertex basis (N, n, 4, 4)
    S: np.ndarray   # (N, 4);    with a vertex basis (N, n, 4)
    O: np.ndarray   # (N, A, 4); with a vertex basis (N, A, n, 4)   (A operators)
    F: np.ndarray   # (N, A)
    nodes: int
    theta: np.ndarray | None = None

    def integrated(self, every: int = 1) -> dict:
        """Angular trapezoid sums (d^2k/(2pi)^2 measure), using every ``every``-th angle."""
        n = self.K.shape[0] // every
        f = (2 * np.pi / n) / (2 * np.pi) ** 2
        return {name: f * getattr(self, name)[::every].sum(axis=0)
                for name in ("K", "S", "O", "F")}

    def rays(self, every: int = 1) -> dict:
        """Per-ray K, S, O on every ``every``-th angle, with F angle-summed as in :meth:`integrated`
        (the correlated ladder sums over angles itself, module ``kernel``)."""
        out = {name: getattr(self, name)[::every] for name in ("K", "S", "O")}
        out["F"] = self.integrated(every)["F"]
        out["theta"] = self.theta[::every]
        return out


def surface_grid(fp: FermiPoints, model: NumericModel, sigma_r, k_ref: float,
                 opts: RadialOptions, kernel_cutoff=None, outer_cutoff=None, edges=None):
    """Flat polar grid (k, theta index, radial weight incl. the k dk measure).

    Windows sit on the poles of G^R: a band-n root r with slope s moves to r - Sigma_nn/s,
    Sigma_nn = Tr[P_n Sigma^R] (Sigma^R at the root when it depends on k: ``sigma_r`` callable);
    the window width is |Im| of that shift. ``edges`` (panel edges of a vertex basis) become
    panel edges of every ray's rule, and each ray's nodes are then sorted by k.
    """
    ks, idx, ws = [], [], []
    if fp.count:
        h, _ = ray_hamiltonian(model, fp.k, fp.theta[:, None])
        _, proj = bands(h)
        p = np.take_along_axis(proj, fp.band[..., None, None, None], axis=2)[:, :, 0]
        if callable(sigma_r):
            snn = np.einsum("trij,trji->tr", p, sigma_r(fp.k * np.cos(fp.theta)[:, None],
                                                         fp.k * np.sin(fp.theta)[:, None]))
        else:
            snn = np.einsum("trij,ji->tr", p, sigma_r)
        shift = -snn / fp.slope
    for j in range(len(fp.theta)):
        if fp.count:
            centers = fp.k[j] + shift[j].real
            widths = np.abs(shift[j].imag)
            order = np.argsort(centers)
            wins = windows_for(centers[order], widths[order], k_ref)
        else:
            wins = []
        if edges is None:
            x, w = radial_rule(k_ref, wins, upper=outer_cutoff, extra=[kernel_cutoff], opts=opts)
        else:
            x, w = radial_rule(k_ref, wins, upper=outer_cutoff, extra=[kernel_cutoff, *edges[1:]],
                               opts=opts)
            order = np.argsort(x)  # basis panels then form runs along each ray (_group_sum)
            x, w = x[order], w[order]
        ks.append(x)
        ws.append(w * x)
        idx.append(np.full(len(x), j))
    return np.concatenate(ks), np.concatenate(idx), np.concatenate(ws)


def fermi_surface_bubbles(model: NumericModel, eF: float, sigma_r, fp: FermiPoints,
                          k_ref: float, opts: RadialOptions = RadialOptions(),
                          kernel_cutoff=None, outer_cutoff=None, chunk: int = 40000,
                          basis=None, ops: Operators | None = None) -> Bubbles:
    """All bubbles of the module docstring at Fermi energy eF and self-energy sigma_r (a constant
    2x2 matrix, or a callable of (kx, ky) with a vertex ``basis`` for a correlated kernel), for the
    operators ``ops`` (default: those of ``model``)."""
    ops = ops or Operators(model)
    n_ops = len(ops)
    edges = None if basis is None else basis.edges
    k, it, w = surface_grid(fp, model, sigma_r, k_ref, opts, kernel_cutoff, outer_cutoff, edges)
    n_theta = len(fp.theta)
    theta = fp.theta[it]
    in_kernel = np.ones_like(k) if kernel_cutoff is None else (k < kernel_cutoff).astype(float)
    nb = 1 if basis is None else basis.size
    lead = (n_theta,) if basis is None else (n_theta, nb)
    acc = {"K": np.zeros(lead + (4, 4), complex), "S": np.zeros(lead + (4,), complex),
           "O": np.zeros((n_theta, n_ops) + lead[1:] + (4,), complex),
           "F": np.zeros((n_theta, n_ops), complex)}
    eye = np.eye(2)
    if basis is not None:
        chunk = min(chunk, 8000)  # basis-resolved blocks are n_per_panel times larger
    chunk = max(1000, chunk * 6 // n_ops)  # the operator stack grows with their number
    for start in range(0, len(k), chunk):
        sl = slice(start, start + chunk)
        kk, tt, ww, kw = k[sl], theta[sl], w[sl], w[sl] * in_kernel[sl]
        kx, ky = kk * np.cos(tt), kk * np.sin(tt)
        h = model.h(kx, ky)
        a_ops, jx = ops.at(kx, ky)                       # (n, A, 2, 2), (n, 2, 2)
        a_t = np.swapaxes(a_ops, -1, -2)                 # Tr[A X] = sum(A^T * X)
        sig = sigma_r(kx, ky) if callable(sigma_r) else sigma_r
        gr = inv2(eF * eye - h - sig)
        ga = dagger(gr)
        # G^R sigma_b G^A, (n, 4, 2, 2); einsum: stacked 2x2 matmuls were 5x slower
        x_b = np.einsum("nij,bjk,nkl->nbil", gr, SIGMA, ga, optimize=True)
        y = gr @ jx @ ga
        d = gr @ (sig - dagger(sig)) @ ga  # G^R - G^A without cancellation
        f = d @ jx @ ga - ga @ jx @ d - d @ jx @ d
        ti = it[sl]
        acc["F"] += _group_sum(np.einsum("nAij,nij->nA", a_t, f) * ww[:, None], ti, n_theta)
        # Tr[A_i G^R sigma_b G^A] per node, (n, A, 4)
        o_node = a_t.reshape(len(kk), -1, 4) @ x_b.reshape(len(kk), 4, 4).transpose(0, 2, 1)
        if basis is not None:
            _accumulate_basis(acc, basis, kk, ti, ww, x_b, y, o_node, n_theta)
            continue
        sx_b = _group_sum(x_b * kw[:, None, None, None], ti, n_theta)  # (N, 4, 2, 2)
        sy = _group_sum(y * kw[:, None, None], ti, n_theta)
        acc["K"] += 0.5 * np.einsum("aij,tbji->tab", SIGMA, sx_b)
        acc["S"] += 0.5 * np.einsum("aij,tji->ta", SIGMA, sy)
        acc["O"] += _group_sum(o_node * kw[:, None, None], ti, n_theta)
    return Bubbles(**acc, nodes=len(k), theta=fp.theta)


def _accumulate_basis(acc, basis, k, ti, w, x_b, y, o_node, n_theta):
    """K, S, O moments per ray and basis function (nodes outside the basis' support carry no vertex).

    The moment of node values V_n against the Lagrange weights w_n l_p(k_n) over the nodes of one
    (ray, panel) group is a segmented contraction; it is done as one sparse product (rows = group x
    basis function, columns = nodes), which never builds the (nodes, basis functions, values) array
    (that array and its ``reduceat`` were half of a Gaussian-kernel point's time)."""
    panel, lag = basis.values(k)
    keep = panel >= 0
    n_panels, per = basis.nodes.shape
    group = (ti * n_panels + panel)[keep]
    wl = (w[:, None] * lag)[keep]                               # (n, per)
    k_node = 0.5 * np.einsum("aij,nbji->nab", SIGMA, x_b[keep])  # (n, 4, 4)
    s_node = 0.5 * np.einsum("aij,nji->na", SIGMA, y[keep])      # (n, 4)
    o_node = o_node[keep]                                       # (n, A, 4)
    n, n_ops = len(group), o_node.shape[1]
    size = n_theta * n_panels
    rows = (group[:, None] * per + np.arange(per)).ravel()
    moments = sparse.csr_matrix((wl.ravel(), (rows, np.repeat(np.arange(n), per))), shape=(size * per, n))
    values = np.concatenate([k_node.reshape(n, 16), s_node, o_node.reshape(n, 4 * n_ops)], axis=1)
    m = np.asarray(moments @ values).reshape(n_theta, n_panels * per, -1)
    acc["K"] += m[..., :16].reshape(acc["K"].shape)
    acc["S"] += m[..., 16:20].reshape(acc["S"].shape)
    acc["O"] += np.moveaxis(m[..., 20:].reshape(n_theta, n_panels * per, n_ops, 4), 2, 1)


def _group_sum(values, index, n_groups):
    """Sums of ``values`` over runs of equal, sorted ``index`` (nodes are grouped by angle)."""
    out = np.zeros((n_groups,) + values.shape[1:], values.dtype)
    uniq, starts = np.unique(index, return_index=True)
    out[uniq] = np.add.reduceat(values, starts, axis=0)
    return out
