"""Division rules that are not TU-game solution concepts.

:mod:`.claims` (bankruptcy rules: proportional, constrained equal awards and losses,
Talmud, random arrival), :mod:`.cost` (the airport problem's serial cost rule) and
:mod:`.power` (Shapley-Shubik and Banzhaf voting power of weighted votes, computed
without building the game). Reached as ``sharing_models.claims``,
``sharing_models.cost`` and ``sharing_models.power``.
"""
