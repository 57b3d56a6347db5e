"""Bradley-Terry (logistic) maximum likelihood by Newton's method, vectorised over bootstrap rounds.

Every round has the same design (which models meet in each row, optional covariates) and its own
row weights, so R fits run as one batch: one (R, K, K) Hessian and one batched solve per step. With
K = models + covariates around 30 a step costs a few milliseconds for 1000 rounds, and starting from
the full-data fit most rounds converge in 3-5 steps.

Row u says: A = `ia[u]` met B = `ib[u]` with total weight `W[r, u]`, of which `WY[r, u]` went to A (a
tie is half a win each side). The log-odds that A wins is `theta[ia] - theta[ib] + x[u] @ beta`. A
tiny ridge keeps the optimum unique (the ratings have a free shift) and finite when a model never
lost; callers shift the result to their anchor.
"""

from __future__ import annotations

import numpy as np
from scipy import sparse


def design(ia: np.ndarray, ib: np.ndarray, x: np.ndarray | None, n_models: int) -> sparse.csr_matrix:
    """Row u of the (U, K) design: +1 at model ia[u], -1 at ib[u], then the covariates x[u]."""
    u = len(ia)
    f = 0 if x is None else x.shape[1]
    rows = [np.arange(u), np.arange(u)]
    cols = [np.asarray(ia), np.asarray(ib)]
    vals = [np.ones(u), -np.ones(u)]
    for j in range(f):
        rows.append(np.arange(u))
        cols.append(np.full(u, n_models + j))
        vals.append(x[:, j])
    return sparse.csr_matrix(
        (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=(u, n_models + f)
    )


def _outer_products(e: sparse.csr_matrix) -> sparse.csr_matrix:
    """(U, K*K) matrix whose row u is vec(e_u e_u^T): then H = h @ this, for row curvatures h."""
    e = e.tocsr()
    k = e.shape[1]
    rows, cols, vals = [], [], []
    indptr, indices, data = e.indptr, e.indices, e.data
    counts = np.diff(indptr)
    # Rows hold at most 2 + F non-zeros, so a per-row loop over their pairs is small; do it by slot.
    width = counts.max() if len(counts) else 0
    padded_idx = np.zeros((e.shape[0], width), dtype=np.int64)
    padded_val = np.zeros((e.shape[0], width))
    for s in range(width):
        has = counts > s
        padded_idx[has, s] = indices[indptr[:-1][has] + s]
        padded_val[has, s] = data[indptr[:-1][has] + s]
    for s in range(width):
        for t in range(width):
            rows.append(np.arange(e.shape[0]))
            cols.append(padded_idx[:, s] * k + padded_idx[:, t])
            vals.append(padded_val[:, s] * padded_val[:, t])
    return sparse.csr_matrix(
        (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=(e.shape[0], k * k)
    )


def _nll(theta: np.ndarray, e: sparse.csr_matrix, w: np.ndarray, wy: np.ndarray, l2: float) -> np.ndarray:
    d = (e @ theta.T).T  # (R, U) log-odds that A wins
    # -[WY log p + (W - WY) log(1 - p)] with p = sigmoid(d), written without overflow.
    return (w * np.logaddexp(0.0, -d) + (w - wy) * d).sum(axis=1) + 0.5 * l2 * (theta**2).sum(axis=1)


def fit_rounds(
    ia: np.ndarray,
    ib: np.ndarray,
    w: np.ndarray,
    wy: np.ndarray,
    n_models: int,
    *,
    x: np.ndarray | None = None,
    l2: float = 1e-6,
    init: np.ndarray | None = None,
    max_iter: int = 200,
    tol: float = 1e-10,
) -> np.ndarray:
    """Maximum-likelihood parameters for each round: (R, n_models + F), natural-log scale.

    `w` and `wy` are (R, U) (or (U,) for a single fit). `init` is an (R, K) or (K,) warm start.
    """
    w = np.atleast_2d(np.asarray(w, dtype=float))
    wy = np.atleast_2d(np.asarray(wy, dtype=float))
    e = design(np.asarray(ia), np.asarray(ib), x, n_models)
    k = e.shape[1]
    outer = _outer_products(e)
    rounds = w.shape[0]
    theta = np.zeros((rounds, k)) if init is None else np.array(np.broadcast_to(init, (rounds, k)), dtype=float)
    f = _nll(theta, e, w, wy, l2)
    eye = l2 * np.eye(k)
    active = np.ones(rounds, dtype=bool)
    for _ in range(max_iter):
        idx = np.flatnonzero(active)
        if not len(idx):
            break
        # Views while every round is still running (the common case): no copies of (R, U) arrays.
        sel = slice(None) if len(idx) == rounds else idx
        th, wa, wya = theta[sel], w[sel], wy[sel]
        d = (e @ th.T).T
        p = 0.5 * (1.0 + np.tanh(0.5 * d))  # sigmoid without overflow warnings
        grad = (e.T @ (wa * p - wya).T).T + l2 * th
        curv = wa * p * (1.0 - p)
        hess = (outer.T @ curv.T).T.reshape(len(idx), k, k) + eye
        step = np.linalg.solve(hess, grad[:, :, None])[:, :, 0]
        # Newton decrement: half of it estimates how far the objective is above its minimum.
        decrement = (grad * step).sum(axis=1)
        done = decrement < tol
        # Converged rounds take their last (tiny) Newton step and stop; the others get a
        # backtracking line search (Armijo): a full Newton step can overshoot when a model is nearly
        # undefeated and its curvature tiny. The slack absorbs rounding in f.
        cand = th - step
        go = np.flatnonzero(~done)
        if len(go):
            t = np.ones(len(go))
            if len(go) == len(idx):
                go = slice(None)  # views, not copies, of the (R, U) weights
            c_go, th_go, st_go, dec_go = cand[go], th[go], step[go], decrement[go]
            w_go, wy_go = wa[go], wya[go]
            f_old = f[idx[go]]
            f_new = _nll(c_go, e, w_go, wy_go, l2)
            slack = 1e-12 * np.abs(f_old)
            for _ in range(40):
                bad = f_new > f_old - 1e-4 * t * dec_go + slack
                if not bad.any():
                    break
                t[bad] *= 0.5
                c_go[bad] = th_go[bad] - t[bad, None] * st_go[bad]
                f_new[bad] = _nll(c_go[bad], e, w_go[bad], wy_go[bad], l2)
            cand[go] = c_go
            f[idx[go]] = f_new
        theta[idx] = cand
        active[idx] = ~done
    return theta
