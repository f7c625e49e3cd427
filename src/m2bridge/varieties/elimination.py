"""Kernels mod p by blocked Gauss–Jordan elimination on float64 BLAS products (FLINT's `nmod_mat`
stays the reference: `flint_kernel`, and the tests compare the two).

Residues are kept as float64 in [0, p). A product of a block of k columns by k rows is exact when
k·(p−1)² < 2^53 (the idea of FFLAS-FFPACK): for a prime below 2^22 one BLAS product serves blocks of
up to 2048 columns; for larger primes (up to 2^31) each factor is split into 16-bit halves and three
products are added (`mulmod`). Elimination goes by panels of `PANEL` columns: the panel's pivot rows
are found on a small copy in exact int64 arithmetic, then one product eliminates the panel's pivot
columns from every other row, a block of rows at a time. Between blocks `should_stop()` is asked, so
a signal handler runs within a fraction of a second even on the largest pieces.

The kernel comes in the reduced form of FLINT's nullspace: `free` are the non-pivot columns of the
reduced row echelon form, increasing, and basis row t has 1 at free[t] and 0 at the other free columns.

>>> E = np.array([[1, 2, 3], [2, 4, 6]])
>>> basis, free = kernel(E, 7)
>>> basis.tolist(), free.tolist()
([[5, 1, 0], [4, 0, 1]], [1, 2])
"""

from __future__ import annotations

import numpy as np

from .._processes import raise_if_ending

PANEL = 128
FAST_PRIME_LIMIT = 2**23
SMALL = 128  # panels this narrow are reduced column by column
EXACT = 2**53
UPDATE_ENTRIES = 1 << 22  # entries of one block of the elimination's update (32 MiB of float64)


def fits(p: int) -> bool:
    """Is this kernel the faster one for p? Below 2^23 one BLAS product serves a whole panel; above,
    three products of 16-bit halves are needed and FLINT's `nmod_mat` wins. (FLINT's nullspace alone
    is faster on pieces below about 1400 columns, but not once its conversions are counted, and the
    tall row reductions of `pieces.complement` are several times faster here: bench_limit.py.)"""
    return p < FAST_PRIME_LIMIT


def piece_bytes(points: int, monomials: int, p: int) -> int:
    """About how much memory the kernel of one piece needs at its peak: one float64 copy here; for
    FLINT, the Python integers of the conversion (about 40 bytes an entry) beside its own copy."""
    return points * monomials * (8 if fits(p) else 48)


def available_bytes() -> int | None:
    """MemAvailable of /proc/meminfo (None where there is no such file)."""
    try:
        with open("/proc/meminfo") as meminfo:
            for line in meminfo:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


def bound(p: int) -> float:
    """A bound on |x| for the centred residues x this module keeps (see `centre`)."""
    return (p + 3) / 2


def centre(X: np.ndarray, p: int) -> np.ndarray:
    """X mod p in place, as centred residues |x| <= (p+3)/2, for float64 integers |X| < 2^53.

    The quotient X/p is computed in float64 with an absolute error far below 1/2 (|X|/p < 2^53/p),
    so rounding it misses the nearest integer only on (near-)ties: the residue is off the centred
    range by at most one, which `bound` allows for. No comparison pass is needed."""
    Q = X * (1.0 / p)
    np.rint(Q, out=Q)
    Q *= p
    X -= Q
    return X


