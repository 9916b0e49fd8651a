"""TU games and their solution concepts.

:class:`~sharing_models.games.game.Game` (worths indexed by coalition bitmask); the
Shapley family (:mod:`.shapley`, :mod:`.banzhaf`, :mod:`.weighted_shapley`, :mod:`.owen`,
:mod:`.myerson`, :mod:`.sampling` for Monte Carlo Shapley); the core family
(:mod:`.core`, :mod:`.nucleolus`, :mod:`.kohlberg`). The names are re-exported at the top
(``sharing_models.shapley``, ``sharing_models.Game``, ...).

Layers, top to bottom (checked by ``lint-imports``): ``game`` (its methods call the
concepts), ``core`` (least core = first prenucleolus LP), ``nucleolus``, ``kohlberg``,
then the Shapley family, which import only :mod:`sharing_models._kernels`.
"""
