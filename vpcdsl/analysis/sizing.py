"""Subnet sizing (`vpcdsl plan --hosts N | --size /P`): the smallest subnet with at
least N usable addresses, solved with sympy as the inequality 2**(32 - p) - 5 ≥ N,
printed as its formula and solution and confirmed by integer arithmetic.

sympy is imported inside the two functions that solve, so importing this module
(and `vpcdsl`) stays light.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from ipaddress import IPv4Network

from ..aws import RESERVED_PER_SUBNET, SUBNET_MAX_PREFIX, SUBNET_MIN_PREFIX
from ..cidrs import prefix_for_hosts, usable_hosts

__all__ = ["Sizing", "PlanError", "size_for_hosts", "size_for_prefix", "parse_size"]

_SMALLEST_USABLE = (1 << (32 - SUBNET_MAX_PREFIX)) - RESERVED_PER_SUBNET     # a /28: 11
_LARGEST_USABLE = (1 << (32 - SUBNET_MIN_PREFIX)) - RESERVED_PER_SUBNET      # a /16: 65,531
_SIZES_HINT = (f"IPv4 subnets are /{SUBNET_MIN_PREFIX} ({_LARGEST_USABLE:,} usable addresses) "
               f"to /{SUBNET_MAX_PREFIX} ({_SMALLEST_USABLE} usable); write it as /24")


class PlanError(Exception):
    """What was asked cannot be planned (an unknown VPC, a size AWS does not allow)."""

    def __init__(self, message: str, hint: str | None = None):
        super().__init__(message)
        self.hint = hint


@dataclass(frozen=True)
class Sizing:
    """The subnet size asked for, solved with sympy: usable(p) = 2**(32 - p) - 5 ≥ hosts.

    ``prefix`` is sympy's answer (the floor of the bound on p, confirmed by integer
    arithmetic); ``subnet`` is what AWS can create for it: ``prefix`` raised to /28 when
    it is smaller than AWS allows, None when no subnet is large enough.
    """

    hosts: int | None         # --hosts N; None when a size was given
    prefix: int
    usable: int               # usable addresses of a /prefix
    bound: str                # the bound on p as sympy solved it, "23.74" (two decimals, truncated) or "24"
    log_argument: int | None  # hosts + 5, as sympy wrote the bound: 32 - log2(hosts + 5)
    latex: str
    subnet: int | None
    note: str | None          # when AWS's bounds changed or refused the answer

    @property
    def subnet_usable(self) -> int | None:
        return None if self.subnet is None else (1 << (32 - self.subnet)) - RESERVED_PER_SUBNET

    @property
    def formula(self) -> str:
        """``usable(p) = 2**(32 - p) - 5 ≥ 300  →  p ≤ 32 - log2(305) ≈ 23.74  →  /23 (507 usable)``"""
        if self.hosts is None:
            return (f"usable({self.prefix}) = 2**(32 - {self.prefix}) - {RESERVED_PER_SUBNET} = "
                    f"{self.usable:,}  →  /{self.prefix} ({self.usable:,} usable)")
        sign = "=" if "." not in self.bound else "≈"
        out = (f"usable(p) = 2**(32 - p) - {RESERVED_PER_SUBNET} ≥ {self.hosts:,}  →  "
               f"p ≤ 32 - log2({self.log_argument}) {sign} {self.bound}  →  ")
        if self.prefix < 0:
            return out + "no IPv4 block is that large"
        out += f"/{self.prefix} ({self.usable:,} usable)"
        if self.subnet is None:
            return out + f", larger than AWS's largest subnet, a /{SUBNET_MIN_PREFIX}"
        if self.subnet != self.prefix:
            out += f", smaller than AWS allows  →  /{self.subnet} ({self.subnet_usable:,} usable)"
        return out

    def to_dict(self) -> dict:
        return {"hosts": self.hosts, "prefix": self.prefix, "usable": self.usable,
                "bound": self.bound, "formula": self.formula, "latex": self.latex,
                "subnet": self.subnet, "subnet_usable": self.subnet_usable, "note": self.note}


def parse_size(text) -> int:
    """``/24`` or ``24`` as a subnet prefix AWS allows; PlanError otherwise."""
    raw = str(text).strip()
    digits = raw[1:] if raw.startswith("/") else raw
    if not digits.isdigit():
        raise PlanError(f"cannot read the size {raw!r}", _SIZES_HINT)
    prefix = int(digits)
    if not SUBNET_MIN_PREFIX <= prefix <= SUBNET_MAX_PREFIX:
        raise PlanError(f"/{prefix} is not a size AWS allows for a subnet", _SIZES_HINT)
    return prefix


def _usable(prefix: int) -> int:
    return (1 << (32 - prefix)) - RESERVED_PER_SUBNET


@lru_cache(maxsize=256)
def size_for_hosts(hosts: int) -> Sizing:
    """The smallest subnet with at least ``hosts`` usable addresses, solved with sympy.

    usable(p) = 2**(32 - p) - 5 falls as p grows, so {p : usable(p) ≥ hosts} is
    (-oo, 32 - log2(hosts + 5)] and the answer is the floor of that bound. sympy solves
    the inequality exactly; integer arithmetic (`vpcdsl.cidrs.prefix_for_hosts`) confirms it.
    """
    import sympy

    if isinstance(hosts, bool) or not isinstance(hosts, int) or hosts < 1:
        raise PlanError(f"cannot plan a subnet for {hosts!r} hosts", "ask for 1 host or more")
    p = sympy.Symbol("p", real=True)
    usable = 2 ** (32 - p) - RESERVED_PER_SUBNET
    solution = sympy.solveset(usable >= hosts, p, sympy.S.Reals)
    if not (isinstance(solution, sympy.Interval) and solution.inf == -sympy.oo
            and not solution.right_open):
        raise AssertionError(f"sympy solved usable(p) >= {hosts} as {solution}")
    bound = solution.sup
    prefix = int(sympy.floor(bound))
    argument = sympy.simplify(2 ** (32 - bound))      # the bound is 32 - log2(argument)
    if argument != hosts + RESERVED_PER_SUBNET:
        raise AssertionError(f"sympy's bound {bound} is not 32 - log2({hosts + RESERVED_PER_SUBNET})")
    # The integer check: /prefix holds the hosts and /prefix+1 does not.
    expected = prefix_for_hosts(hosts)
    if expected is not None and (prefix != expected or _usable(prefix) < hosts
                                 or (prefix < 32 and _usable(prefix + 1) >= hosts)):
        raise AssertionError(f"sympy's /{prefix} for {hosts} hosts is not /{expected}")
    if bound.is_integer:
        shown = str(int(bound))
    else:
        hundredths = int(sympy.floor(bound * 100))   # truncated, so never the next integer
        shown = f"{'-' if hundredths < 0 else ''}{abs(hundredths) // 100}.{abs(hundredths) % 100:02d}"
    subnet, note = prefix, None
    if prefix < SUBNET_MIN_PREFIX:
        subnet = None
        note = (f"{hosts:,} hosts need more than a /{SUBNET_MIN_PREFIX}'s {_LARGEST_USABLE:,} usable "
                f"addresses, AWS's largest subnet: spread them over several subnets")
    elif prefix > SUBNET_MAX_PREFIX:
        subnet = SUBNET_MAX_PREFIX
        note = (f"a /{SUBNET_MAX_PREFIX} is AWS's smallest subnet ({_SMALLEST_USABLE} usable "
                f"addresses), more than {hosts:,} need")
    usable_at = _usable(prefix) if prefix >= 0 else 0
    sign = r"=" if bound.is_integer else r"\approx"
    answer = (rf"\;\Rightarrow\; /{prefix}\ ({usable_at:,}\ \text{{usable}})".replace(",", "{,}")
              if prefix >= 0 else "")
    latex = (rf"$\mathrm{{usable}}(p) = {sympy.latex(usable >= hosts)} \;\Rightarrow\; "
             rf"p \leq 32 - \log_{{2}} {argument} {sign} {shown}{answer}$")
    return Sizing(hosts, prefix, usable_at, shown, int(argument), latex, subnet, note)


@lru_cache(maxsize=32)
def size_for_prefix(prefix: int) -> Sizing:
    """A subnet of /``prefix`` (16..28): its usable addresses, from the same formula."""
    import sympy

    prefix = parse_size(prefix)
    p = sympy.Symbol("p", real=True)
    usable = 2 ** (32 - p) - RESERVED_PER_SUBNET
    value = int(usable.subs(p, prefix))
    if value != usable_hosts(IPv4Network((0, prefix))):
        raise AssertionError(f"sympy's usable({prefix}) = {value} disagrees with vpcdsl.cidrs")
    latex = (rf"$\mathrm{{usable}}({prefix}) = 2^{{32 - {prefix}}} - {RESERVED_PER_SUBNET} = "
             rf"{value:,}$".replace(",", "{,}"))
    return Sizing(None, prefix, value, str(prefix), None, latex, prefix, None)
