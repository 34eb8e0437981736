"""The ports a host's responses come back to: its ephemeral range (SEMANTICS.md, ephemeral
ports; VPC guide, vpc-network-acls#nacl-ephemeral-ports). One rule for the trace
(`vpcdsl.flows`) and for the checks that reason about returns (`vpcdsl.checks.lint_context`)."""

from __future__ import annotations

from ..aws import EPHEMERAL
from ..syntax import ast

__all__ = ["ephemeral_range"]


def ephemeral_range(end_obj) -> tuple[int, int]:
    """The ports a client's responses come back to: an instance's own or its OS's, a NAT's and a
    load balancer's 1024-65535, a site's written range, else any client's (1024-65535)."""
    if isinstance(end_obj, ast.Instance):
        if end_obj.ephemeral is not None:
            return end_obj.ephemeral.low, end_obj.ephemeral.high
        return EPHEMERAL[end_obj.os or "linux"]
    if isinstance(end_obj, ast.NatInstance):
        return EPHEMERAL["linux"]
    if isinstance(end_obj, ast.NatGateway):
        return EPHEMERAL["nat"]
    if isinstance(end_obj, ast.LoadBalancer):
        return EPHEMERAL["elb"]
    if isinstance(end_obj, ast.Site) and end_obj.ephemeral is not None:
        return end_obj.ephemeral.low, end_obj.ephemeral.high
    return EPHEMERAL["external"]
