"""Generators of an interpolation are made when first read, renamed across orbits on exponent arrays:
the same polynomials, in the same order, as renaming each piece and reading its rows one by one."""

from m2bridge.varieties.generators import LazyGenerators
from m2bridge.varieties.interpolate import interpolate_ideal, poly_from_row


def one_by_one(result):
    ctx = result.generators[0].context()
    n_vars = len(ctx.gens())
    out = []
    for d in sorted(result.mingens_by_degree):
        found = []
        for md in result.pieces:
            if sum(md[0]) != d:
                continue
            piece = result.pieces[md]
            found.extend((md, int(t), poly_from_row(ctx, piece.monomials, piece.basis[t], n_vars))
                         for t in piece.generators)
        out.extend(poly for _, _, poly in sorted(found, key=lambda x: x[:2]))
    return out


def test_generators_are_those_of_the_renamed_pieces():
    for arch, pattern, degree in [("3,3,3", "110|011", 4), ("4,4,4", "1100|0110", 4), ("2,2,2", "10|11", 3)]:
        result = interpolate_ideal(arch, pattern, max_degree=degree)
        assert isinstance(result.generators, LazyGenerators)
        assert len(result.generators) == sum(result.mingens_by_degree.values())
        assert list(result.generators) == one_by_one(result)
        assert result.mingens_degrees == [int(g.total_degree()) for g in result.generators]


def test_counts_need_no_polynomials():
    made = []
    lazy = LazyGenerators(lambda: made.append(1) or ["g"], 1)
    assert len(lazy) == 1 and not made
    assert list(lazy) == ["g"] and lazy[0] == "g" and made == [1]