def inner_step(p: int) -> int:
    """How many products of two centred residues add up exactly in float64, with room for one more."""
    return max(0, int((EXACT - 1) // (bound(p) ** 2)) - 1)


def product(A: np.ndarray, B: np.ndarray, p: int, reduce: bool = True) -> np.ndarray:
    """A·B for float64 centred residues (p < 2^31), exact; centred mod p unless `reduce` is false,
    which is allowed when the inner dimension is at most `inner_step(p)` (no reduction is needed)."""
    inner = A.shape[1]
    if inner == 0:
        return np.zeros((A.shape[0], B.shape[1]))
    step = inner_step(p)
    if step >= inner:
        out = A @ B
        return centre(out, p) if reduce else out
    if step >= 1:
        out = np.zeros((A.shape[0], B.shape[1]))
        for s in range(0, inner, step):
            out += centre(A[:, s:s + step] @ B[s:s + step], p)
            centre(out, p)
        return out
    # Halves: x = high·2^16 + low, |high| <= 2^15, 0 <= low < 2^16; each product of halves is below
    # 2^32 in absolute value, so blocks of 2^19 terms (two products added) stay exact.
    out = np.zeros((A.shape[0], B.shape[1]))
    for s in range(0, inner, 1 << 19):
        a, b = A[:, s:s + (1 << 19)], B[s:s + (1 << 19)]
        a_high, b_high = np.floor(a / 65536), np.floor(b / 65536)
        a_low, b_low = a - a_high * 65536, b - b_high * 65536
        high = centre(a_high @ b_high, p) * 65536
        high = centre(centre(high, p) * 65536 + centre(a_high @ b_low + a_low @ b_high, p) * 65536, p)
        out += high + centre(a_low @ b_low, p)
        centre(out, p)
    return out


def small_rref(X: np.ndarray, p: int) -> tuple[np.ndarray, list[int], list[int]]:
    """Reduced row echelon form of a small float64 matrix of centred residues, modified in place, rows
    swapped: (the matrix, centred, the original index of each of its first len(pivots) rows, the pivot
    columns). Products of two residues are exact below 2^53 (p < 2^26); above, int64 is used."""
    wide = bound(p) ** 2 >= EXACT / 2
    if wide:
        X = np.mod(X, p).astype(np.int64)
    rows = np.arange(len(X))
    pivots: list[int] = []
    r = 0
    for j in range(X.shape[1]):
        if r == len(X):
            break
        nonzero = np.flatnonzero(X[r:, j])
        if not len(nonzero):
            continue
        i = r + int(nonzero[0])
        if i != r:
            X[[r, i]] = X[[i, r]]
            rows[[r, i]] = rows[[i, r]]
        # Entries of row r before column j are 0: only columns j: change.
        pivot_row = X[r, j:] * pow(int(X[r, j]), -1, p)
        pivot_row = pivot_row % p if wide else centre(pivot_row, p)
        factors = X[:, j].copy()
        factors[r] = 0
        touched = np.flatnonzero(factors)
        if len(touched):
            rest = X[touched, j:] - factors[touched, None] * pivot_row
            X[touched, j:] = rest % p if wide else centre(rest, p)
        X[r, j:] = pivot_row
        pivots.append(j)
        r += 1
    if wide:
        X = _centred(X, p)
    return X, rows[:r].tolist(), pivots


def _centred(X: np.ndarray, p: int) -> np.ndarray:
    X = X.astype(np.float64)
    X[X > p // 2] -= p
    return X


def inverse(K: np.ndarray, p: int) -> np.ndarray:
    """The inverse of an invertible k × k matrix of centred residues mod p (centred)."""
    k = len(K)
    X, _, pivots = small_rref(np.concatenate([K, np.eye(k)], axis=1), p)
    if pivots != list(range(k)):
        raise ArithmeticError("singular pivot block")
    return X[:, k:]


def _panel_basis(slab: np.ndarray, p: int) -> tuple[list[int], list[int]]:
    """Rows of `slab` (indices, in echelon order) that span its row space, and the pivot columns of
    its reduced row echelon form. Rows are read in chunks, each reduced by the basis found so far and
    then brought to reduced form itself (by the same blocked elimination on narrower panels); it
    stops as soon as the basis has a pivot in every column. (Merging keeps the form reduced: a new
    row is 0 at the old pivots, and an old row is 0 before its own pivot.)"""
    width = slab.shape[1]
    basis = np.zeros((0, width))
    chosen: list[int] = []
    pivots: list[int] = []
    chunk = width + 16
    for start in range(0, len(slab), chunk):
        X = slab[start:start + chunk]
        X = centre(X - product(X[:, pivots], basis, p), p) if pivots else X.copy()
        if width <= SMALL:
            X, rows, new = small_rref(X, p)
            fresh = X[: len(new)]
        else:
            order = np.arange(len(X))
            fresh, new = rref_rows(X, p, panel=max(SMALL, width // 4), order=order)
            rows = order[: len(new)].tolist()
        if new:
            if pivots:
                basis = centre(basis - product(basis[:, new], fresh, p), p)
            order = np.argsort(pivots + new, kind="stable")
            basis = np.concatenate([basis, fresh])[order]
            chosen = [(chosen + [start + i for i in rows])[t] for t in order]
            pivots = [(pivots + new)[t] for t in order]
        if len(pivots) == width:
            break
    return chosen, pivots


def _move_rows(A: np.ndarray, r: int, rows: list[int], order) -> None:
    """Rows r + rows[i] to r + i, by swaps (`ident`, `where` follow the rows that swaps have moved)."""
    ident: dict[int, int] = {}
    where: dict[int, int] = {}
    for i, row in enumerate(rows):
        target, wanted = r + i, r + row
        source = where.get(wanted, wanted)
        if source != target:
            A[[target, source]] = A[[source, target]]
            if order is not None:
                order[[target, source]] = order[[source, target]]
            displaced = ident.get(target, target)
            ident[target], ident[source] = wanted, displaced
            where[wanted], where[displaced] = target, source


def rref_rows(A: np.ndarray, p: int, should_stop=None, panel: int = PANEL, order=None):
    """Reduced row echelon form mod p of A, float64 centred residues (|a| <= p/2), in place:
    (its nonzero rows, centred, as a view of A; their pivot columns). Rows are swapped, and `order`
    (an array, when given) with them: order[:rank] are then rows of the original A that span it."""
    if should_stop is None:  # worker threads too stop within a block when m2bridge is ending
        should_stop = raise_if_ending
    m, n = A.shape
    r, pivots = 0, []
    for c in range(0, n, panel):
        if r == m:
            break
        rows, cols = _panel_basis(A[r:, c:c + panel], p)
        k = len(rows)
        if not k:
            continue
        _move_rows(A, r, rows, order)
        columns = [c + j for j in cols]
        top = A[r:r + k, c:]
        top[:] = product(inverse(top[:, cols], p), top, p)
        # Every other row loses its entries at the panel's pivot columns, a block of rows at a time.
        step = max(1, UPDATE_ENTRIES // max(1, n - c))
        direct = k <= inner_step(p)
        for lo, hi in [(0, r), (r + k, m)]:
            for s in range(lo, hi, step):
                if should_stop is not None:
                    should_stop()
                block = A[s:min(s + step, hi), c:]
                factors = A[s:min(s + step, hi), columns]
                if not factors.any():
                    continue
                block -= product(factors, top, p, reduce=not direct)
                centre(block, p)
        r += k
        pivots.extend(columns)
    return A[:r], pivots


def to_centred(E: np.ndarray, p: int, out: np.ndarray | None = None) -> np.ndarray:
    """Residues in [0, p) (any integer array) as float64 centred residues (into `out` when given)."""
    A = E.astype(np.float64) if out is None else out
    if out is not None:
        A[:] = E
    A[A > p // 2] -= p
    return A


def kernel_of(A: np.ndarray, p: int, should_stop=None) -> tuple[np.ndarray, np.ndarray]:
    """Basis of {x : A x = 0} mod p in reduced form (int64 rows in [0, p)), and the free columns.
    A (float64 centred residues) is overwritten."""
    n = A.shape[1]
    R, pivots = rref_rows(A, p, should_stop)
    free = np.setdiff1d(np.arange(n), pivots)
    basis = np.zeros((len(free), n), dtype=np.int64)
    basis[np.arange(len(free)), free] = 1
    if len(pivots):
        basis[:, pivots] = np.mod(-R[:, free].T, p).astype(np.int64)
    return basis, free


def kernel(E: np.ndarray, p: int, should_stop=None) -> tuple[np.ndarray, np.ndarray]:
    """`kernel_of` a copy of E (residues in [0, p))."""
    return kernel_of(to_centred(E, p), p, should_stop)
