"""What was agreed: the scenario data model, loading and validation, the contribution
graph, formation-rule profiles, clause tables and the ``consortium`` CLI.

``agreements`` turns an agreement into games and calls :mod:`sharing_models`.
"""

from .errors import AgreementError, Problem, ScenarioError
from .loader import agreement_from_mapping, load, loads
from .model import Agreement

__all__ = [
    "Agreement",
    "AgreementError",
    "Problem",
    "ScenarioError",
    "agreement_from_mapping",
    "load",
    "loads",
]
