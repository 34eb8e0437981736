"""vpcdsl: a declarative, checked modelling language for AWS VPC networks.

>>> import vpcdsl
>>> model = vpcdsl.loads("vpc a {\\n cidr 10.0.0.0/16\\n}")
>>> sorted(model.vpcs)
['a']
"""

from .api import check, compile, load, load_paths, loads, parse, parse_to_tree
from .diagnostics import Diagnostic, VpcdslError
from .model import Model

__version__ = "0.1.0"
__all__ = ["load", "loads", "load_paths", "parse", "parse_to_tree", "compile", "check",
           "Model", "Diagnostic", "VpcdslError", "explore", "__version__"]


def load_ipython_extension(ipython) -> None:
    """``%load_ext vpcdsl``: the ``%%vpc`` and ``%vpc`` magics (`vpcdsl.views.notebook.magic`)."""
    from .views.notebook.magic import load_ipython_extension as load
    load(ipython)


def explore(model, **options):
    """The explorer widget over ``model`` (`vpcdsl.views.notebook.explorer.explore`)."""
    from .views.notebook.explorer import explore as make
    return make(model, **options)
