"""Stage 2, model: name resolution and defaults over the AST, the resolved
`Model`, and its networkx graph."""

from .network import Model

__all__ = ["Model"]
