"""How risky an exposure finding is: its rank, from the ports its requests hold.

``any`` (every TCP or every UDP port), ``admin`` (a port of `ADMIN_PORTS`), ``database``
(of `DATABASE_PORTS`), ``other``, ``icmp`` (ICMP only), in that order of `RANKS`, riskiest
first. `vpcdsl.analysis.exposure` ranks each finding by the worst request it holds.
"""

from __future__ import annotations

from ..packetsets import PacketSet

__all__ = ["RANKS", "ADMIN_PORTS", "DATABASE_PORTS", "rank_of", "port_names", "worst_part"]

RANKS = ("any", "admin", "database", "other", "icmp")

# Remote administration: the default ports of each protocol, as their vendors document them
# (compare AWS Security Hub's controls EC2.13, EC2.14 and EC2.19).
ADMIN_PORTS: tuple[tuple[str, int, int, str], ...] = (
    ("tcp", 22, 22, "SSH"),
    ("tcp", 23, 23, "Telnet"),
    ("tcp", 3389, 3389, "RDP"),
    ("udp", 3389, 3389, "RDP"),
    ("tcp", 5985, 5986, "WinRM"),
)
# Databases, caches and search engines, AWS's managed ones among them, at their defaults.
DATABASE_PORTS: tuple[tuple[str, int, int, str], ...] = (
    ("tcp", 1433, 1433, "SQL Server"),
    ("tcp", 1521, 1521, "Oracle"),
    ("tcp", 2484, 2484, "Oracle TLS"),
    ("tcp", 3306, 3306, "MySQL"),            # MariaDB, Aurora MySQL
    ("tcp", 5432, 5432, "PostgreSQL"),       # Aurora PostgreSQL
    ("tcp", 5439, 5439, "Redshift"),
    ("tcp", 5984, 5984, "CouchDB"),
    ("tcp", 6379, 6379, "Redis"),            # ElastiCache, MemoryDB
    ("tcp", 7474, 7474, "Neo4j"),
    ("tcp", 7687, 7687, "Neo4j Bolt"),
    ("tcp", 8182, 8182, "Neptune"),
    ("tcp", 9042, 9042, "Cassandra"),
    ("tcp", 9200, 9200, "Elasticsearch"),    # OpenSearch
    ("tcp", 9300, 9300, "Elasticsearch transport"),
    ("tcp", 11211, 11211, "Memcached"),
    ("udp", 11211, 11211, "Memcached"),
    ("tcp", 27017, 27019, "MongoDB"),        # DocumentDB
    ("tcp", 50000, 50000, "Db2"),
)


def _ports_set(table) -> PacketSet:
    """The ports of ``table`` over IPv4 and IPv6."""
    return PacketSet.union(PacketSet.box(protocol=p, dport=(lo, hi)) for p, lo, hi, _ in table)


_ADMIN = _ports_set(ADMIN_PORTS)
_DATABASE = _ports_set(DATABASE_PORTS)
# Each named protocol's ports, built once: every finding asks about all of them.
_NAMED = tuple((name, PacketSet.box(protocol=p, dport=(lo, hi)))
               for p, lo, hi, name in (*ADMIN_PORTS, *DATABASE_PORTS))
_NAMED_ALL = _ADMIN | _DATABASE
_ICMP = PacketSet.box(family=0, protocol="icmp") | PacketSet.box(family=1, protocol="icmpv6")
# Every port of TCP or UDP in one family: an "any" finding.
_EVERY_PORT = tuple(PacketSet.box(family=f, protocol=p) for f in (0, 1) for p in ("tcp", "udp"))


def rank_of(svc: PacketSet) -> str:
    """The worst kind of request ``svc`` holds (a finding's services, addresses aside).

    >>> rank_of(PacketSet.box(family=0, protocol="tcp", dport=(20, 443)))
    'admin'
    """
    if any(every <= svc for every in _EVERY_PORT):
        return "any"
    if not svc.isdisjoint(_ADMIN):
        return "admin"
    if not svc.isdisjoint(_DATABASE):
        return "database"
    return "icmp" if svc <= _ICMP else "other"


def port_names(packets: PacketSet) -> tuple[str, ...]:
    """The administration and database protocols whose ports ``packets`` holds, in table order."""
    if packets.isdisjoint(_NAMED_ALL):
        return ()
    return tuple(dict.fromkeys(name for name, ports in _NAMED if not packets.isdisjoint(ports)))


def worst_part(packets: PacketSet) -> PacketSet:
    """The requests of ``packets`` of its worst kind (admin, then database, then other than
    ICMP), the ones a finding's witness is traced from; ``packets`` if none is."""
    return next(p for p in (packets & _ADMIN, packets & _DATABASE, packets - _ICMP, packets) if p)
