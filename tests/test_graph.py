"""The contribution graph: node and edge types, veto members, substitutes, layers, drawing."""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pytest

import agreements
from agreements import Agreement, AgreementError
from agreements.reports.plotting import draw_graph, use_cjk_font
from agreements.valuation.graph import (
    contribution_graph,
    dependency_layers,
    essential_members,
    substitutable_contributions,
)
from tests.test_agreement_game import hand_mapping

ROOT = Path(__file__).resolve().parent.parent
BAOSHAN = agreements.load(ROOT / "scenarios" / "baoshan_medical_devices.yaml")
HAND = Agreement.from_mapping(hand_mapping())


def test_nodes_are_typed_and_labelled() -> None:
    g = contribution_graph(BAOSHAN)
    kinds = {k: sum(1 for _, d in g.nodes(data=True) if d["kind"] == k)
             for k in ("member", "contribution", "task", "result", "product")}
    assert kinds == {"member": 4, "contribution": 7, "task": 3, "result": 3, "product": 2}
    assert g.number_of_nodes() == 19
    assert g.nodes["fosun_dx"]["label_zh"] == "复星诊断"
    assert g.nodes["fosun_dx"]["member_kind"] == "lead_enterprise"
    assert g.nodes["zecheng_reagents"]["substitute_price"] == 2.0e7


def test_edges_are_typed() -> None:
    g = contribution_graph(BAOSHAN)
    rel = {(u, v): d["relation"] for u, v, d in g.edges(data=True)}
    assert rel["shu", "shu_ai_team"] == "provides"
    assert rel["fosun_cash", "t_automation"] == "needed_by"
    assert rel["r_lab_os", "t_clinical"] == "needed_by"
    assert rel["t_clinical", "r_validated_system"] == "produces"
    assert rel["r_lab_os", "p_software_licence"] == "embodied_in"
    assert rel["fosun_market", "p_smart_lab"] == "needed_by"
    assert rel["wusong_hospital", "t_clinical"] == "performs"
    assert g.edges["wusong_hospital", "t_clinical"]["role"] == "lead"
    assert g.edges["fosun_dx", "t_clinical"]["role"] == "member"
    assert g.edges["wusong_data", "t_clinical"]["group"] == "any_of[0]"
    assert set(rel.values()) == {"provides", "needed_by", "produces", "embodied_in",
                                 "performs"}


def test_essential_members() -> None:
    """Lab time can be bought, so the lab is not a veto player; the invention cannot."""
    assert essential_members(HAND) == {"sales": ["uni"], "licence": ["uni"]}
    assert essential_members(HAND, "sales") == ["uni"]
    assert essential_members(BAOSHAN, "p_software_licence") == ["fosun_dx"]
    with pytest.raises(AgreementError, match="unknown product 'nope'"):
        essential_members(HAND, "nope")


def test_essential_members_are_the_veto_players_of_the_game() -> None:
    """A member essential for every product it could make has v(N - i) = 0 here."""
    g = HAND.game()
    assert g.value({"firm", "lab"}) == 0.0
    assert g.value({"uni", "firm"}) > 0 and g.value({"uni", "lab"}) > 0


def test_substitutable_contributions() -> None:
    df = substitutable_contributions(HAND)
    assert df.index.tolist() == ["ip", "cash", "time", "data"]
    assert df["substitutable"].tolist() == [False, True, True, False]
    assert df.loc["time", "premium"] == 5.0
    assert np.isnan(df.loc["ip", "substitute_price"])


def test_dependency_layers_follow_the_edges() -> None:
    layers = dependency_layers(BAOSHAN)
    assert layers[0] == BAOSHAN.member_ids
    where = {node: k for k, layer in enumerate(layers) for node in layer}
    g = contribution_graph(BAOSHAN)
    assert all(where[u] < where[v] for u, v in g.edges)
    assert sum(len(layer) for layer in layers) == g.number_of_nodes()


@pytest.mark.parametrize("lang", ["en", "zh", "auto"])
def test_draw_graph(lang: str) -> None:
    fig, ax = plt.subplots()
    try:
        out = draw_graph(BAOSHAN, ax=ax, lang=lang)
        assert out is ax
        labels = {t.get_text() for t in ax.texts}
        english = lang == "en" or use_cjk_font() is None
        assert ("t_clinical" in labels) == english
        assert [t.get_text() for t in ax.get_legend().get_texts()][:4] == [
            "lead enterprise", "university", "hospital", "enterprise"]
    finally:
        plt.close(fig)


def test_draw_graph_rejects_unknown_language() -> None:
    with pytest.raises(AgreementError, match="lang must be"):
        draw_graph(BAOSHAN, lang="fr")
