"""Private kernels shared across ``sharing_models``' sub-packages (not a public API).

The bottom layer above :mod:`sharing_models.exceptions`: it imports nothing else from
the package, so every concept can import it at module top without a cycle.

* :mod:`.game`: :class:`~sharing_models._kernels.game.GameBase`, the worth-array storage
  of a TU game (the public :class:`sharing_models.Game` adds the solution concepts),
  ``require_game``, ``popcounts`` and the subset-sum helpers;
* :mod:`.shapley`: the size-weighted bit-sum kernel behind Shapley, Banzhaf, weighted
  Shapley, Owen and Myerson, with their shared input checks and result helpers;
* :mod:`.lp`: allocation arrays, coalition rows and exact re-solves for the LP concepts
  (core, nucleolus, Kohlberg certification);
* :mod:`.highs`: a silent HiGHS instance;
* :mod:`.parquet`: the chunked Parquet writer of simulations and sweeps.
"""
