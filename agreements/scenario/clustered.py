"""Large loosely coupled consortia: many small project clusters, optionally sharing a
facility.

:func:`clustered_agreement` draws an agreement of ``members`` partners in clusters of
about ``cluster_size``: each cluster runs one project (a development task needing a
lead enterprise's cash and equipment, a research partner's know-how, and any one of the
other partners' data or pilot sites) and sells one or two products. Clusters share no
input, so the agreement's game is a sum of small games and every linear rule is exact
by structure (:mod:`agreements.valuation.decompose`). With ``shared_facility=True`` a
facility of the first member (no market substitute) is needed by every project and
every cluster also reuses its neighbour's data: the worth no longer splits, which is the
sampled case.

Members spread over ``countries`` and the three layers (lead, close, general), as an EIT
Knowledge and Innovation Community does. Money is in millions of euro; every figure is
illustrative.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import AgreementError
from .loader import agreement_from_mapping
from .model import Agreement

__all__ = ["COUNTRIES", "clustered_agreement", "clustered_mapping", "eit_kic_large_mapping",
           "write_eit_kic_large"]

#: Default countries (ISO 3166 alpha-2) of the partners, in turn.
COUNTRIES = ("DE", "FR", "NL", "SE", "ES", "IT", "PL", "BE", "FI", "AT", "PT", "IE")
_OTHER_KINDS = ("university", "research_institute", "hospital", "enterprise")


def _r(x: float) -> float:
    return float(round(x, 3))


def clustered_mapping(members: int, cluster_size: int = 5, seed: Any = 0, *,
                      shared_facility: bool = False,
                      countries: tuple[str, ...] = COUNTRIES, name: str = "clustered"
                      ) -> dict[str, Any]:
    """The scenario mapping of :func:`clustered_agreement` (for writing a file)."""
    if members < 2 or cluster_size < 2:
        raise AgreementError("a clustered agreement needs members >= 2 and cluster_size >= 2")
    rng = np.random.default_rng(seed)
    ids = [f"p{i:03d}" for i in range(members)]
    bounds = list(range(0, members, cluster_size))
    clusters = [ids[b:b + cluster_size] for b in bounds]
    if len(clusters) > 1 and len(clusters[-1]) < 2:  # no single-member cluster
        last = clusters.pop()
        clusters[-1] = clusters[-1] + last
    out_members, contributions, tasks, results, products = [], [], [], [], []
    for k, cluster in enumerate(clusters):
        for j, m in enumerate(cluster):
            kind = "enterprise" if j == 0 else str(_OTHER_KINDS[(k + j) % 4])
            layer = "lead" if j == 0 and k % 4 == 0 else ("close" if j <= 1 else "general")
            country = countries[(k * 3 + j) % len(countries)]
            out_members.append({
                "id": m, "name": {"en": f"Partner {m[1:]} ({kind}, {country}; illustrative)"},
                "kind": kind, "layer": layer, "country": country,
                "outside_option": _r(rng.uniform(0.0, 0.3)),
                "risk_tolerance": _r(float(np.exp(rng.normal(np.log(20), 0.5))))})
        lead, research, *others = cluster
        v = [float(x) for x in np.round(np.exp(rng.normal(np.log(2.0), 0.5, 4)), 3)]
        contributions += [
            {"id": f"c_{lead}_cash", "member": lead, "kind": "cash", "valuation": v[0],
             "cost": v[0], "substitute_price": _r(v[0] * 1.3)},
            {"id": f"c_{lead}_equipment", "member": lead, "kind": "equipment",
             "valuation": v[1], "cost": _r(v[1] * 0.6)},
            {"id": f"c_{research}_ip", "member": research, "kind": "background_ip",
             "valuation": v[2], "cost": _r(v[2] * 0.3)}]
        alternatives = []
        for j, m in enumerate(others):
            price = _r(v[3] * (1.5 + 0.5 * j))
            contributions.append({"id": f"c_{m}_data", "member": m, "kind": "data",
                                  "valuation": v[3], "cost": _r(v[3] * 0.4),
                                  "substitute_price": price if j % 2 == 0 else None})
            alternatives.append(f"c_{m}_data")
        needs: dict[str, Any] = {"all_of": [f"c_{lead}_cash", f"c_{lead}_equipment",
                                            f"c_{research}_ip"]}
        if shared_facility:
            needs["all_of"].append("c_p000_facility")
            if k > 0:  # the neighbour cluster's first data set is an alternative
                prev = clusters[k - 1][2:] or clusters[k - 1][1:]
                alternatives.append(f"c_{prev[0]}_data" if len(clusters[k - 1]) > 2
                                    else f"c_{prev[0]}_ip")
        if alternatives:
            needs["any_of"] = [alternatives]
        tasks.append({"id": f"t{k:03d}", "lead": lead, "members": list(cluster), "needs": needs,
                      "produces": [f"r{k:03d}"], "cost": _r(rng.uniform(2.0, 5.0)),
                      "success_probability": _r(rng.uniform(0.6, 0.95)),
                      "duration_months": int(rng.integers(12, 37))})
        results.append({"id": f"r{k:03d}"})
        for q in range(1 + int(rng.random() < 0.4 and not shared_facility)):
            products.append({"id": f"prod{k:03d}_{q}", "needs": {"all_of": [f"r{k:03d}"]},
                             "revenue": {"expected": _r(rng.uniform(8.0, 20.0))},
                             "success_probability": _r(rng.uniform(0.5, 0.9)), "years": 5,
                             "discount_rate": 0.05,
                             "operating_margin": _r(rng.uniform(0.25, 0.4))})
    if shared_facility:
        contributions.append({"id": "c_p000_facility", "member": "p000", "kind": "facility",
                              "valuation": 3.0, "cost": 1.0})
    return {
        "format": 1, "id": name, "name": {"en": f"Clustered consortium {name} (illustrative)"},
        "currency": "EUR (millions)", "illustrative": True, "region": "EU",
        "description": "Generated by agreements.scenario.clustered: project clusters of a "
                       "large consortium. Every figure is illustrative.",
        "members": out_members, "contributions": contributions, "tasks": tasks,
        "results": results, "products": products,
        "sharing": {"method": "shapley"},
        "default": {"forfeit_share": 0.5, "default_probability": 0.02},
    }


def clustered_agreement(members: int, cluster_size: int = 5, seed: Any = 0, *,
                        shared_facility: bool = False,
                        countries: tuple[str, ...] = COUNTRIES,
                        name: str = "clustered") -> Agreement:
    """A large agreement of project clusters (see the module docstring).

    Parameters
    ----------
    members : int
        Number of partners (at least 2).
    cluster_size : int, default 5
        Partners per project cluster (the last cluster takes any remainder of one).
    seed : int, Generator or None
        Same seed, same agreement.
    shared_facility : bool, default False
        Every project also needs the first partner's facility and may use the previous
        cluster's data: the game no longer splits into clusters.
    countries : tuple of str
        Countries assigned in turn.
    name : str
        The agreement's id.

    Returns
    -------
    Agreement

    Examples
    --------
    >>> a = clustered_agreement(12, seed=1)
    >>> len(a.members), len(a.tasks), a.illustrative
    (12, 3, True)
    """
    data = clustered_mapping(members, cluster_size, seed, shared_facility=shared_facility,
                             countries=countries, name=name)
    return agreement_from_mapping(data, source=f"<clustered {name}>")


#: Header comment of ``scenarios/eit_kic_large.yaml``.
EIT_KIC_LARGE_HEADER = """\
# A large EIT Knowledge and Innovation Community (KIC): 66 partners from 12 EU Member
# States in 11 innovation projects, three layers (core partners leading projects, close
# partners, general partners).
# SOURCED: the KIC model (a partnership of higher-education institutions, research
# organisations and companies from several Member States running innovation projects:
# EIT Regulation (EU) 2021/819, Art. 9; see eu_eit_kic.yaml for the partnership rule).
# ILLUSTRATIVE: every partner is an archetype and every money figure, probability and
# duration is invented (generated by agreements.scenario.clustered.eit_kic_large_mapping,
# seed 2026). Projects 1 and 2 share project 1's pilot line, so their products form one
# part of the game; partner p000 brings know-how to project 0 and to project 5, so it
# belongs to two parts; every other project is independent: the Shapley value is exact by
# structure (docs/large-consortia.md).
# Regenerate: python -c "from agreements.scenario.clustered import write_eit_kic_large;
#   write_eit_kic_large('scenarios/eit_kic_large.yaml')"
"""


def eit_kic_large_mapping() -> dict[str, Any]:
    """The mapping of the bundled ``scenarios/eit_kic_large.yaml`` (66 partners).

    >>> m = eit_kic_large_mapping()
    >>> len(m["members"]), len({x["country"] for x in m["members"]}), m["illustrative"]
    (66, 12, True)
    """
    data = clustered_mapping(66, cluster_size=6, seed=2026, name="eit_kic_large")
    data["name"] = {"en": "EIT KIC-style community of 66 partners (illustrative)",
                    "zh": "欧洲创新与技术研究院知识与创新共同体式联合体（66家伙伴，示意）"}
    data["description"] = (
        "A large EIT Knowledge and Innovation Community: 66 archetype partners from 12 EU "
        "Member States in 11 innovation projects. Every figure is illustrative.")
    data["term_years"] = 7
    data["sources"] = [{"id": "eit_regulation", "title": "Regulation (EU) 2021/819 on the "
                        "European Institute of Innovation and Technology (recast), Art. 9",
                        "url": "https://eur-lex.europa.eu/eli/reg/2021/819/oj",
                        "date": "2021-05-20", "note": "KIC partnership conditions."}]
    tasks = {t["id"]: t for t in data["tasks"]}
    # projects 1 and 2 share project 1's pilot line (an input of both)
    tasks["t002"]["needs"]["all_of"].append("c_p006_equipment")
    # p000 also brings know-how to project 5 (a member in two parts)
    data["contributions"].append({"id": "c_p000_knowhow", "member": "p000",
                                  "kind": "background_ip", "valuation": 1.5, "cost": 0.5,
                                  "substitute_price": 2.5})
    tasks["t005"]["needs"]["all_of"].append("c_p000_knowhow")
    tasks["t005"]["members"] = ["p000", *tasks["t005"]["members"]]
    return data


def write_eit_kic_large(path: str) -> None:
    """Write ``scenarios/eit_kic_large.yaml`` (header comment, then the mapping)."""
    import yaml

    text = yaml.safe_dump(eit_kic_large_mapping(), sort_keys=False, allow_unicode=True,
                          width=100)
    with open(path, "w", encoding="utf-8") as f:
        f.write(EIT_KIC_LARGE_HEADER + text)
